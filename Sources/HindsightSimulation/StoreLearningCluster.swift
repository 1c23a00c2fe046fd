package import AMQP
package import Foundation
package import Logging
package import PostgresNIO

/// The cluster hooks of `hindsight simulate`, the demo and the benchmark: waits by polling PostgreSQL
/// for the stored executions; learns by running one analyzer round in-process (`Analyzer.runRound`)
/// and waiting until the adapter answers from insights at least that new for every domain.
package struct StoreLearningCluster: LearningCluster {
    /// - Parameters:
    ///   - database: a running client with the analyzer's grants (`hindsight_analyzer`).
    ///   - amqp: the broker, to ask the adapter.
    ///   - domains: the domains whose insights `learn()` waits for.
    package init(database: PostgresClient, amqp: AMQPConfiguration, domains: [String], logger: Logger) {
        self.database = database
        self.amqp = amqp
        self.domains = domains
        self.logger = logger
    }

    let database: PostgresClient
    let amqp: AMQPConfiguration
    let domains: [String]
    let logger: Logger

    package func waitUntilStored(_ executionIDs: [UUID]) async throws {
        throw LearningError("StoreLearningCluster is not implemented yet")
    }

    package func learn() async throws {
        throw LearningError("StoreLearningCluster is not implemented yet")
    }
}
