public import Foundation
public import HindsightCore
public import Logging
public import PostgresNIO

/// Past executions whose goal resembles a request's, found with `pg_trgm` (migration 0062: the extension
/// and a GIN trigram index on `executions.goal`).
///
/// Same domain only, unless `crossDomain` (then other domains too, each labelled `cross_domain`).
/// Finished executions only (a running one says nothing yet), never the requesting execution itself;
/// at least `threshold` trigram similarity, ranked by it (then the most recent first), top ``limit``.
/// One entry per goal text and domain: the most recent completed execution with that goal (else the most
/// recent one), with the number of executions it stands for (``RPCSimilarExecution/executions``).
public struct SimilarExecutions: Sendable {
    /// Most executions returned. Defaults to `5`.
    public var limit: Int = 5
    /// Lowest trigram similarity admitted, `0...1`. Defaults to `0.3` (pg_trgm's own default).
    public var threshold: Double = 0.3
    private let client: PostgresClient
    private let logger: Logger

    /// Creates a finder on `client`.
    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// The executions most similar to `goal`.
    ///
    /// - Throws: the client's error when PostgreSQL cannot answer (the adapter answers without them).
    public func find(goal: String, domain: String, crossDomain: Bool, excluding executionID: UUID?) async throws -> [RPCSimilarExecution] {
        guard !goal.isEmpty else { return [] }
        let excluded = executionID ?? UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
        // `goal % $1` uses the trigram index with the session's threshold; the explicit similarity bound
        // applies ours (the index condition only narrows candidates). An agent repeating a goal would
        // otherwise fill the list with copies of one goal: one row per (domain, goal text), the best run
        // (the most recent completed, else the most recent), with how many runs it stands for (window
        // functions run before DISTINCT ON).
        let rows = try await client.query("""
            SELECT execution_id, goal, domain, status, duration_s, score, runs FROM (
                SELECT DISTINCT ON (domain, goal) execution_id, goal, domain, status, duration_s, started_at,
                       similarity(goal, \(goal))::float8 AS score, count(*) OVER (PARTITION BY domain, goal) AS runs
                FROM hindsight.executions
                WHERE (domain = \(domain) OR \(crossDomain)) AND goal % \(goal) AND similarity(goal, \(goal)) >= \(threshold)
                  AND status <> 'running' AND execution_id <> \(excluded)
                ORDER BY domain, goal, (status = 'completed') DESC, started_at DESC NULLS LAST, execution_id
            ) AS best
            ORDER BY score DESC, started_at DESC NULLS LAST, execution_id
            LIMIT \(limit)
            """, logger: logger)
        var found: [RPCSimilarExecution] = []
        for try await (id, text, rowDomain, status, duration, score, runs)
            in rows.decode((UUID, String, String, String, Double?, Double, Int64).self) {
            found.append(RPCSimilarExecution(
                executionID: id, goal: text, similarity: Swift.min(1, Swift.max(0, score)), status: status,
                durationSeconds: duration, domain: rowDomain, crossDomain: rowDomain != domain, executions: Int(runs)))
        }
        return found
    }
}
