public import Logging
public import PostgresNIO

/// Which domains are due for analysis, and who analyses them (`hindsight.analysis_state`).
///
/// The tracker's transactions append (domain, day) rows to `hindsight.domain_changes` (a statement
/// trigger; append-only, so trackers never wait on each other for it). A round first *folds* that log
/// into `analysis_state.changes` and `rollup_dirty_days` (one replica at a time), then *claims* due
/// domains one by one with `FOR UPDATE SKIP LOCKED`, so replicas split the domains: the claim's row lock
/// lasts for the transaction that analyses the domain, and ``complete(_:analyzedBy:analysisMilliseconds:on:logger:)``
/// records the covered change count and sends `NOTIFY hindsight_insights` in that same transaction.
/// A process killed mid-domain rolls back: no partial insights, and the domain stays due.
public enum AnalysisLedger {
    /// A claimed domain: its row is locked until the claiming transaction ends.
    public struct Claim: Sendable, Equatable {
        /// The domain.
        public var domain: String
        /// `analysis_state.changes` when claimed: what the analysis covers.
        public var changes: Int64
    }

    /// What a fold did.
    public struct Fold: Sendable, Equatable {
        /// Change-log rows moved into `analysis_state`; `nil` when another replica was folding (skipped).
        public var changes: Int?
        /// Domains whose change count grew.
        public var domains: Int
    }

    /// The channel of the notification sent after each domain's insights commit; the payload is the domain.
    public static let channel = "hindsight_insights"

    /// Moves the change log into `analysis_state` and `rollup_dirty_days`, in its own transaction.
    ///
    /// Guarded by a transaction-scoped advisory lock: when another replica holds it, this one skips
    /// (its rows are folded by that replica or by the next round). The upsert touches domains in name
    /// order, and waits while an analyzer holds a claimed domain's row — it never holds anything a
    /// claim waits for, so the two cannot deadlock.
    public static func fold(client: PostgresClient, logger: Logger) async throws -> Fold {
        try await client.withTransaction(logger: logger) { connection in
            let locked = try await connection.query(
                "SELECT pg_try_advisory_xact_lock(hashtext('hindsight.analyzer.fold'))", logger: logger
            ).collect().first?.decode(Bool.self) ?? false
            guard locked else { return Fold(changes: nil, domains: 0) }
            let rows = try await connection.query("""
                WITH moved AS (
                    DELETE FROM hindsight.domain_changes RETURNING domain, day
                ), days AS (
                    INSERT INTO hindsight.rollup_dirty_days (domain, day)
                    SELECT DISTINCT domain, day FROM moved WHERE day IS NOT NULL ORDER BY 1, 2
                    ON CONFLICT DO NOTHING
                ), counted AS (
                    INSERT INTO hindsight.analysis_state AS s (domain, changes)
                    SELECT domain, count(*) FROM moved GROUP BY domain ORDER BY domain
                    ON CONFLICT (domain) DO UPDATE SET changes = s.changes + excluded.changes
                    RETURNING 1
                )
                SELECT (SELECT count(*) FROM moved)::int8, (SELECT count(*) FROM counted)::int8
                """, logger: logger)
            for try await (moved, domains) in rows.decode((Int64, Int64).self) {
                return Fold(changes: Int(moved), domains: Int(domains))
            }
            return Fold(changes: 0, domains: 0)
        }
    }

    /// Claims the first due domain (by name) that no other transaction holds: changes not yet analysed,
    /// or — with `refreshAfterSeconds` — last analysed longer ago than that (the window slides and
    /// stale executions need marking even when nothing changes). Domains in `excluding` are skipped.
    ///
    /// - Returns: The claim, or `nil` when nothing is due.
    public static func claimNext(
        refreshAfterSeconds: Double?, excluding: [String] = [], on connection: PostgresConnection, logger: Logger
    ) async throws -> Claim? {
        let refresh = refreshAfterSeconds ?? -1
        let rows = try await connection.query("""
            SELECT domain, changes FROM hindsight.analysis_state
            WHERE (changes > analyzed_changes
                   OR (\(refresh) > 0 AND analyzed_at < now() - make_interval(secs => \(refresh))))
              AND domain <> ALL (\(excluding))
            ORDER BY domain
            LIMIT 1
            FOR UPDATE SKIP LOCKED
            """, logger: logger)
        for try await (domain, changes) in rows.decode((String, Int64).self) {
            return Claim(domain: domain, changes: changes)
        }
        return nil
    }

    /// Claims `domain` whether or not it is due (`hindsight analyze --domain`), creating its row if
    /// missing; waits while another analyzer holds it.
    public static func claim(domain: String, on connection: PostgresConnection, logger: Logger) async throws -> Claim {
        try await connection.query(
            "INSERT INTO hindsight.analysis_state (domain) VALUES (\(domain)) ON CONFLICT DO NOTHING", logger: logger)
        let rows = try await connection.query(
            "SELECT changes FROM hindsight.analysis_state WHERE domain = \(domain) FOR UPDATE", logger: logger)
        for try await changes in rows.decode(Int64.self) {
            return Claim(domain: domain, changes: changes)
        }
        throw StoreError(.other, "analysis_state row of domain '\(domain)' vanished while claiming it")
    }

    /// Records the claim as analysed and notifies `hindsight_insights` (delivered when the transaction
    /// commits, so listeners never hear about insights they cannot read yet).
    public static func complete(
        _ claim: Claim, analyzedBy: String, analysisMilliseconds: Double, on connection: PostgresConnection, logger: Logger
    ) async throws {
        try await connection.query("""
            UPDATE hindsight.analysis_state
            SET analyzed_changes = \(claim.changes), analyzed_at = now(), analyzed_by = \(analyzedBy),
                analysis_ms = \(analysisMilliseconds), rounds = rounds + 1
            WHERE domain = \(claim.domain)
            """, logger: logger)
        try await connection.query("SELECT pg_notify(\(channel), \(claim.domain))", logger: logger)
    }
}
