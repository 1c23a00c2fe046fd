public import Foundation
public import HindsightCore
public import Logging
public import PostgresNIO

/// Reads stored executions back as their wire events, for the learning core.
///
/// The analyzer and the demo rebuild ``ExecutionTrace``s from these (see
/// `ExecutionTrace.fromWireEvents(_:)`); analysts usually query the consolidated tables instead.
public struct ExecutionHistory: Sendable {
    private let client: PostgresClient
    private let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// The domains with executions started within the window, most executions first.
    public func domains(since: Date) async throws -> [(domain: String, executions: Int)] {
        let rows = try await client.query(
            """
            SELECT domain, count(*)::int8 FROM hindsight.executions
            WHERE started_at >= \(since) GROUP BY domain ORDER BY 2 DESC, 1
            """, logger: logger)
        var result: [(String, Int)] = []
        for try await (domain, count) in rows.decode((String, Int64).self) { result.append((domain, Int(count))) }
        return result
    }

    /// The events of the `limit` most recent executions of `domain` started within the window, grouped
    /// by execution (newest execution first, events in `seq` order).
    public func recentExecutions(domain: String, since: Date, limit: Int = 1000) async throws -> [[WireEvent]] {
        let rows = try await client.query(
            """
            WITH chosen AS (
                SELECT execution_id, domain, first_event_at, last_event_at, started_at FROM hindsight.executions
                WHERE domain = \(domain) AND started_at >= \(since)
                ORDER BY started_at DESC LIMIT \(limit)
            )
            SELECT e.execution_id, e.event_id, e.seq, (EXTRACT(EPOCH FROM e.ts) * 1000000)::int8, e.type, c.domain,
                   e.phase, e.data::text
            FROM chosen c JOIN hindsight.events e
              ON e.execution_id = c.execution_id AND e.ts BETWEEN c.first_event_at AND c.last_event_at
            ORDER BY c.started_at DESC, e.execution_id, e.seq
            """, logger: logger)
        var executions: [[WireEvent]] = []
        var current: [WireEvent] = []
        let decoder = JSONDecoder()
        for try await (executionID, eventID, seq, micros, type, domain, phase, data) in rows.decode(
            (UUID, UUID, Int32, Int64, String, String, String?, String).self)
        {
            if let last = current.last, last.executionID != executionID {
                executions.append(current)
                current = []
            }
            let payload = (try? decoder.decode(EventPayload.self, from: Data(data.utf8))) ?? EventPayload()
            current.append(WireEvent(
                eventID: eventID, executionID: executionID, seq: Int64(seq), timestampMicros: micros,
                type: EventType(rawValue: type), domain: domain, phase: phase, payload: payload))
        }
        if !current.isEmpty { executions.append(current) }
        return executions
    }
}
