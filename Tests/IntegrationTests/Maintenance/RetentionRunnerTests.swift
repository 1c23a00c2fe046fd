import Foundation
import HindsightCore
import HindsightStore
import HindsightTesting
import PostgresNIO
import Synchronization
import Testing

/// Retention against a real database, run as the analyzer's role (`hindsight_analyzer`), which is how
/// the analyzer and `hindsight retention` run it.
@Suite("Maintenance: retention", .serialized)
struct RetentionRunnerTests {
    typealias S = StoreTestSupport
    typealias F = MaintenanceFixtures

    static func analyzer(_ url: DatabaseURL) -> DatabaseURL { S.url(url, role: "hindsight_analyzer") }

    @Test("a pass drops exactly the raw partitions older than the window, nothing newer, and creates partitions ahead")
    func dropsOnlyOldPartitions() async throws {
        try await S.withMigratedDatabase { url in
            let now = Date()
            try await S.withClient(url) { owner in
                // Partitions for today-40 … today-25, one event in each.
                try await owner.query("""
                    SELECT hindsight.ensure_event_partitions(
                        (\(now)::timestamptz AT TIME ZONE 'UTC')::date - 40, (\(now)::timestamptz AT TIME ZONE 'UTC')::date - 25)
                    """, logger: S.logger)
                for offset in 25...40 {
                    let noon = F.dayStartMicros(now) - Int64(offset) * F.microsPerDay + F.microsPerDay / 2
                    try await owner.query("""
                        INSERT INTO hindsight.events (event_id, execution_id, seq, ts, type)
                        VALUES (\(UUID()), \(UUID()), 0, TIMESTAMPTZ 'epoch' + \(noon) * INTERVAL '1 microsecond', 'tool_used')
                        """, logger: S.logger)
                }
            }
            var configuration = RetentionRunner.Configuration()
            configuration.partitionsAhead = 10
            let report = try await S.withClient(Self.analyzer(url)) { client in
                try await RetentionRunner(configuration: configuration, client: client, logger: S.logger).runPass(now: now)
            }
            // The window keeps today-30 (whole days only); today-31 … today-40 go.
            let expected = (31...40).reversed().map { "events_" + F.compactDay(now, plus: -$0) }
            #expect(report.partitionsDropped == expected)
            #expect(!report.skipped)
            #expect(report.executionsDeleted == 0 && report.batches == 1)
            try await S.withClient(url) { owner in
                let left = try await PartitionMaintenance(client: owner, logger: S.logger).partitions().map(\.name)
                for offset in 25...30 { #expect(left.contains("events_" + F.compactDay(now, plus: -offset))) }
                for offset in 0...10 { #expect(left.contains("events_" + F.compactDay(now, plus: offset)), "ahead +\(offset)") }
                #expect(try await F.integer(owner, "SELECT count(*)::int8 FROM hindsight.events") == 6)
            }
            // The migration created today … today+7; the pass adds +8 … +10 (unless the day turned meanwhile).
            #expect(report.partitionsCreated == 3 || F.compactDay(Date(), plus: 0) != F.compactDay(now, plus: 0))

            // A second pass finds nothing to do.
            let again = try await S.withClient(Self.analyzer(url)) { client in
                try await RetentionRunner(configuration: configuration, client: client, logger: S.logger).runPass(now: now)
            }
            #expect(again.partitionsDropped.isEmpty && again.partitionsCreated == 0 && again.executionsDeleted == 0)
        }
    }

    @Test("a pass is skipped while another session holds the retention lock, and runs once it is released")
    func oneReplicaAtATime() async throws {
        try await S.withMigratedDatabase { url in
            try await S.withClient(url) { owner in
                try await owner.withConnection { holder in
                    try await holder.query(
                        "SELECT pg_advisory_lock(hashtext(\(RetentionRunner.advisoryLockKey)))", logger: S.logger)
                    let skipped = try await S.withClient(Self.analyzer(url)) { client in
                        try await RetentionRunner(configuration: .init(), client: client, logger: S.logger).runPass()
                    }
                    #expect(skipped.skipped && skipped.batches == 0 && skipped.partitionsDropped.isEmpty)
                    try await holder.query(
                        "SELECT pg_advisory_unlock(hashtext(\(RetentionRunner.advisoryLockKey)))", logger: S.logger)
                }
                let ran = try await S.withClient(Self.analyzer(url)) { client in
                    try await RetentionRunner(configuration: .init(), client: client, logger: S.logger).runPass()
                }
                #expect(!ran.skipped && ran.batches == 1)
                // The pass released its session lock: nobody holds it now.
                #expect(try await F.integer(owner, """
                    SELECT count(*)::int8 FROM pg_locks WHERE locktype = 'advisory'
                    """) == 0)
            }
        }
    }

    @Test("old executions are deleted in batches with their phases, tools, errors and recoveries; the rollups stay unchanged")
    func batchedDeleteKeepsRollups() async throws {
        try await S.withMigratedDatabase { url in
            let now = Date()
            let nowMicros = Int64(now.timeIntervalSince1970 * 1_000_000)
            try await S.withClient(url) { owner in
                let writer = ConsolidationWriter(client: owner, logger: S.logger)
                // 2,500 executions 400 days ago (over about 7 hours), 40 from the last two hours.
                try await F.store(2500, startingAt: nowMicros - 400 * F.microsPerDay, spacingMicros: 10_000_000, seed: 11, with: writer)
                try await F.store(40, startingAt: nowMicros - 7_200_000_000, spacingMicros: 60_000_000, seed: 12, with: writer)
                try await F.foldDirtyDays(owner)
                _ = try await F.refreshAll(owner, oldestDay: now.addingTimeInterval(-1000 * 86_400))
                #expect(try await F.integer(owner, "SELECT count(*)::int8 FROM hindsight.phase_daily_stats") > 0)
            }
            let before = try await S.withClient(url) { try await F.rollupSnapshot($0) }

            var configuration = RetentionRunner.Configuration()
            configuration.batchPause = .milliseconds(10)
            let report = try await S.withClient(Self.analyzer(url)) { client in
                try await RetentionRunner(configuration: configuration, client: client, logger: S.logger).runPass(now: now)
            }
            #expect(report.executionsDeleted == 2500)
            #expect(report.batches == 3, "1000 + 1000 + 500")
            #expect(report.partitionsDropped.count >= 1, "the raw events of 400 days ago went with their partitions")

            try await S.withClient(url) { owner in
                #expect(try await F.integer(owner, "SELECT count(*)::int8 FROM hindsight.executions") == 40)
                for table in ["phases", "tool_usage", "errors", "recovery_attempts"] {
                    let orphans = try await F.integer(owner, PostgresQuery(unsafeSQL: """
                        SELECT count(*)::int8 FROM hindsight.\(table) t
                        WHERE NOT EXISTS (SELECT FROM hindsight.executions x WHERE x.execution_id = t.execution_id)
                        """))
                    #expect(orphans == 0, "\(table) rows of deleted executions")
                }
                #expect(try await F.rollupSnapshot(owner) == before)

                // Those days are marked dirty again (a late event, say): a refresh with the retention's
                // oldest day forgets them without recomputing, so the rollup keeps its counts.
                try await owner.query("""
                    INSERT INTO hindsight.rollup_dirty_days (domain, day)
                    SELECT domain, day FROM hindsight.domain_daily_stats
                    WHERE day < (\(now)::timestamptz AT TIME ZONE 'UTC')::date - 300
                    """, logger: S.logger)
                let refreshes = try await F.refreshAll(owner, oldestDay: DailyRollups.oldestDay(retainedDays: 365, now: now))
                #expect(refreshes.allSatisfy { $0.phaseRows == 0 } && refreshes.map(\.days).reduce(0, +) > 0)
                #expect(try await F.integer(owner, "SELECT count(*)::int8 FROM hindsight.rollup_dirty_days") == 0)
                #expect(try await F.rollupSnapshot(owner) == before)
            }
        }
    }

    @Test("while old executions are deleted, concurrent ingestion through the tracker's writer waits less than a second")
    func ingestionIsNotBlocked() async throws {
        try await S.withMigratedDatabase { url in
            let now = Date()
            try await S.withClient(url) { owner in
                // 20,000 executions of 400 days ago with six phases and two tools each, generated in SQL
                // (the tracker's path is not what this test is about).
                try await owner.query("""
                    INSERT INTO hindsight.executions (execution_id, domain, status, status_seq, started_at, ended_at,
                                                      first_event_at, last_event_at)
                    SELECT gen_random_uuid(), 'old-' || (i % 5), 'completed', 99, t, t + interval '5 minutes', t, t + interval '5 minutes'
                    FROM generate_series(1, 20000) AS i,
                         LATERAL (SELECT \(now)::timestamptz - interval '400 days' + i * interval '1 second' AS t) AS s
                    """, logger: S.logger)
                try await owner.query("""
                    INSERT INTO hindsight.phases (execution_id, phase, started_at, ended_at, success)
                    SELECT x.execution_id, 'phase-' || k, x.started_at, x.ended_at, true
                    FROM hindsight.executions x, generate_series(1, 6) AS k
                    """, logger: S.logger)
                try await owner.query("""
                    INSERT INTO hindsight.tool_usage (execution_id, tool, calls, total_ms)
                    SELECT x.execution_id, 'tool-' || k, 3, 120 FROM hindsight.executions x, generate_series(1, 2) AS k
                    """, logger: S.logger)
            }
            var configuration = RetentionRunner.Configuration()
            configuration.batchSize = 1000
            let done = StopFlag()
            let (report, writes) = try await S.withClient(S.url(url, role: "hindsight_tracker")) { tracker in
                let writer = ConsolidationWriter(client: tracker, logger: S.logger)
                var warmUp = FleetSimulator(seed: 1)
                try await writer.write(warmUp.execution(startingAt: WireFormat.currentMicros()))  // partitions, warm pool
                return try await S.withClient(Self.analyzer(url)) { analyzer in
                    async let latencies: [Duration] = {
                        var simulator = FleetSimulator(seed: 21)
                        var latencies: [Duration] = []
                        while !done.isSet {
                            let events = (0..<5).flatMap { _ in simulator.execution(startingAt: WireFormat.currentMicros() - 600_000_000) }
                            let start = ContinuousClock.now
                            try await writer.write(events)
                            latencies.append(ContinuousClock.now - start)
                        }
                        return latencies
                    }()
                    let report: RetentionRunner.Report
                    do {
                        report = try await RetentionRunner(configuration: configuration, client: analyzer, logger: S.logger).runPass(now: now)
                    } catch {
                        done.set()
                        _ = try? await latencies
                        throw error
                    }
                    done.set()
                    return (report, try await latencies)
                }
            }
            let longest = writes.max() ?? .zero
            print("retention under ingestion: \(report.executionsDeleted) executions deleted in \(report.batches) batches "
                + "(longest batch \(report.longestBatchMilliseconds) ms, pass \(report.totalMilliseconds) ms); "
                + "\(writes.count) concurrent writes, longest \(longest)")
            #expect(report.executionsDeleted == 20_000 && report.batches == 21)
            #expect(writes.count >= 2, "the writer ran during the pass")
            // The bound: ingestion never waits a second on retention (a lock-wait bound, not a benchmark).
            #expect(longest < .seconds(1))
            try await F.waitForOtherRolesToDisconnect(url)
        }
    }

    @Test("configurations out of range are refused")
    func validation() {
        var configuration = RetentionRunner.Configuration()
        #expect(throws: Never.self) { try configuration.validate() }
        configuration.rawDays = 0
        #expect(throws: RetentionRunner.InvalidConfiguration.self) { try configuration.validate() }
        configuration.rawDays = 30
        configuration.executionDays = 29
        #expect(throws: RetentionRunner.InvalidConfiguration.self) { try configuration.validate() }
        configuration.executionDays = 30
        #expect(throws: Never.self) { try configuration.validate() }
        configuration.batchSize = 0
        #expect(throws: RetentionRunner.InvalidConfiguration.self) { try configuration.validate() }
        configuration.batchSize = 100_001
        #expect(throws: RetentionRunner.InvalidConfiguration.self) { try configuration.validate() }
        configuration.batchSize = 100_000
        #expect(throws: Never.self) { try configuration.validate() }
    }
}

/// A flag one task sets and another polls.
private final class StopFlag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .acquiring) }
    func set() { value.store(true, ordering: .releasing) }
}
