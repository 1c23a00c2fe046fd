import ArgumentParser
import Foundation
import HindsightWorkers
import Logging

/// `hindsight analyze`: one analyzer round now, with its timings.
struct AnalyzeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Run one analyzer round now: every changed domain, or the domains given (settings: HINDSIGHT_ANALYZER_*).",
        discussion: """
            Without --domain, analyses the domains whose executions changed since their last analysis (as a \
            round of `hindsight analyzer` does). With --domain, analyses exactly those domains, changed or \
            not. Prints, per domain, the executions read and where the time went (milliseconds). Connects as \
            hindsight_analyzer unless --database-url / HINDSIGHT_DATABASE_URL says otherwise.
            """)

    @OptionGroup var database: DatabaseOptions

    @Option(name: .customLong("domain"), help: "Analyse this domain now (repeatable).")
    var domains: [String] = []

    @Option(help: "Output format: table or json.")
    var format: OutputFormat = .table

    func run() async throws {
        try Bootstrap.run(defaultLevel: .warning)
        let logger = Logger(label: "hindsight.analyze")
        let configuration: Analyzer.Configuration
        do {
            configuration = try Analyzer.Configuration(environment: EnvironmentReader())
        } catch {
            throw ExitMessage.line(for: error)
        }
        let domains = self.domains
        let report = try await withDatabase(database, role: .analyzer, logger: logger) { client in
            try await Analyzer(configuration: configuration, client: client, logger: logger).runRound(force: domains)
        }
        if format == .json {
            try printJSON(report)
        } else {
            Self.printReport(report)
        }
        if !report.failures.isEmpty { throw ExitCode.failure }
    }

    static func printReport(_ report: AnalysisRoundReport) {
        let folded = report.foldedChanges.map { "\($0) change rows folded" } ?? "fold skipped (another analyzer was folding)"
        Swift.print("\(folded); \(report.domains.count) domains analysed in \(ms(report.totalMilliseconds)) ms")
        if !report.domains.isEmpty {
            Swift.print("")
            printTable(
                ["domain", "executions", "abandoned", "rollup days", "stale ms", "read ms", "compute ms", "write ms", "total ms"],
                report.domains.map {
                    [$0.domain, String($0.executions), String($0.abandoned), String($0.rollupDays), ms($0.staleMilliseconds),
                     ms($0.readMilliseconds), ms($0.computeMilliseconds), ms($0.writeMilliseconds), ms($0.totalMilliseconds)]
                })
        }
        for failure in report.failures {
            FileHandle.standardError.write(Data("error: domain \(failure.domain): \(failure.message)\n".utf8))
        }
    }

    private static func ms(_ value: Double) -> String { String(format: "%.1f", value) }
}
