public import HindsightCore
import HindsightStore
public import Logging
public import PostgresNIO

/// Loads domain knowledge from the insight tables through `InsightStore.domainKnowledge` (the core's
/// `PerformanceInsights` as the analyzer computed them, recovery outcomes, promoted A/B winners;
/// read-only: the `hindsight_adapter` role may).
public struct StoreKnowledgeLoader: DomainKnowledgeLoader {
    private let client: PostgresClient
    private let logger: Logger

    /// Creates a loader on `client`.
    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    public func loadAll() async throws -> [DomainKnowledge] {
        try await InsightStore.domainKnowledge(client: client, logger: logger)
    }

    public func load(domain: String) async throws -> DomainKnowledge? {
        try await InsightStore.domainKnowledge(domain: domain, client: client, logger: logger)
    }
}
