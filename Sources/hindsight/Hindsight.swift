import ArgumentParser

/// The `hindsight` command: every worker and tool of the cluster (the benchmarks are `hindsight-bench`).
@main
struct Hindsight: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hindsight",
        abstract: "Learns from AI agents' execution history and feeds it back.",
        subcommands: HindsightSubcommands.all)
}
