public import Foundation
public import Logging
public import PostgresNIO

/// Keeps the daily rollups `phase_daily_stats` and `domain_daily_durations` up to date.
///
/// The tracker's transaction logs which (domain, UTC day) pairs it touched; the analyzer folds that log
/// into `hindsight.rollup_dirty_days`. When the analyzer has claimed a domain, it calls
/// ``refresh(domain:oldestDay:on:logger:)`` on the claim's connection, inside the claim transaction: the
/// dirty days are taken, recomputed from `executions` and `phases` with
/// `hindsight.refresh_daily_rollups`, and forgotten, all or nothing with the domain's insights.
///
/// `domain_daily_stats` is not refreshed here: the trigger on `executions` maintains it row by row.
public enum DailyRollups {
    /// What one refresh did.
    public struct Refresh: Sendable, Equatable {
        /// Dirty days taken from `rollup_dirty_days` (recomputed unless older than the oldest day).
        public var days: Int
        /// `phase_daily_stats` rows written.
        public var phaseRows: Int

        public init(days: Int, phaseRows: Int) {
            self.days = days
            self.phaseRows = phaseRows
        }
    }

    /// Recomputes the rollups of `domain` for its dirty days and deletes those dirty rows.
    ///
    /// Days before `oldestDay` are dropped from the dirty list without being recomputed: retention may
    /// already have deleted part of their executions, and recomputing would shrink the rollup that is
    /// meant to outlive them.
    ///
    /// - Parameters:
    ///   - domain: The domain the caller has claimed.
    ///   - oldestDay: An instant whose UTC day is the oldest one still complete in `executions`; use
    ///     ``oldestDay(retainedDays:now:)``.
    ///   - connection: The connection of the caller's transaction (the domain's claim).
    /// - Returns: The days taken and the phase rows written.
    @discardableResult
    public static func refresh(
        domain: String, oldestDay: Date, on connection: PostgresConnection, logger: Logger
    ) async throws -> Refresh {
        // The dirty rows are taken before the recomputation reads executions (the function's
        // statements take their own snapshots): whatever was folded into them is committed and read;
        // a commit folded later adds its row again and the next round recomputes that day once more.
        let taken = try await connection.query("""
            WITH taken AS (
                DELETE FROM hindsight.rollup_dirty_days WHERE domain = \(domain) RETURNING day)
            SELECT count(*)::int8,
                   CASE WHEN count(*) = 0 THEN 0
                        ELSE hindsight.refresh_daily_rollups(
                            \(domain), array_agg(day ORDER BY day),
                            (\(oldestDay)::timestamptz AT TIME ZONE 'UTC')::date)
                   END::int8
            FROM taken
            """, logger: logger)
        var result = Refresh(days: 0, phaseRows: 0)
        for try await (days, rows) in taken.decode((Int, Int).self) {
            result = Refresh(days: days, phaseRows: rows)
        }
        return result
    }

    /// The oldest UTC day whose executions are all still stored when consolidated rows are kept for
    /// `retainedDays` days: retention deletes executions started before `now - retainedDays`, an
    /// instant inside the UTC day `today - retainedDays`, so that day may be partly deleted and the
    /// first complete day is the one after it.
    ///
    /// - Parameters:
    ///   - retainedDays: The consolidated window (``RetentionRunner/Configuration/executionDays``).
    ///   - now: The reference time.
    /// - Returns: An instant on that UTC day (pass it to ``refresh(domain:oldestDay:on:logger:)``).
    public static func oldestDay(retainedDays: Int, now: Date = Date()) -> Date {
        now.addingTimeInterval(-Double(retainedDays - 1) * 86_400)
    }
}
