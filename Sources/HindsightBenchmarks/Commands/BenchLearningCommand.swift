import AMQP
import ArgumentParser
import Foundation
import HindsightSimulation
import HindsightStore
import HindsightTesting
import Logging

/// `hindsight-bench learning`: the learning effect, measured.
///
/// For each seed, on a fresh scratch database, a private in-process cluster (two trackers, the adapter,
/// the analyzer between rounds — ``LocalLearningCluster``) learns from the three groups of
/// ``LearningFleet`` on the standard world. Prints, adapted vs control and adapted vs seed rules, the
/// issue's figures with their mean, standard deviation and range over the seeds, and writes each seed's
/// report to `--reports`. The figures and their definitions are in docs/learning.md.
struct BenchLearning: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "learning",
        abstract: "Measure the learning effect: adapted vs control vs seed rules on the simulated world, over several seeds.")

    @OptionGroup var connection: BenchConnectionOptions

    @Option(help: "Seeds, comma-separated (one fresh database each).")
    var seeds: String = "1,2,3,4,5"

    @Option(help: "Rounds per seed.")
    var rounds: Int = 8

    @Option(help: "Executions per group per round.")
    var perRound: Int = 30

    @Option(help: "Concurrent simulated agents.")
    var agents: Int = 6

    @Option(help: "Directory for each seed's report JSON.")
    var reports: String = "var/learning"

    func validate() throws {
        guard !parsedSeeds.isEmpty else { throw ValidationError("--seeds must list at least one integer") }
        guard (1...100).contains(rounds) else { throw ValidationError("--rounds must be 1…100") }
        guard (1...10_000).contains(perRound) else { throw ValidationError("--per-round must be 1…10000") }
        guard (1...64).contains(agents) else { throw ValidationError("--agents must be 1…64") }
    }

    private var parsedSeeds: [UInt64] {
        seeds.split(separator: ",").compactMap { UInt64($0.trimmingCharacters(in: .whitespaces)) }
    }

    func run() async throws {
        let logger = {
            var logger = Logger(label: "hindsight.bench.learning")
            logger.logLevel = .warning
            return logger
        }()
        let amqp = try connection.amqp(connectionName: "hindsight-bench-learning")
        var measured: [LearningMeasurement.Seed] = []
        for seed in parsedSeeds {
            let started = ContinuousClock.now
            let world = World.standard(seed: seed)
            var configuration = LearningFleet.Configuration(seed: seed)
            configuration.rounds = rounds
            configuration.executionsPerGroupPerRound = perRound
            configuration.agents = agents
            let fleetConfiguration = configuration
            let report = try await StoreTestSupport.withMigratedDatabase { url in
                try await LocalLearningCluster.run(database: url, amqp: amqp, domains: world.domains, logger: logger) { setup in
                    let fleet = LearningFleet(
                        configuration: setup.aim(fleetConfiguration), world: world, amqp: amqp, cluster: setup.cluster, logger: logger)
                    return try await fleet.run { _ in }
                }
            }
            let file = URL(fileURLWithPath: reports).appendingPathComponent("seed-\(seed).json")
            try report.write(to: file)
            let seconds = (ContinuousClock.now - started).components.seconds
            print("seed \(seed): \(rounds) rounds × \(perRound) × \(report.groups.count) groups in \(seconds) s, adapter fallbacks \(report.adapterFallbacks) → \(file.path)")
            measured.append(LearningMeasurement.seed(report))
        }
        print("")
        print(Self.table(measured, rounds: rounds, perRound: perRound))
    }

    /// The figures table (Markdown), mean ± sd [min … max] over the seeds.
    static func table(_ seeds: [LearningMeasurement.Seed], rounds: Int, perRound: Int) -> String {
        func cell(_ values: [Double?], scale: Double = 1, unit: String = "") -> String {
            guard let s = LearningMeasurement.Spread(values.map { $0.map { $0 * scale } }) else { return "n/a" }
            func f(_ x: Double) -> String { String(format: "%+.1f", x) }
            func g(_ x: Double) -> String { String(format: "%.1f", x) }
            return "\(f(s.mean))\(unit) ± \(g(s.sd)) [\(f(s.min)) … \(f(s.max))]"
        }
        func plain(_ values: [Double?], scale: Double = 1, unit: String = "") -> String {
            guard let s = LearningMeasurement.Spread(values.map { $0.map { $0 * scale } }) else { return "n/a" }
            func g(_ x: Double) -> String { String(format: "%.2f", x) }
            return "\(g(s.mean))\(unit) ± \(g(s.sd)) [\(g(s.min)) … \(g(s.max))]"
        }
        let a = AgentGroup.adapted, c = AgentGroup.control, r = AgentGroup.seedRules
        var lines = [
            "\(seeds.count) seeds (\(seeds.map { "\($0.seed)" }.joined(separator: ","))), \(rounds) rounds × \(perRound) executions per group; mean ± sd [min … max]",
            "",
            "| figure | seed claim | adapted vs control | adapted vs seed rules |",
            "|---|---|---|---|",
            "| duration change, last 3 rounds | −10…−30 % | \(cell(seeds.map(\.durationChangeVsControl), scale: 100, unit: " %")) | \(cell(seeds.map(\.durationChangeVsSeedRules), scale: 100, unit: " %")) |",
            "| success rate, last 3 rounds | +10…+20 points | \(cell(seeds.map(\.successPointsVsControl), unit: " pt")) | \(cell(seeds.map(\.successPointsVsSeedRules), unit: " pt")) |",
            "",
            "| figure | seed claim | adapted | control | seed rules |",
            "|---|---|---|---|---|",
            "| transient failures recovered, last 3 rounds | ≥ 70 % | \(plain(seeds.map { $0.recoveredShare[a] }, scale: 100, unit: " %")) | \(plain(seeds.map { $0.recoveredShare[c] }, scale: 100, unit: " %")) | \(plain(seeds.map { $0.recoveredShare[r] }, scale: 100, unit: " %")) |",
            "| estimate error, round 1 | | \(plain(seeds.map { $0.estimateErrorStart[a] })) | \(plain(seeds.map { $0.estimateErrorStart[c] })) | \(plain(seeds.map { $0.estimateErrorStart[r] })) |",
            "| estimate error after ≥ 20 executions per domain | | \(plain(seeds.map { $0.estimateErrorAfter20[a] })) | \(plain(seeds.map { $0.estimateErrorAfter20[c] })) | \(plain(seeds.map { $0.estimateErrorAfter20[r] })) |",
            "| estimate error change (after 20 vs start) | −50 % | \(cell(seeds.map { $0.estimateErrorChange[a] }, scale: 100, unit: " %")) | \(cell(seeds.map { $0.estimateErrorChange[c] }, scale: 100, unit: " %")) | \(cell(seeds.map { $0.estimateErrorChange[r] }, scale: 100, unit: " %")) |",
            "| confidence with ≥ 50 executions per domain | ≥ 0.80 | \(plain(seeds.map { $0.confidenceAt50[a] })) | \(plain(seeds.map { $0.confidenceAt50[c] })) | \(plain(seeds.map { $0.confidenceAt50[r] })) |",
        ]
        lines.append("")
        return lines.joined(separator: "\n")
    }
}
