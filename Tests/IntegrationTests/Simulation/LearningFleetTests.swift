import AMQP
import Foundation
import HindsightSimulation
import HindsightStore
import HindsightTesting
import Logging
import Testing

/// The learning fleet against the real broker and PostgreSQL: a private in-process cluster (trackers,
/// adapter, analyzer between rounds) on a fresh database per run.
@Suite(.serialized) struct LearningFleetTests {
    static func run(seed: UInt64) async throws -> LearningReport {
        var logger = Logger(label: "hindsight.tests.simulation")
        logger.logLevel = TestEnvironment.value("HINDSIGHT_TEST_LOG") == nil ? .warning : .trace
        let amqp = try AMQPConfiguration(url: TestEnvironment.amqpURL)
        let world = World.standard(seed: seed)
        var configuration = LearningFleet.Configuration(seed: seed)
        configuration.rounds = 3
        configuration.executionsPerGroupPerRound = 12
        configuration.agents = 4
        let settings = configuration
        let log = logger
        return try await StoreTestSupport.withMigratedDatabase { url in
            try await LocalLearningCluster.run(database: url, amqp: amqp, domains: world.domains, logger: log) { setup in
                try await LearningFleet(configuration: setup.aim(settings), world: world, amqp: amqp, cluster: setup.cluster, logger: log)
                    .run { _ in }
            }
        }
    }

    @Test func theSameSeedGivesTheSameReport() async throws {
        var first = try await Self.run(seed: 11)
        var second = try await Self.run(seed: 11)
        #expect(first.rounds.count == 3)
        #expect(first.adapterFallbacks == 0 && second.adapterFallbacks == 0)
        // Every group ran every execution of every round, and the cluster learned between rounds.
        for round in first.rounds {
            for group in AgentGroup.allCases { #expect(round.groups[group.rawValue]?.executions == 12) }
        }
        #expect(first.rounds.last?.historyExecutions == 72)
        first.generatedAt = Date(timeIntervalSince1970: 0)
        second.generatedAt = first.generatedAt
        #expect(first == second)
        #expect(try first.jsonData() == second.jsonData())
    }
}
