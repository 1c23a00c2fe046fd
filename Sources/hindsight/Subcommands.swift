import ArgumentParser

/// The registered subcommands (one list, so adding a command touches one line).
enum HindsightSubcommands {
    static let all: [any ParsableCommand.Type] = [TrackerCommand.self, SimulateCommand.self, Bench.self]
    static let bench: [any ParsableCommand.Type] = []
}
