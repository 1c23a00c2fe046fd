public import Foundation
public import Logging
public import PostgresNIO

/// The read side of the store: the seed's `ExecutionDatabase` query surface over PostgreSQL.
///
/// Every query binds its values as parameters and is served by an index (see `docs/sql-schema.md`
/// for each query's plan and latency at 1,000,000 executions):
///
/// | query | index |
/// |---|---|
/// | ``execution(_:)`` | `executions_pkey`, then `events` primary key on the partitions between the execution's first and last event |
/// | ``executions(domain:status:limit:)`` | `executions_domain_started_idx` |
/// | ``recentExecutions(since:until:status:limit:)`` | `executions_started_idx`, or `executions_status_started_idx` with a status |
/// | ``executions(status:limit:)`` | `executions_status_started_idx` |
/// | ``domainStatistics(domain:days:percentiles:method:now:)`` | `domain_daily_stats_pkey` + `executions_domain_started_idx` |
///
/// Lists are newest first (`started_at` descending; executions whose start event has not arrived
/// yet sort last).
public struct ExecutionQueries: Sendable {
    private let client: PostgresClient
    private let logger: Logger

    /// Creates the query surface over a running client (any role with SELECT, e.g. `hindsight_analyst`).
    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// An execution and its events ordered by `(ts, seq)`, or `nil` if no such execution is stored.
    ///
    /// The event query is bounded by the execution's `first_event_at … last_event_at`, so only the
    /// daily partitions that can hold its events are searched.
    public func execution(_ id: UUID) async throws -> ExecutionWithEvents? {
        let rows = try await client.query(
            "SELECT \(unescaped: StoredExecution.columns) FROM hindsight.executions WHERE execution_id = \(id)",
            logger: logger)
        guard let row = try await rows.collect().first else { return nil }
        let execution = try StoredExecution(row: row)
        let eventRows = try await client.query("""
            SELECT event_id, execution_id, seq, ts, type, phase, data::text
            FROM hindsight.events
            WHERE execution_id = \(id) AND ts >= \(execution.firstEventAt) AND ts <= \(execution.lastEventAt)
            ORDER BY ts, seq
            """, logger: logger)
        var events: [StoredEvent] = []
        for try await eventRow in eventRows { events.append(try StoredEvent(row: eventRow)) }
        return ExecutionWithEvents(execution: execution, events: events)
    }

    /// Executions of a domain, newest first (the seed's `query_by_domain`).
    ///
    /// - Parameters:
    ///   - domain: The goal domain.
    ///   - status: Only this status, if given.
    ///   - limit: At most this many rows. Defaults to `100`.
    public func executions(domain: String, status: String? = nil, limit: Int = 100) async throws -> [StoredExecution] {
        let query: PostgresQuery
        if let status {
            query = """
                SELECT \(unescaped: StoredExecution.columns) FROM hindsight.executions
                WHERE domain = \(domain) AND status = \(status)
                ORDER BY started_at DESC NULLS LAST LIMIT \(limit)
                """
        } else {
            query = """
                SELECT \(unescaped: StoredExecution.columns) FROM hindsight.executions
                WHERE domain = \(domain)
                ORDER BY started_at DESC NULLS LAST LIMIT \(limit)
                """
        }
        return try await fetch(query)
    }

    /// Executions started in a time range, newest first (the seed's `query_recent`).
    ///
    /// - Parameters:
    ///   - since: Started at or after this instant.
    ///   - until: Started before this instant, if given.
    ///   - status: Only this status, if given.
    ///   - limit: At most this many rows. Defaults to `100`.
    public func recentExecutions(since: Date, until: Date? = nil, status: String? = nil, limit: Int = 100) async throws -> [StoredExecution] {
        // `until` defaults to far in the future so one statement shape serves both cases.
        let until = until ?? Date.distantFuture
        let query: PostgresQuery
        if let status {
            query = """
                SELECT \(unescaped: StoredExecution.columns) FROM hindsight.executions
                WHERE status = \(status) AND started_at >= \(since) AND started_at < \(until)
                ORDER BY started_at DESC LIMIT \(limit)
                """
        } else {
            query = """
                SELECT \(unescaped: StoredExecution.columns) FROM hindsight.executions
                WHERE started_at >= \(since) AND started_at < \(until)
                ORDER BY started_at DESC LIMIT \(limit)
                """
        }
        return try await fetch(query)
    }

    /// Executions started in the last `days` days, newest first (the seed's `query_recent(days:)`).
    ///
    /// - Parameters:
    ///   - days: Window length in days. Defaults to `7`.
    ///   - status: Only this status, if given.
    ///   - limit: At most this many rows. Defaults to `100`.
    ///   - now: The end of the window. Defaults to the current time.
    public func recentExecutions(days: Int = 7, status: String? = nil, limit: Int = 100, now: Date = Date()) async throws -> [StoredExecution] {
        try await recentExecutions(since: now.addingTimeInterval(-Double(days) * 86_400), status: status, limit: limit)
    }

    /// Executions with a status, newest first.
    ///
    /// - Parameters:
    ///   - status: `running`, `completed`, `failed` or `recovered`.
    ///   - limit: At most this many rows. Defaults to `100`.
    public func executions(status: String, limit: Int = 100) async throws -> [StoredExecution] {
        try await fetch("""
            SELECT \(unescaped: StoredExecution.columns) FROM hindsight.executions
            WHERE status = \(status)
            ORDER BY started_at DESC NULLS LAST LIMIT \(limit)
            """)
    }

    /// How many executions there are per status.
    public func statusCounts() async throws -> [String: Int] {
        let rows = try await client.query(
            "SELECT status, count(*)::int8 FROM hindsight.executions GROUP BY status", logger: logger)
        var counts: [String: Int] = [:]
        for try await (status, count) in rows.decode((String, Int).self) { counts[status] = count }
        return counts
    }

    func fetch(_ query: PostgresQuery) async throws -> [StoredExecution] {
        let rows = try await client.query(query, logger: logger)
        var result: [StoredExecution] = []
        for try await row in rows { result.append(try StoredExecution(row: row)) }
        return result
    }

    var postgres: PostgresClient { client }
    var queryLogger: Logger { logger }
}
