import Foundation
public import HindsightCore
public import Logging
public import PostgresNIO
import HindsightStore
import Metrics
import Synchronization

/// Reads domain knowledge from the insight tables; `InsightStore` provides the PostgreSQL one.
public protocol DomainKnowledgeLoader: Sendable {
    /// Every analysed domain.
    func loadAll() async throws -> [DomainKnowledge]
    /// One domain; `nil` when it has no insights (any more).
    func load(domain: String) async throws -> DomainKnowledge?
}

/// The adapter's memory: per domain the core insights, recovery tallies and A/B state.
///
/// Loaded in full at start and every refresh interval, one domain again on each `NOTIFY hindsight_insights`
/// (payload = domain). Requests read it synchronously under a lock (no suspension per request) and never
/// wait for PostgreSQL: when a load fails the cache keeps what it has and says
/// ``RPCDatabaseState/unavailable`` until a load succeeds again.
public final class InsightsCache: Sendable {
    struct State {
        var domains: [String: DomainKnowledge] = [:]
        var database: RPCDatabaseState = .unavailable
        var lastFullLoad: ContinuousClock.Instant?
    }

    private let state = Mutex(State())
    private let loader: any DomainKnowledgeLoader
    private let metrics: AdapterMetrics
    private let health: HealthState?
    private let logger: Logger

    /// Health component reported: `starting` until the first full load, then `up`, or `degraded` while
    /// loads fail (still ready: the cache answers).
    public static let healthComponent = "insights"

    /// Creates an empty cache; call ``reloadAll()`` (or ``run(listeningOn:interval:)``) to fill it.
    public init(loader: any DomainKnowledgeLoader, metrics: AdapterMetrics = AdapterMetrics(), health: HealthState? = nil, logger: Logger) {
        self.loader = loader
        self.metrics = metrics
        self.health = health
        self.logger = logger
        health?.set(Self.healthComponent, .starting)
    }

    /// What is known about `domain` (`nil` without history) and whether the database answered the last load.
    public func knowledge(for domain: String) -> (DomainKnowledge?, RPCDatabaseState) {
        state.withLock { ($0.domains[domain], $0.database) }
    }

    /// Whether a full load ever succeeded.
    public var hasLoaded: Bool { state.withLock { $0.lastFullLoad != nil } }

    /// Whether the last load succeeded.
    public var database: RPCDatabaseState { state.withLock { $0.database } }

    /// Domains cached.
    public var domainCount: Int { state.withLock { $0.domains.count } }

    /// Replaces the cache with every domain's knowledge; on failure keeps it and marks the database unavailable.
    ///
    /// - Returns: whether the load succeeded.
    @discardableResult
    public func reloadAll() async -> Bool {
        do {
            let all = try await loader.loadAll()
            let count = state.withLock { state in
                state.domains = Dictionary(all.map { ($0.domain, $0) }, uniquingKeysWith: { _, last in last })
                state.database = .available
                state.lastFullLoad = .now
                return state.domains.count
            }
            metrics.cachedDomains.record(count)
            metrics.cacheAge.record(0)
            health?.set(Self.healthComponent, .up)
            return true
        } catch {
            failed(kind: "full", error)
            return false
        }
    }

    /// Reloads one domain (after a notification); on failure keeps the cached one.
    public func reload(domain: String) async {
        do {
            let knowledge = try await loader.load(domain: domain)
            let count = state.withLock { state in
                state.domains[domain] = knowledge
                state.database = .available
                return state.domains.count
            }
            metrics.cachedDomains.record(count)
            if hasLoaded { health?.set(Self.healthComponent, .up) }
        } catch {
            failed(kind: "domain", error)
        }
    }

    private func failed(kind: String, _ error: any Error) {
        let loaded = state.withLock { state in
            state.database = .unavailable
            return state.lastFullLoad != nil
        }
        metrics.refreshFailures(kind: kind).increment()
        if loaded { health?.set(Self.healthComponent, .degraded) }
        logger.warning("adapter.insights.load_failed", metadata: [
            "insights.load": "\(kind)", "error.message": "\(String(describing: error))",
            "adapter.serving": "\(loaded ? "cached insights" : "no insights yet")",
        ])
    }

    /// Keeps the cache fresh until cancelled: a full load now and every `interval` (retrying sooner, every
    /// 2 s, until the first one succeeds), and — with a client — one domain again on each
    /// `NOTIFY hindsight_insights`; after the listening connection was lost and is back, a full load
    /// (notifications sent meanwhile are lost).
    public func run(listeningOn client: PostgresClient?, interval: Duration) async {
        await withDiscardingTaskGroup { group in
            if let client {
                group.addTask { await self.listen(client) }
            }
            let clock = ContinuousClock()
            while !Task.isCancelled {
                let ok = await reloadAll()
                let wait: Duration = ok || hasLoaded ? interval : .seconds(2)
                let next = clock.now.advanced(by: wait)
                while clock.now < next, !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(1))
                    if let last = state.withLock({ $0.lastFullLoad }) {
                        metrics.cacheAge.record(Int((clock.now - last).components.seconds))
                    }
                }
            }
            group.cancelAll()
        }
    }

    private func listen(_ client: PostgresClient) async {
        var first = true
        while !Task.isCancelled {
            do {
                let reloadFirst = !first
                try await client.withConnection { connection in
                    try await connection.listen(on: Self.channel) { notifications in
                        if reloadFirst { await self.reloadAll() }
                        for try await notification in notifications {
                            await self.reload(domain: notification.payload)
                        }
                    }
                }
            } catch {
                if Task.isCancelled { return }
                logger.debug("adapter.insights.listen_failed", metadata: ["error.message": "\(String(describing: error))"])
            }
            first = false
            try? await Task.sleep(for: .seconds(2))
        }
    }

    /// The channel the analyzer notifies after committing a domain's insights.
    public static let channel = AnalysisLedger.channel
}
