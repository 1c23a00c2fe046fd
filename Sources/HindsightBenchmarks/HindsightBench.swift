import ArgumentParser

/// `hindsight-bench`: the system benchmarks, each next to its baseline measured in the same run, printed
/// as figures and ratios. Targets and reference figures are in `docs/benchmarks.md`, not here.
@main
struct HindsightBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hindsight-bench",
        abstract: "Benchmarks of Hindsight with their baselines (figures and ratios).",
        subcommands: subcommands)

    /// The registered benchmarks (one list, so adding one touches one line).
    static let subcommands: [any ParsableCommand.Type] = [
        BenchAMQP.self,
        BenchAnalyze.self,
        BenchChaos.self,
        BenchRPC.self,
        BenchCore.self,
        BenchDeadLetters.self,
        BenchIngest.self,
        BenchLearning.self,
        BenchQueries.self,
        BenchStorage.self,
    ]
}
