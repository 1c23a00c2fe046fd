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
        // applies ours (the index condition only narrows candidates).
        let rows = try await client.query("""
            SELECT execution_id, goal, domain, status, duration_s, similarity(goal, \(goal))::float8 AS score
            FROM hindsight.executions
            WHERE (domain = \(domain) OR \(crossDomain)) AND goal % \(goal) AND similarity(goal, \(goal)) >= \(threshold)
              AND status <> 'running' AND execution_id <> \(excluded)
            ORDER BY score DESC, started_at DESC NULLS LAST, execution_id
            LIMIT \(limit)
            """, logger: logger)
        var found: [RPCSimilarExecution] = []
        for try await (id, text, rowDomain, status, duration, score)
            in rows.decode((UUID, String, String, String, Double?, Double).self) {
            found.append(RPCSimilarExecution(
                executionID: id, goal: text, similarity: Swift.min(1, Swift.max(0, score)), status: status,
                durationSeconds: duration, domain: rowDomain, crossDomain: rowDomain != domain))
        }
        return found
    }
}
