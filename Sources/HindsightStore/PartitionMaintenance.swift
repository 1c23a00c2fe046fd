public import Foundation
public import Logging
public import PostgresNIO

/// Creates the daily partitions of `hindsight.events` ahead of time and drops old ones (retention).
///
/// Partitions are named `events_YYYYMMDD` and hold one UTC day each. Creation goes through the
/// SECURITY DEFINER function `hindsight.ensure_event_partitions`, so the tracker role may call
/// ``ensurePartitions(daysAhead:daysBehind:now:)``; dropping goes through
/// `hindsight.drop_event_partitions`, which the owner and the analyzer (retention) may execute.
///
/// Call ``ensurePartitions(daysAhead:daysBehind:now:)`` outside ingestion transactions (creating a
/// partition locks `hindsight.events` until its transaction ends): at start-up and, say, hourly.
public struct PartitionMaintenance: Sendable {
    /// A daily partition of `hindsight.events`.
    public struct Partition: Sendable, Hashable, Codable {
        /// Table name, `events_YYYYMMDD`.
        public var name: String
        /// The UTC day it holds, `YYYY-MM-DD`.
        public var day: String
    }

    /// The default retention of raw events, in days: the seed's `cleanup_old_data(days=30)`.
    public static let defaultRetentionDays = 30

    private let client: PostgresClient
    private let logger: Logger

    /// Creates the maintenance API over a running client.
    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Makes sure a partition exists for every UTC day from `now - daysBehind` to `now + daysAhead`.
    ///
    /// Idempotent and safe to run from several processes at once.
    ///
    /// - Parameters:
    ///   - daysAhead: Days after today to cover. Defaults to `7`.
    ///   - daysBehind: Days before today to cover. Defaults to `1`.
    ///   - now: The reference time. Defaults to the current time.
    /// - Returns: How many partitions were created.
    @discardableResult
    public func ensurePartitions(daysAhead: Int = 7, daysBehind: Int = 1, now: Date = Date()) async throws -> Int {
        let rows = try await client.query(Self.ensureQuery(daysAhead: daysAhead, daysBehind: daysBehind, now: now), logger: logger)
        return try await Self.created(rows, logger: logger)
    }

    /// Makes sure partitions exist for every UTC day that the given instants fall on, and the days
    /// between them (for example the range of timestamps in an incoming batch).
    ///
    /// - Returns: How many partitions were created.
    @discardableResult
    public func ensurePartitions(covering first: Date, _ last: Date) async throws -> Int {
        let rows = try await client.query("""
            SELECT hindsight.ensure_event_partitions(
                (\(min(first, last))::timestamptz AT TIME ZONE 'UTC')::date,
                (\(max(first, last))::timestamptz AT TIME ZONE 'UTC')::date)
            """, logger: logger)
        var created = 0
        for try await count in rows.decode(Int.self) { created = count }
        return created
    }

    /// The existing daily partitions, oldest first.
    public func partitions() async throws -> [Partition] {
        let rows = try await client.query("""
            SELECT c.relname::text, to_char(to_date(substr(c.relname, 8), 'YYYYMMDD'), 'YYYY-MM-DD')
            FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = 'hindsight.events'::regclass AND c.relname ~ '^events_[0-9]{8}$'
            ORDER BY c.relname
            """, logger: logger)
        var result: [Partition] = []
        for try await (name, day) in rows.decode((String, String).self) { result.append(Partition(name: name, day: day)) }
        return result
    }

    /// Retention: drops the partitions of UTC days before `now - retentionDays`.
    ///
    /// A partition is dropped only when its whole day is older than the retention, so events between
    /// `retentionDays` and `retentionDays + 1` days old may remain until the next run. Consolidated
    /// rows (`executions`, `phases`, `tool_usage`) and the rollups are kept: they are the learning
    /// history and are small (``RetentionRunner`` deletes consolidated rows on a second, longer window).
    ///
    /// - Parameters:
    ///   - retentionDays: Keep this many days. Defaults to ``defaultRetentionDays``.
    ///   - now: The reference time. Defaults to the current time.
    /// - Returns: The names of the dropped partitions, oldest first.
    @discardableResult
    public func dropPartitions(olderThanDays retentionDays: Int = PartitionMaintenance.defaultRetentionDays, now: Date = Date()) async throws -> [String] {
        let rows = try await client.query(Self.dropQuery(olderThanDays: retentionDays, now: now), logger: logger)
        return try await Self.dropped(rows, logger: logger)
    }
}

// The same two operations on a given connection: the retention pass runs them on the connection that
// holds its session advisory lock (RetentionRunner), so one replica does the whole pass.
extension PartitionMaintenance {
    /// ``ensurePartitions(daysAhead:daysBehind:now:)`` on `connection` (its own statement, so its own
    /// short transaction unless the caller opened one).
    @discardableResult
    public static func ensurePartitions(
        daysAhead: Int, daysBehind: Int, now: Date, on connection: PostgresConnection, logger: Logger
    ) async throws -> Int {
        let rows = try await connection.query(ensureQuery(daysAhead: daysAhead, daysBehind: daysBehind, now: now), logger: logger)
        return try await created(rows, logger: logger)
    }

    /// ``dropPartitions(olderThanDays:now:)`` on `connection`.
    @discardableResult
    public static func dropPartitions(
        olderThanDays retentionDays: Int, now: Date, on connection: PostgresConnection, logger: Logger
    ) async throws -> [String] {
        let rows = try await connection.query(dropQuery(olderThanDays: retentionDays, now: now), logger: logger)
        return try await dropped(rows, logger: logger)
    }

    private static func ensureQuery(daysAhead: Int, daysBehind: Int, now: Date) -> PostgresQuery {
        """
        SELECT hindsight.ensure_event_partitions(
            (\(now)::timestamptz AT TIME ZONE 'UTC')::date - \(daysBehind)::int,
            (\(now)::timestamptz AT TIME ZONE 'UTC')::date + \(daysAhead)::int)
        """
    }

    private static func dropQuery(olderThanDays retentionDays: Int, now: Date) -> PostgresQuery {
        """
        SELECT hindsight.drop_event_partitions(
            (\(now)::timestamptz AT TIME ZONE 'UTC')::date - \(retentionDays)::int)
        """
    }

    private static func created(_ rows: PostgresRowSequence, logger: Logger) async throws -> Int {
        var created = 0
        for try await count in rows.decode(Int.self) { created = count }
        if created > 0 {
            logger.info("store.partitions.created", metadata: ["partitions.created": "\(created)"])
        }
        return created
    }

    private static func dropped(_ rows: PostgresRowSequence, logger: Logger) async throws -> [String] {
        var dropped: [String] = []
        for try await name in rows.decode(String.self) { dropped.append(name) }
        if !dropped.isEmpty {
            logger.info("store.partitions.dropped", metadata: ["partitions.dropped": "\(dropped.joined(separator: ","))"])
        }
        return dropped
    }
}
