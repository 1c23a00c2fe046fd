import Foundation
import Glibc
import HindsightStore
import HindsightTesting
import HindsightWorkers
import Logging
import PostgresNIO
import Testing

/// Several analyzers on one database: they split the due domains, each changed domain is analysed once
/// per round, and an analyzer killed mid-domain leaves the previous insights whole for the next round.
@Suite("Analyzer: replicas", .serialized)
struct AnalyzerReplicaTests {
    typealias S = StoreTestSupport

    static let insightTables = ["insight_domains", "insight_phases", "insight_error_patterns", "insight_phase_order",
                                "insight_recovery"]

    @Test("three analyzers at once: every changed domain is analysed exactly once per round")
    func threeAtOnce() async throws {
        try await S.withMigratedDatabase { url in
            let domains = 12
            try await S.withClient(url) { owner in
                try await ConsolidatedWorkload.load(.init(executions: 2_400, domains: domains), client: owner, logger: S.logger)
            }
            let all = (0..<domains).map(ConsolidatedWorkload.domain)
            let first = try await Self.concurrentRounds(url: url)
            #expect(first.sorted() == all, "round 1 analysed \(first.sorted())")
            #expect(try await Self.rounds(url) == Dictionary(uniqueKeysWithValues: all.map { ($0, 1) }))

            // Late changes to four domains: the next concurrent round analyses those four, once each.
            let changed = [1, 4, 7, 10].map(ConsolidatedWorkload.domain)
            try await S.withClient(url) { owner in
                for domain in changed {
                    try await ConsolidatedWorkload.touch(domain: domain, executions: 5, client: owner, logger: S.logger)
                }
            }
            let second = try await Self.concurrentRounds(url: url)
            #expect(second.sorted() == changed, "round 2 analysed \(second.sorted())")
            let rounds = try await Self.rounds(url)
            for domain in all {
                #expect(rounds[domain] == (changed.contains(domain) ? 2 : 1), "\(domain): \(rounds[domain] ?? 0) analyses")
            }
            #expect(try await Self.dueDomains(url).isEmpty)
            for domain in all { try await Self.expectWhole(domain, url: url) }
        }
    }

    @Test("an analyzer process killed with SIGKILL mid-domain: the previous insights stay whole, the next round completes it")
    func killedMidDomain() async throws {
        let binary = try HindsightBinary.path()
        try await S.withMigratedDatabase { url in
            let domain = ConsolidatedWorkload.domain(2)
            try await S.withClient(url) { owner in
                try await ConsolidatedWorkload.load(.init(executions: 1_200, domains: 4), client: owner, logger: S.logger)
            }
            #expect(try await Self.round(url: url, instance: "first").count == 4)
            let before = try await Self.expectWhole(domain, url: url)
            let roundsBefore = try await Self.rounds(url)[domain]

            try await S.withClient(url) { owner in
                try await ConsolidatedWorkload.touch(domain: domain, executions: 10, client: owner, logger: S.logger)
                // Fold the change now, so the row the child must claim exists and is due.
                _ = try await AnalysisLedger.fold(client: owner, logger: S.logger)
            }
            #expect(try await Self.dueDomains(url) == [domain])

            // Hold a SHARE lock on insight_domains: the child claims the domain, reads and computes, then
            // blocks on its first insight write — inside its transaction, so certainly mid-domain — and is
            // killed there. Its backend then rolls back.
            let environment = ["HINDSIGHT_DATABASE_URL": TrackerFaultTests.urlText(S.url(url, role: "hindsight_analyzer")),
                               "HINDSIGHT_LOG_LEVEL": "warning"]
            let killed = try await S.withClient(url) { owner in
                try await owner.withConnection { blocker in
                    try await blocker.query("BEGIN", logger: S.logger)
                    try await blocker.query("LOCK TABLE hindsight.insight_domains IN SHARE MODE", logger: S.logger)
                    let run = try await ChildProcess.withRunning(binary, ["analyze"], environment: environment) { pid in
                        try await Self.waitUntilBlockedWriting(owner)
                        #expect(try await Self.isClaimed(domain, owner), "the child holds the claim while blocked")
                        _ = Glibc.kill(pid, SIGKILL)
                        return pid
                    }
                    try await blocker.query("ROLLBACK", logger: S.logger)
                    return run.termination
                }
            }
            #expect(killed == .signaled(SIGKILL))

            // The killed backend rolls back and releases the claim; nothing of the new analysis is visible.
            try await S.withClient(url) { owner in
                let deadline = ContinuousClock.now + .seconds(60)
                while try await Self.isClaimed(domain, owner) {
                    #expect(ContinuousClock.now < deadline, "the killed analyzer's claim was never released")
                    if ContinuousClock.now >= deadline { return }
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
            #expect(try await Self.expectWhole(domain, url: url) == before, "the previous insights, all five tables")
            #expect(try await Self.rounds(url)[domain] == roundsBefore)
            #expect(try await Self.dueDomains(url) == [domain], "still due")

            // The next round (another analyzer) completes it.
            #expect(try await Self.round(url: url, instance: "next") == [domain])
            let after = try await Self.expectWhole(domain, url: url)
            #expect(after > before)
            #expect(try await Self.rounds(url)[domain] == (roundsBefore ?? 0) + 1)
            #expect(try await Self.dueDomains(url).isEmpty)
        }
    }

    // MARK: - Helpers

    /// One round of an in-process analyzer (as hindsight_analyzer) on its own client; the domains it analysed.
    static func round(url: DatabaseURL, instance: String) async throws -> [String] {
        try await S.withClient(S.url(url, role: "hindsight_analyzer")) { client in
            var configuration = Analyzer.Configuration()
            configuration.instanceName = instance
            let report = try await Analyzer(configuration: configuration, client: client, logger: S.logger).runRound()
            return report.domains.map(\.domain)
        }
    }

    /// Three analyzers, each on its own client, run a round at the same time; every domain any of them
    /// analysed (a domain analysed twice appears twice).
    static func concurrentRounds(url: DatabaseURL) async throws -> [String] {
        try await withThrowingTaskGroup(of: [String].self) { group in
            for name in ["replica-a", "replica-b", "replica-c"] {
                group.addTask { try await round(url: url, instance: name) }
            }
            var all: [String] = []
            for try await domains in group { all += domains }
            return all
        }
    }

    /// analysis_state.rounds per domain.
    static func rounds(_ url: DatabaseURL) async throws -> [String: Int] {
        try await S.withClient(url) { client in
            var rounds: [String: Int] = [:]
            let rows = try await client.query("SELECT domain, rounds FROM hindsight.analysis_state", logger: S.logger)
            for try await (domain, n) in rows.decode((String, Int64).self) { rounds[domain] = Int(n) }
            return rounds
        }
    }

    /// Domains with changes no committed analysis covers yet (after folding the change log).
    static func dueDomains(_ url: DatabaseURL) async throws -> [String] {
        try await S.withClient(url) { client in
            let rows = try await client.query(
                "SELECT domain FROM hindsight.analysis_state WHERE changes > analyzed_changes ORDER BY domain", logger: S.logger)
            return try await rows.collect().map { try $0.decode(String.self) }
        }
    }

    /// Expects `domain`'s rows in all five insight tables with one and the same computed_at (written by
    /// one analysis); returns it.
    @discardableResult
    static func expectWhole(_ domain: String, url: DatabaseURL) async throws -> Date {
        try await S.withClient(url) { client in
            var stamps: [String: Set<Date>] = [:]
            for table in insightTables {
                // Table names from the fixed list above, hence the reviewed unsafe path for the name only.
                let rows = try await client.query(PostgresQuery(
                    unsafeSQL: "SELECT DISTINCT computed_at FROM hindsight.\(table) WHERE domain = $1",
                    binds: try Self.binds(domain)), logger: S.logger)
                stamps[table] = Set(try await rows.collect().map { try $0.decode(Date.self) })
            }
            let distinct = stamps.values.reduce(into: Set<Date>()) { $0.formUnion($1) }
            #expect(stamps.values.allSatisfy { $0.count == 1 }, "\(domain): rows in every table, one analysis each: \(stamps)")
            #expect(distinct.count == 1, "\(domain): computed_at differs between tables: \(stamps)")
            guard let stamp = distinct.first else { throw HarnessError("\(domain) has no insights") }
            return stamp
        }
    }

    private static func binds(_ value: String) throws -> PostgresBindings {
        var binds = PostgresBindings()
        binds.append(value)
        return binds
    }

    /// Whether another session holds `domain`'s analysis_state row (an analyzer's claim).
    static func isClaimed(_ domain: String, _ client: PostgresClient) async throws -> Bool {
        try await client.withTransaction(logger: S.logger) { connection in
            let rows = try await connection.query(
                "SELECT 1 FROM hindsight.analysis_state WHERE domain = \(domain) FOR UPDATE SKIP LOCKED", logger: S.logger)
            return try await rows.collect().isEmpty
        }
    }

    /// Waits until a session waits for a lock on insight_domains (held in SHARE mode by the test).
    static func waitUntilBlockedWriting(_ client: PostgresClient) async throws {
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline {
            // pg_locks, not pg_stat_activity: the owner may not see other roles' wait events.
            let rows = try await client.query("""
                SELECT count(*) FROM pg_locks
                WHERE NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                  AND relation = 'hindsight.insight_domains'::regclass
                """, logger: S.logger)
            if let n = try await rows.collect().first?.decode(Int64.self), n > 0 { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw HarnessError("the analyzer child never reached its insight writes")
    }
}
