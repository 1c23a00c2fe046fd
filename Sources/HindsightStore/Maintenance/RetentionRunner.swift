public import Foundation
public import Logging
public import PostgresNIO

/// One retention pass: event partitions created ahead, raw partitions past the raw window dropped,
/// consolidated executions past the consolidated window deleted in short batches.
///
/// Only one replica runs a pass at a time: the pass takes the session advisory lock
/// ``advisoryLockKey`` with `pg_try_advisory_lock` on a connection of its own and skips the pass
/// (``Report/skipped``) when another session holds it. Every step is its own short transaction on that
/// connection; the batched delete (`hindsight.delete_old_executions`, `FOR UPDATE SKIP LOCKED`, rollup
/// triggers bypassed) locks at most one batch of executions at a time, so the tracker's writes wait
/// for one batch at most. The daily rollups are kept.
///
/// Needs a role allowed to execute the three retention functions: the analyzer's
/// (`hindsight_analyzer`) or the owner.
public struct RetentionRunner: Sendable {
    /// Windows, batch size and schedule.
    public struct Configuration: Sendable, Equatable, CustomStringConvertible {
        /// Days of raw events kept (whole UTC days; a partition goes when its day is older). Defaults to `30`.
        public var rawDays: Int = 30
        /// Days of consolidated rows (executions, phases, tool usage, errors, recovery attempts) kept.
        /// Defaults to `365`.
        public var executionDays: Int = 365
        /// Executions deleted per transaction. Defaults to `1000`.
        public var batchSize: Int = 1000
        /// Pause between two delete batches, leaving room to the tracker. Defaults to `50 ms`.
        public var batchPause: Duration = .milliseconds(50)
        /// Days of event partitions created ahead of today. Defaults to `7`.
        public var partitionsAhead: Int = 7
        /// Time between two passes (the analyzer's schedule). Defaults to `3600 s`.
        public var interval: Duration = .seconds(3600)

        /// The limits ``validate()`` enforces.
        public static let rawDaysRange = 1...36_500
        public static let batchSizeRange = 1...100_000
        public static let partitionsAheadRange = 0...366

        public init() {}

        /// Checks the values against each other and their ranges.
        ///
        /// - Throws: ``InvalidConfiguration`` naming the first bad setting.
        public func validate() throws(InvalidConfiguration) {
            guard Self.rawDaysRange.contains(rawDays) else {
                throw InvalidConfiguration("raw window must be \(Self.rawDaysRange.lowerBound)…\(Self.rawDaysRange.upperBound) days (got \(rawDays))")
            }
            guard executionDays >= rawDays, executionDays <= Self.rawDaysRange.upperBound else {
                throw InvalidConfiguration("executions window must be at least the raw window (\(rawDays) days) and at most \(Self.rawDaysRange.upperBound) days (got \(executionDays))")
            }
            guard Self.batchSizeRange.contains(batchSize) else {
                throw InvalidConfiguration("batch size must be \(Self.batchSizeRange.lowerBound)…\(Self.batchSizeRange.upperBound) (got \(batchSize))")
            }
            guard Self.partitionsAheadRange.contains(partitionsAhead) else {
                throw InvalidConfiguration("partitions ahead must be \(Self.partitionsAheadRange.lowerBound)…\(Self.partitionsAheadRange.upperBound) days (got \(partitionsAhead))")
            }
            guard batchPause >= .zero, interval > .zero else {
                throw InvalidConfiguration("batch pause must not be negative and the interval must be positive")
            }
        }

        public var description: String {
            "raw_days=\(rawDays) execution_days=\(executionDays) batch_size=\(batchSize) batch_pause=\(batchPause) "
                + "partitions_ahead=\(partitionsAhead) interval=\(interval)"
        }
    }

    /// A configuration that does not make sense (a window or batch size out of range).
    public struct InvalidConfiguration: Error, CustomStringConvertible, Sendable, Equatable {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    /// What one pass did.
    public struct Report: Sendable, Equatable, Codable {
        /// True when another session held the retention lock and this pass did nothing.
        public var skipped: Bool = false
        /// Event partitions created ahead.
        public var partitionsCreated: Int = 0
        /// Event partitions dropped, oldest first.
        public var partitionsDropped: [String] = []
        /// Executions deleted (with their phases, tool usage, errors and recovery attempts).
        public var executionsDeleted: Int = 0
        /// Delete batches run (the last one deleted fewer than the batch size).
        public var batches: Int = 0
        /// The longest delete batch (one transaction), in milliseconds.
        public var longestBatchMilliseconds: Double = 0
        /// The whole pass, in milliseconds.
        public var totalMilliseconds: Double = 0

        public init() {}
    }

    /// The key of the session advisory lock that makes one replica run the pass
    /// (`hashtext('hindsight.retention')`, computed by PostgreSQL).
    public static let advisoryLockKey = "hindsight.retention"

    private let configuration: Configuration
    private let client: PostgresClient
    private let logger: Logger

    /// - Throws: ``InvalidConfiguration`` when `configuration` does not validate.
    public init(configuration: Configuration, client: PostgresClient, logger: Logger) throws(InvalidConfiguration) {
        try configuration.validate()
        self.configuration = configuration
        self.client = client
        self.logger = logger
    }

    /// Runs one pass (see the type's documentation) and reports what it did.
    ///
    /// Cancellation, or `continueWhile` turning false, stops the batched delete between two batches
    /// (the next pass goes on where it stopped); the lock is released either way.
    ///
    /// - Parameters:
    ///   - now: The reference time for both windows. Defaults to the current time.
    ///   - continueWhile: Asked before every batch after the first; a worker passes its graceful
    ///     shutdown check, so a long backlog does not hold up a shutdown. Defaults to always.
    public func runPass(now: Date = Date(), continueWhile: @Sendable () -> Bool = { true }) async throws -> Report {
        let start = ContinuousClock.now
        let configuration = self.configuration
        let logger = self.logger
        var report = try await client.withConnection { connection in
            guard try await Self.tryLock(connection, logger: logger) else {
                var report = Report()
                report.skipped = true
                return report
            }
            do {
                let report = try await Self.pass(configuration, now: now, continueWhile: continueWhile, on: connection, logger: logger)
                try await Self.unlock(connection, logger: logger)
                return report
            } catch {
                // A session lock outlives errors; release it before the connection returns to the pool.
                try? await Self.unlock(connection, logger: logger)
                throw error
            }
        }
        report.totalMilliseconds = Self.milliseconds(ContinuousClock.now - start)
        if report.skipped {
            logger.info("retention.skipped", metadata: ["reason": "another session holds the retention lock"])
        } else {
            logger.info("retention.pass", metadata: [
                "partitions.created": "\(report.partitionsCreated)", "partitions.dropped": "\(report.partitionsDropped.count)",
                "executions.deleted": "\(report.executionsDeleted)", "batches": "\(report.batches)",
                "batch.longest_ms": "\(report.longestBatchMilliseconds)", "total_ms": "\(report.totalMilliseconds)",
            ])
        }
        return report
    }

    private static func pass(
        _ configuration: Configuration, now: Date, continueWhile: () -> Bool, on connection: PostgresConnection, logger: Logger
    ) async throws -> Report {
        var report = Report()
        report.partitionsCreated = try await PartitionMaintenance.ensurePartitions(
            daysAhead: configuration.partitionsAhead, daysBehind: 0, now: now, on: connection, logger: logger)
        report.partitionsDropped = try await PartitionMaintenance.dropPartitions(
            olderThanDays: configuration.rawDays, now: now, on: connection, logger: logger)
        let before = now.addingTimeInterval(-Double(configuration.executionDays) * 86_400)
        let batchSize = configuration.batchSize
        while !Task.isCancelled {
            let started = ContinuousClock.now
            // Autocommit: each call is one short transaction.
            let rows = try await connection.query(
                "SELECT hindsight.delete_old_executions(\(before), \(batchSize)::int)", logger: logger)
            var deleted = 0
            for try await count in rows.decode(Int.self) { deleted = count }
            report.batches += 1
            report.executionsDeleted += deleted
            report.longestBatchMilliseconds = max(report.longestBatchMilliseconds, milliseconds(ContinuousClock.now - started))
            if deleted < batchSize || !continueWhile() { break }
            if configuration.batchPause > .zero {
                try? await Task.sleep(for: configuration.batchPause)
            }
        }
        return report
    }

    private static func tryLock(_ connection: PostgresConnection, logger: Logger) async throws -> Bool {
        let rows = try await connection.query(
            "SELECT pg_try_advisory_lock(hashtext(\(advisoryLockKey)))", logger: logger)
        var locked = false
        for try await value in rows.decode(Bool.self) { locked = value }
        return locked
    }

    private static func unlock(_ connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("SELECT pg_advisory_unlock(hashtext(\(advisoryLockKey)))", logger: logger)
    }

    private static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }
}
