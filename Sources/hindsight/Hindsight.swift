import ArgumentParser

/// The `hindsight` command: every worker, tool and benchmark of the cluster.
@main
struct Hindsight: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hindsight",
        abstract: "Learns from AI agents' execution history and feeds it back.",
        subcommands: HindsightSubcommands.all)
}

/// Benchmarks: each prints its figures next to a baseline measured in the same run.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks with their baselines (figures and ratios).",
        subcommands: HindsightSubcommands.bench)
}
