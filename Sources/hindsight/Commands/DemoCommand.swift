import AMQP
import ArgumentParser
import Foundation
import HindsightSimulation
import HindsightStore
import Logging
import PostgresNIO

/// `hindsight demo`: the whole cluster on one machine and the proof that agents learn from their history.
///
/// In one process: migrations on a fresh database, two trackers, an adapter, and the learning fleet
/// (three groups of simulated agents on one world, ``LearningFleet``) with an analyzer round between two
/// fleet rounds (``StoreLearningCluster``). Then it prints what was learned (from the stored insights,
/// the adapter's own source), one plan the adapter adapted, the learning curve and the HTML report's path,
/// and stops everything gracefully.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the cluster with a learning fleet of simulated agents, then show what they learned.",
        discussion: """
            Recreates the database --database (default hindsight_demo) on the server of --database-url / \
            HINDSIGHT_DATABASE_URL (else the local one) so every run starts from no history, migrates it, and \
            runs two trackers, an adapter and the fleet in this process. Without a URL each part connects as \
            its own role (hindsight_tracker, hindsight_analyzer, hindsight_adapter, hindsight_analyst); with \
            one, every part uses it. Writes learning-report.json and learning-report.html to --report-dir.
            """)

    @OptionGroup var connection: ConnectionOptions

    @Option(help: "Database the demo recreates and uses (never the one in the URL).")
    var database: String = "hindsight_demo"

    @Option(help: "Rounds of the fleet (the analyzer learns between two rounds).")
    var rounds: Int?

    @Option(help: "Executions per group per round.")
    var executions: Int?

    @Flag(help: "A short run (3 rounds of 6 executions per group) for tests and a quick look.")
    var short = false

    @Option(help: "Simulated agents running at once.")
    var agents: Int = 6

    @Option(help: "Trackers consuming in parallel.")
    var trackers: Int = 2

    @Option(help: "Seed of the simulated world and fleet (same seed, same run).")
    var seed: UInt64 = 42

    @Option(help: "Folder of learning-report.json and learning-report.html.")
    var reportDir: String = "var/demo"

    var effectiveRounds: Int { rounds ?? (short ? 3 : 8) }
    var effectiveExecutions: Int { executions ?? (short ? 6 : 30) }

    func validate() throws {
        guard (1...100).contains(effectiveRounds) else { throw ValidationError("--rounds must be 1…100") }
        guard (1...10_000).contains(effectiveExecutions) else { throw ValidationError("--executions must be 1…10000") }
        guard (1...64).contains(agents) else { throw ValidationError("--agents must be 1…64") }
        guard (1...16).contains(trackers) else { throw ValidationError("--trackers must be 1…16") }
        guard DemoDatabase.isValidName(database) else {
            throw ValidationError("--database must be a lower-case name of letters, digits and _ (at most 63), not hindsight or postgres")
        }
    }

    func run() async throws {
        // Error by default: the trackers' warnings (a deadlock retried, a batch split) are routine and
        // would only puzzle someone watching the demo; HINDSIGHT_LOG_LEVEL shows them.
        try Bootstrap.run(defaultLevel: .error)
        let logger = Logger(label: "hindsight.demo")
        let urls = try DemoDatabase.URLs(connection: connection, database: database)
        let amqp = try connection.amqp(connectionName: "hindsight-demo")
        let world = World.standard(seed: seed)
        let fleet = {
            var fleet = LearningFleet.Configuration(seed: seed)
            fleet.rounds = effectiveRounds
            fleet.executionsPerGroupPerRound = effectiveExecutions
            fleet.agents = agents
            return fleet
        }()
        let reportDirectory = URL(fileURLWithPath: reportDir, isDirectory: true).absoluteURL

        let clock = ContinuousClock()
        let started = clock.now
        print("Hindsight demo: \(world.domains.count) domains (\(world.domains.joined(separator: ", "))), "
            + "\(fleet.rounds) rounds × \(fleet.groups.count) groups × \(fleet.executionsPerGroupPerRound) executions, seed \(seed)")
        print("  groups: adapted (asks the adapter for plans and recovery), control (original plans, one plain retry),")
        print("          seed_rules (the old system's own rules); all run in the same simulated world")
        do {
            try await DemoDatabase.recreate(urls, logger: logger)
            try await DemoCluster.declareTopology(amqp: amqp, logger: logger)
        } catch {
            throw ExitMessage.line(for: error, database: urls.owner)
        }
        print("  database \(urls.owner.database) created and migrated; starting \(trackers) trackers and an adapter")

        let cluster = DemoCluster(urls: urls, amqp: amqp, trackers: trackers, domains: world.domains, logger: logger)
        try await cluster.run { client in
            let progress = DemoProgress(rounds: fleet.rounds, started: started)
            let learning = StoreLearningCluster(database: client.analyzer, amqp: amqp, domains: world.domains, logger: logger)
            let report = try await LearningFleet(
                configuration: fleet, world: world, amqp: amqp, cluster: learning, logger: logger
            ).run { progress.update($0) }
            progress.finish()
            // One more analysis, so the insights and the adapter cover the last round too.
            try await learning.learn()
            try await DemoReport(world: world, client: client, amqp: amqp, logger: logger)
                .printAll(report: report, reportDirectory: reportDirectory)
        }
        let elapsed = (clock.now - started).formatted(.units(allowed: [.minutes, .seconds], width: .narrow))
        print("\nDone in \(elapsed); trackers and adapter stopped. The history stays in database \(urls.owner.database):")
        print("  hindsight insights --database-url '\(urls.analyst)'   (*** = the role's password; locally its name)")
    }
}
