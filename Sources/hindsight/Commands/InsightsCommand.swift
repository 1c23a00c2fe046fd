import ArgumentParser
import Foundation
import HindsightStore
import Logging

/// `hindsight insights`: what the analyzer last concluded, per domain.
struct InsightsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "insights",
        abstract: "Print the current insights per domain (summary, slow phases, errors, phase order, recovery, recommendations).",
        discussion: """
            Reads the insight tables the analyzer writes (hindsight analyzer / hindsight analyze), as the \
            read-only hindsight_analyst role unless --database-url / HINDSIGHT_READ_DATABASE_URL (a read replica) / \
            HINDSIGHT_DATABASE_URL says otherwise. \
            Domains never analysed, or without executions in the analysis window, are not listed.
            """)

    @OptionGroup var database: DatabaseOptions

    @Option(name: .customLong("domain"), help: "Only this domain (repeatable).")
    var domains: [String] = []

    @Option(help: "Output format: table or json.")
    var format: OutputFormat = .table

    func run() async throws {
        try Bootstrap.run(defaultLevel: .warning)
        let logger = Logger(label: "hindsight.insights")
        let domains = self.domains
        let records = try await withDatabase(database, role: .analyst, logger: logger) { client in
            try await InsightStore.read(domains: domains, client: client, logger: logger)
        }
        if format == .json { return try printJSON(records) }
        if records.isEmpty {
            print(domains.isEmpty ? "no insights yet: run hindsight analyze (or hindsight analyzer)" : "no insights for \(domains.joined(separator: ", "))")
            return
        }
        for (i, record) in records.enumerated() {
            if i > 0 { print("") }
            Self.printRecord(record)
        }
    }

    static func printRecord(_ r: InsightStore.Record) {
        let s = r.summary
        Swift.print("== \(r.domain) ==")
        Swift.print("computed \(formatTimestamp(r.computedAt)) by \(r.analyzedBy); window from \(formatTimestamp(r.windowStart)); "
            + "\(r.sampleSize) executions, confidence \(f(r.confidence, 2))")
        Swift.print("success \(percent(s.successRate)) (completed \(s.completed), failed \(s.failed), abandoned \(s.abandoned)); "
            + "duration s: mean \(opt(s.durationMean)) p50 \(opt(s.durationP50)) p95 \(opt(s.durationP95)) p99 \(opt(s.durationP99)) (n=\(s.durationCount))")
        if !r.phases.isEmpty {
            Swift.print("\nphases")
            printTable(
                ["phase", "runs", "mean s", "p50", "p95", "p99", "estimate s", "ratio", "success", "retries", "share", "slow"],
                r.phases.map {
                    [$0.phase, String($0.runs), f($0.meanSeconds), f($0.p50), f($0.p95), f($0.p99), opt($0.meanEstimateSeconds),
                     $0.estimateRatio.map { f($0, 2) } ?? "-", percent($0.successRate), String($0.retries), percent($0.shareOfTime),
                     $0.slowRank.map { "#\($0)" } ?? ($0.isSlow ? "yes" : "")]
                })
        }
        if !r.errors.isEmpty {
            Swift.print("\nerror patterns")
            printTable(["#", "pattern", "count", "executions", "phases", "example"], r.errors.map {
                [String($0.rank), $0.pattern, String($0.occurrences), String($0.executions), $0.phases.joined(separator: ","), $0.example]
            })
        }
        if let order = r.phaseOrder {
            Swift.print("\nrecommended phase order: \(order.phases.joined(separator: " → "))")
            let evidence = order.supportingMeanSeconds.map { "mean \(f($0)) s" } ?? "no duration"
            Swift.print("  evidence: \(order.supportingRuns) completed executions ran in this order (\(evidence)); "
                + "domain mean \(opt(order.domainMeanSeconds)) s")
            Swift.print("  basis: \(order.basis)")
        }
        if !r.recovery.isEmpty {
            Swift.print("\nrecovery")
            printTable(["failure type", "strategy", "attempts", "successes", "success"], r.recovery.map {
                [$0.failureType, $0.strategy, String($0.attempts), String($0.successes),
                 $0.attempts > 0 ? percent(Double($0.successes) / Double($0.attempts)) : "-"]
            })
        }
        if !r.insights.isEmpty {
            Swift.print("\nfindings")
            for line in r.insights { Swift.print("  - \(line)") }
        }
        if !r.recommendations.isEmpty {
            Swift.print("\nrecommendations")
            for line in r.recommendations { Swift.print("  - \(line)") }
        }
    }

    private static func f(_ value: Double, _ places: Int = 1) -> String { String(format: "%.\(places)f", value) }
    private static func opt(_ value: Double?) -> String { value.map { f($0) } ?? "-" }
    private static func percent(_ value: Double) -> String { String(format: "%.1f%%", value * 100) }
}
