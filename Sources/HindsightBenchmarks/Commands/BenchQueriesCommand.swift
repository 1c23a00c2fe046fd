import ArgumentParser
import Foundation
import HindsightStore
import Histogram
import Logging
import PostgresNIO

/// `hindsight-bench queries`: latency of each store query against the data in the database.
///
/// Fill a scratch database first (`scripts/sql/generate_executions.sql`, 1,000,000 executions), then
/// run e.g. `hindsight-bench queries --database-url postgres://…/hindsight_bench --iterations 200`.
/// Percentiles come from an HdrHistogram of microseconds (3 significant digits).
struct BenchQueries: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queries",
        abstract: "Measure p50/p95 latency of each ExecutionQueries query on the stored data.")

    @OptionGroup var connection: BenchConnectionOptions

    @Option(help: "Timed runs per query (after 5 warm-up runs).")
    var iterations: Int = 200

    @Option(help: "Domain to query (default: the one with the most executions in the rollup).")
    var domain: String?

    @Option(help: "Output format: table or json.")
    var format: OutputFormat = .table

    /// One query's figures.
    struct Result: Codable, Sendable {
        var query: String
        var runs: Int
        var rows: Int
        var p50Milliseconds: Double
        var p95Milliseconds: Double
        var maxMilliseconds: Double
    }

    func validate() throws {
        guard iterations >= 1 else { throw ValidationError("--iterations must be at least 1") }
    }

    func run() async throws {
        var logger = Logger(label: "hindsight.bench.queries")
        logger.logLevel = .warning
        let (iterations, chosenDomain) = (self.iterations, self.domain)
        let url = try connection.database()
        let results = try await StoreConnection.withClient(url, logger: logger) { client -> [Result] in
            let queries = ExecutionQueries(client: client, logger: logger)
            var domain = chosenDomain ?? ""
            if chosenDomain == nil { domain = try await busiestDomain(client, logger: logger) }
            let ids = try await sampleExecutionIDs(client, logger: logger)
            let latest = try await queries.recentExecutions(since: .distantPast, limit: 1).first?.startedAt ?? Date()
            var results: [Result] = []
            func measure(_ name: String, _ body: (Int) async throws -> Int) async throws {
                for i in 0..<5 { _ = try await body(i) }
                var micros = Histogram<UInt64>(numberOfSignificantValueDigits: .three)
                var rows = 0
                for i in 0..<iterations {
                    let start = ContinuousClock.now
                    rows = try await body(i)
                    micros.record(UInt64(max(0, (ContinuousClock.now - start).seconds * 1e6)))
                }
                func ms(_ value: UInt64) -> Double { Double(value) / 1000 }
                results.append(Result(query: name, runs: iterations, rows: rows,
                                      p50Milliseconds: ms(micros.valueAtPercentile(50)),
                                      p95Milliseconds: ms(micros.valueAtPercentile(95)), maxMilliseconds: ms(micros.max)))
            }
            try await measure("execution <id> (with events)") { i in
                guard !ids.isEmpty else { return 0 }
                return try await queries.execution(ids[i % ids.count])?.events.count ?? 0
            }
            try await measure("by-domain \(domain) --limit 100") { _ in
                try await queries.executions(domain: domain, limit: 100).count
            }
            try await measure("by-domain \(domain) --status failed") { _ in
                try await queries.executions(domain: domain, status: "failed", limit: 100).count
            }
            try await measure("recent --days 7 --limit 100") { _ in
                try await queries.recentExecutions(days: 7, limit: 100, now: latest).count
            }
            try await measure("recent --days 7 --status failed") { _ in
                try await queries.recentExecutions(days: 7, status: "failed", limit: 100, now: latest).count
            }
            try await measure("by-status failed --limit 100") { _ in
                try await queries.executions(status: "failed", limit: 100).count
            }
            try await measure("domain-stats \(domain) --days 30 (rollup)") { _ in
                try await queries.domainStatistics(domain: domain, days: 30, method: .rollup, now: latest).totalExecutions
            }
            try await measure("domain-stats \(domain) --days 30 (scan)") { _ in
                try await queries.domainStatistics(domain: domain, days: 30, method: .scan, now: latest).totalExecutions
            }
            try await measure("domain-stats \(domain) --days 30 (rollup + p50/p95)") { _ in
                try await queries.domainStatistics(domain: domain, days: 30, percentiles: true, method: .rollup, now: latest).totalExecutions
            }
            return results
        }
        if format == .json { return try printJSON(results) }
        printTable(["query", "runs", "rows", "p50 ms", "p95 ms", "max ms"], results.map {
            [$0.query, String($0.runs), String($0.rows), String(format: "%.2f", $0.p50Milliseconds),
             String(format: "%.2f", $0.p95Milliseconds), String(format: "%.2f", $0.maxMilliseconds)]
        })
    }
}

private func busiestDomain(_ client: PostgresClient, logger: Logger) async throws -> String {
    let rows = try await client.query(
        "SELECT domain FROM hindsight.domain_daily_stats GROUP BY domain ORDER BY sum(total) DESC LIMIT 1", logger: logger)
    for try await domain in rows.decode(String.self) { return domain }
    return "unknown"
}

private func sampleExecutionIDs(_ client: PostgresClient, logger: Logger) async throws -> [UUID] {
    let rows = try await client.query(
        // Executions that have raw events (the generator stores events for the latest days only).
        "SELECT DISTINCT execution_id FROM (SELECT execution_id FROM hindsight.events LIMIT 50000) e LIMIT 500",
        logger: logger)
    var ids: [UUID] = []
    for try await id in rows.decode(UUID.self) { ids.append(id) }
    return ids.shuffled()
}
