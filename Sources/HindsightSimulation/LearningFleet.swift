package import AMQP
package import Logging

/// Runs the three groups of simulated agents on one world in rounds, with the cluster learning between
/// rounds, and measures each group per round (``LearningReport``).
///
/// A round: every group runs `executionsPerGroupPerRound` executions, publishing their events through
/// the agent's publisher; then `cluster.waitUntilStored` (the barrier), then `cluster.learn()`. Each
/// execution's outcome is drawn from the world with its own generator, so results do not depend on
/// scheduling.
package struct LearningFleet: Sendable {
    package struct Configuration: Sendable {
        package var seed: UInt64
        package var rounds: Int = 8
        package var executionsPerGroupPerRound: Int = 30
        /// Concurrent simulated agents.
        package var agents: Int = 6
        package var groups: [AgentGroup] = AgentGroup.allCases
        package var adapterTimeout: Duration = .seconds(5)
        /// Where adapter requests go (tests use a private exchange).
        package var adapterExchange: String = "hindsight.rpc"
        package var adapterRoutingKey: String = "adapter"
        /// The rounds the summary covers.
        package var summaryRounds: Int = 3

        package init(seed: UInt64) { self.seed = seed }
    }

    package let configuration: Configuration
    package let world: World
    let amqp: AMQPConfiguration
    let cluster: any LearningCluster
    let logger: Logger

    package init(configuration: Configuration, world: World, amqp: AMQPConfiguration, cluster: any LearningCluster, logger: Logger) {
        self.configuration = configuration
        self.world = world
        self.amqp = amqp
        self.cluster = cluster
        self.logger = logger
    }

    /// Runs every round and returns the report.
    package func run(progress: @escaping @Sendable (LearningProgress) -> Void) async throws -> LearningReport {
        throw LearningError("LearningFleet.run is not implemented yet")
    }
}
