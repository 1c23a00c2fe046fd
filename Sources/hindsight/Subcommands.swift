import ArgumentParser

/// The registered subcommands (one list, so adding a command touches one line).
enum HindsightSubcommands {
    static let all: [any ParsableCommand.Type] = [
        MigrateCommand.self, TrackerCommand.self, SimulateCommand.self, DemoCommand.self, QueryCommand.self, RetentionCommand.self,
        AnalyzerCommand.self, AnalyzeCommand.self, InsightsCommand.self, AdapterCommand.self, OptimizeCommand.self,
        EstimateCommand.self, StatusCommand.self, ImportCommand.self,
    ]
}
