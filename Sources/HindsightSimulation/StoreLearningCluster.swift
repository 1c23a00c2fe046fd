package import AMQP
package import Foundation
import HindsightAgent
import HindsightCore
package import HindsightWorkers
package import Logging
package import PostgresNIO
import Synchronization

/// The cluster hooks of `hindsight simulate`, the demo and the benchmark.
///
/// `waitUntilStored` polls `hindsight.executions` until every execution has a final status.
/// `learn` runs one analyzer round in-process (``Analyzer/runRound(force:)``, as the analyzer service
/// would), reads each domain's `insight_domains.computed_at`, and asks the adapter (`estimate`, the
/// cheapest method) until its answers carry `insights_computed_at` at least that new for every domain —
/// the adapter reloads on the analyzer's `NOTIFY`, so this is the moment agents see the new insights.
package struct StoreLearningCluster: LearningCluster {
    package struct Configuration: Sendable {
        /// Where adapter requests go.
        package var adapterExchange: String = AdapterEnvelope.exchange
        package var adapterRoutingKey: String = AdapterEnvelope.routingKey
        /// How long `waitUntilStored` and `learn` wait before giving up.
        package var timeout: Duration = .seconds(180)
        package var analyzer = Analyzer.Configuration()

        package init() {}
    }

    private let database: PostgresClient
    private let amqp: AMQPConfiguration
    private let domains: [String]
    private let configuration: Configuration
    private let logger: Logger
    private let lastAnalysis = LastAnalysis()

    /// - Parameters:
    ///   - database: a running client with the analyzer's grants (`hindsight_analyzer`, or the owner).
    ///   - amqp: the broker, to ask the adapter.
    ///   - domains: the domains whose insights `learn()` waits for (the world's).
    package init(database: PostgresClient, amqp: AMQPConfiguration, domains: [String], configuration: Configuration = Configuration(), logger: Logger) {
        self.database = database
        self.amqp = amqp
        self.domains = domains
        self.configuration = configuration
        self.logger = logger
    }

    package func waitUntilStored(_ executionIDs: [UUID]) async throws {
        let deadline = ContinuousClock.now + configuration.timeout
        var stored = 0
        while true {
            let rows = try await database.query(
                "SELECT count(*) FROM hindsight.executions WHERE execution_id = ANY (\(executionIDs)) AND status <> 'running'",
                logger: logger)
            stored = 0
            for try await count in rows.decode(Int64.self) { stored = Int(count) }
            if stored >= executionIDs.count { return }
            guard ContinuousClock.now < deadline else {
                throw LearningError("only \(stored) of \(executionIDs.count) executions were stored with a final status within \(configuration.timeout): are the trackers running?")
            }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    package func learn() async throws {
        // insights_computed_at has whole seconds: keep analyses in distinct seconds so "newer" is visible.
        if let last = lastAnalysis.value.withLock({ $0 }) {
            let gap = Date().timeIntervalSince(last)
            if gap < 1.1 { try await Task.sleep(for: .milliseconds(Int((1.1 - gap) * 1000))) }
        }
        let analyzer = Analyzer(configuration: configuration.analyzer, client: database, logger: logger)
        let report = try await analyzer.runRound()
        lastAnalysis.value.withLock { $0 = Date() }
        if !report.failures.isEmpty {
            throw LearningError("the analyzer failed for \(report.failures.map(\.domain).joined(separator: ", "))")
        }
        var computed: [String: Date] = [:]
        let rows = try await database.query(
            "SELECT domain, computed_at FROM hindsight.insight_domains WHERE domain = ANY (\(domains))", logger: logger)
        for try await (domain, at) in rows.decode((String, Date).self) { computed[domain] = at }
        try await waitForAdapter(computed)
    }

    /// Asks the adapter until every domain's answer comes from insights at least as new as `computed`.
    private func waitForAdapter(_ computed: [String: Date]) async throws {
        let connection = try await AMQPConnection.connect(amqp, logger: logger)
        defer { Task { await connection.closeAndWait() } }
        let client = AdapterClient(connection: connection, exchange: configuration.adapterExchange, routingKey: configuration.adapterRoutingKey)
        let deadline = ContinuousClock.now + configuration.timeout
        var waiting = computed.keys.sorted()
        while !waiting.isEmpty {
            var still: [String] = []
            for domain in waiting {
                let needed = (computed[domain] ?? .distantPast).timeIntervalSince1970.rounded(.down)
                let reply = try? await client.estimate(EstimateRequest(domain: domain, plan: [RPCPlanPhase(name: "probe")]), timeout: .seconds(2))
                let seen = reply?.insightsComputedAt.flatMap { try? Date($0, strategy: .iso8601) }?.timeIntervalSince1970
                if (seen ?? -1) < needed { still.append(domain) }
            }
            waiting = still
            guard !waiting.isEmpty else { return }
            guard ContinuousClock.now < deadline else {
                throw LearningError("the adapter did not answer from the new insights of \(waiting.joined(separator: ", ")) within \(configuration.timeout): is it running and listening to the analyzer's NOTIFY?")
            }
            try await Task.sleep(for: .milliseconds(200))
        }
    }
}

/// When the last analysis ran (shared by copies of the cluster).
private final class LastAnalysis: Sendable {
    let value = Mutex<Date?>(nil)
}
