import Foundation
public import Logging
public import PostgresNIO

extension InsightStore {
    /// The stored insights of `domains` (every analysed domain when empty), ordered by domain.
    ///
    /// Reads the insight tables only (the `hindsight_analyst` role may); a domain without an
    /// `insight_domains` row (never analysed, or no executions in its window) is left out.
    public static func read(domains: [String] = [], client: PostgresClient, logger: Logger) async throws -> [Record] {
        let all = domains.isEmpty
        var records: [Record] = []
        var index: [String: Int] = [:]
        let domainRows = try await client.query("""
            SELECT domain, computed_at, window_start, window_end, sample_size, confidence, analyzed_by, completed, failed,
                   abandoned, success_rate, duration_n, duration_mean, duration_p50, duration_p95, duration_p99,
                   insights, recommendations
            FROM hindsight.insight_domains WHERE \(all) OR domain = ANY (\(domains)) ORDER BY domain
            """, logger: logger)
        for try await row in domainRows {
            let c = row.makeRandomAccess()
            let domain = try c[0].decode(String.self)
            let sampleSize = Int(try c[4].decode(Int32.self))
            let summary = DomainAnalysis.Summary(
                executions: sampleSize, completed: Int(try c[7].decode(Int32.self)), failed: Int(try c[8].decode(Int32.self)),
                abandoned: Int(try c[9].decode(Int32.self)), successRate: try c[10].decode(Double.self),
                durationCount: Int(try c[11].decode(Int32.self)), durationMean: try c[12].decode(Double?.self),
                durationP50: try c[13].decode(Double?.self), durationP95: try c[14].decode(Double?.self),
                durationP99: try c[15].decode(Double?.self))
            index[domain] = records.count
            records.append(Record(
                domain: domain, computedAt: try c[1].decode(Date.self), windowStart: try c[2].decode(Date.self),
                windowEnd: try c[3].decode(Date.self), sampleSize: sampleSize, confidence: try c[5].decode(Double.self),
                analyzedBy: try c[6].decode(String.self), summary: summary, insights: try c[16].decode([String].self),
                recommendations: try c[17].decode([String].self), phases: [], errors: [], phaseOrder: nil, recovery: []))
        }
        guard !records.isEmpty else { return [] }
        let wanted = records.map(\.domain)

        let phaseRows = try await client.query("""
            SELECT domain, phase, runs, mean_s, p50_s, p95_s, p99_s, mean_estimate_s, estimate_ratio, success_rate, retries,
                   share_of_time, is_slow, slow_rank
            FROM hindsight.insight_phases WHERE domain = ANY (\(wanted)) ORDER BY domain, phase COLLATE "C"
            """, logger: logger)
        for try await row in phaseRows {
            let c = row.makeRandomAccess()
            guard let i = index[try c[0].decode(String.self)] else { continue }
            records[i].phases.append(DomainAnalysis.PhaseRow(
                phase: try c[1].decode(String.self), runs: Int(try c[2].decode(Int32.self)), meanSeconds: try c[3].decode(Double.self),
                p50: try c[4].decode(Double.self), p95: try c[5].decode(Double.self), p99: try c[6].decode(Double.self),
                meanEstimateSeconds: try c[7].decode(Double?.self), estimateRatio: try c[8].decode(Double?.self),
                successRate: try c[9].decode(Double.self), retries: Int(try c[10].decode(Int32.self)),
                shareOfTime: try c[11].decode(Double.self), isSlow: try c[12].decode(Bool.self),
                slowRank: try c[13].decode(Int32?.self).map(Int.init)))
        }

        let errorRows = try await client.query("""
            SELECT domain, rank, pattern, occurrences, executions, phases, example
            FROM hindsight.insight_error_patterns WHERE domain = ANY (\(wanted)) ORDER BY domain, rank
            """, logger: logger)
        for try await (domain, rank, pattern, occurrences, executions, phases, example)
            in errorRows.decode((String, Int32, String, Int32, Int32, [String], String).self) {
            guard let i = index[domain] else { continue }
            records[i].errors.append(DomainAnalysis.ErrorRow(
                rank: Int(rank), pattern: pattern, occurrences: Int(occurrences), executions: Int(executions),
                phases: phases, example: example))
        }

        let orderRows = try await client.query("""
            SELECT domain, phase_order, supporting_runs, supporting_mean_s, domain_mean_s, basis
            FROM hindsight.insight_phase_order WHERE domain = ANY (\(wanted))
            """, logger: logger)
        for try await (domain, order, runs, supportingMean, domainMean, basis)
            in orderRows.decode((String, [String], Int32, Double?, Double?, String).self) {
            guard let i = index[domain] else { continue }
            records[i].phaseOrder = DomainAnalysis.PhaseOrder(
                phases: order, supportingRuns: Int(runs), supportingMeanSeconds: supportingMean,
                domainMeanSeconds: domainMean, basis: basis)
        }

        let recoveryRows = try await client.query("""
            SELECT domain, failure_type, strategy, attempts, successes, sample_size, confidence
            FROM hindsight.insight_recovery WHERE domain = ANY (\(wanted)) ORDER BY domain, failure_type, strategy
            """, logger: logger)
        for try await (domain, failureType, strategy, attempts, successes, sampleSize, confidence)
            in recoveryRows.decode((String, String, String, Int32, Int32, Int32, Double).self) {
            guard let i = index[domain] else { continue }
            records[i].recovery.append(DomainAnalysis.RecoveryRow(
                failureType: failureType, strategy: strategy, attempts: Int(attempts), successes: Int(successes),
                sampleSize: Int(sampleSize), confidence: confidence))
        }
        return records
    }
}
