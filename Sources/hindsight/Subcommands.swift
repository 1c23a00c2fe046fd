import ArgumentParser

/// The registered subcommands (one list, so adding a command touches one line).
enum HindsightSubcommands {
    static let all: [any ParsableCommand.Type] = [
        MigrateCommand.self, TrackerCommand.self, SimulateCommand.self, DemoCommand.self, QueryCommand.self, RetentionCommand.self,
        Bench.self,
    ]
    static let bench: [any ParsableCommand.Type] = [BenchAMQP.self, BenchCore.self, BenchIngest.self, BenchQueries.self]
}
