import ArgumentParser
import Foundation
import HindsightCore
import HindsightStore
import HindsightTesting
import HindsightWorkers
import Logging
import PostgresNIO

/// `hindsight-bench analyze`: the analyzer on 100,000 executions in PostgreSQL.
///
/// A scratch database gets the executions straight into the consolidated tables (``ConsolidatedWorkload``:
/// set-based, as the owner, rows as the tracker writes them; the change log marks every domain due).
/// Then, with the product's code path (`Analyzer.runRound`, as `hindsight_analyzer`):
/// 1. the first round: fold, all domains analysed, daily rollups of every day refreshed;
/// 2. forced full recomputes (every domain claimed again), median of `--repeats`;
/// 3. incremental rounds after `--touched` executions of one domain changed, median of `--repeats`;
/// 4. the in-memory core on the same traces (read once with the analyzer's reader, then
///    `DomainAnalysis` — the core plus the rows — per domain) and a check that the stored insights equal
///    what the core computes;
/// 5. the peak RSS of a child `hindsight analyze` (the executable next to this one) recomputing every
///    domain.
/// Figures and ratios only; the targets are in docs/benchmarks.md. Build with `-c release` when measuring.
struct BenchAnalyze: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Measure analyzer rounds (full, incremental), where the time goes, RSS, against the in-memory core.")

    @OptionGroup var connection: BenchConnectionOptions

    @Option(help: "Executions to load.")
    var executions: Int = 100_000

    @Option(help: "Domains they are spread over.")
    var domains: Int = 20

    @Option(help: "Start times spread over the last N days (inside the analyzer's 30-day window).")
    var days: Double = 29

    @Option(help: "Seed of the workload.")
    var seed: Int = 1

    @Option(help: "Executions of one domain touched before each incremental round.")
    var touched: Int = 50

    @Option(help: "Timed repetitions of the forced full recompute, the incremental round and the core.")
    var repeats: Int = 3

    @Option(help: "Scratch database (dropped and created at start).")
    var scratchDatabase: String = "hindsight_analyze_bench"

    @Flag(help: "Keep the scratch database afterwards.")
    var keep = false

    @Flag(help: "Skip the child-process (RSS) run.")
    var skipChild = false

    @Option(help: "Output format: table or json.")
    var format: OutputFormat = .table

    func validate() throws {
        guard executions >= domains, domains >= 1, domains <= 100 else {
            throw ValidationError("--domains must be 1…100 and at most --executions")
        }
        guard repeats >= 1, touched >= 1, days > 0, days < 30 else {
            throw ValidationError("--repeats and --touched must be positive, --days within (0, 30)")
        }
        guard scratchDatabase.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
            throw ValidationError("--scratch-database: letters, digits and _ only")
        }
    }

    func run() async throws {
        var logger = Logger(label: "hindsight.bench.analyze")
        logger.logLevel = .warning
        let owner = try connection.database()
        let scratch = owner.withDatabase(scratchDatabase)
        let analyzerURL = StoreTestSupport.url(scratch, role: "hindsight_analyzer")
        var report = AnalyzeReport(executions: executions, domains: domains)

        try await recreate(owner: owner, logger: logger)
        progress("analyze: loading \(executions) executions over \(domains) domains into \(scratchDatabase)")
        try await StoreConnection.withClient(scratch, logger: logger) { client in
            _ = try await Migrator(client: client, logger: logger).migrate()
            let started = ContinuousClock.now
            let counts = try await ConsolidatedWorkload.load(
                .init(executions: executions, domains: domains, days: days, seed: seed), client: client, logger: logger)
            report.loadSeconds = (ContinuousClock.now - started).seconds
            report.rows = counts
            try await ConsolidatedWorkload.analyze(client: client, logger: logger)
        }

        let allDomains = (0..<domains).map(ConsolidatedWorkload.domain)
        let touchedDomain = ConsolidatedWorkload.domain(min(7, domains - 1))
        var configuration = Analyzer.Configuration()
        configuration.instanceName = "bench"
        let windowSeconds = configuration.window.seconds
        try await StoreConnection.withClient(analyzerURL, logger: logger) { client in
            let analyzer = Analyzer(configuration: configuration, client: client, logger: logger)
            progress("analyze: first round (every domain due)")
            report.first = try await Self.timedRound(analyzer)
            for i in 1...repeats {
                progress("analyze: forced full recompute \(i)/\(repeats)")
                report.forced.append(try await Self.timedRound(analyzer, force: allDomains))
            }
            for i in 1...repeats {
                progress("analyze: incremental round \(i)/\(repeats) after touching \(touched) executions of \(touchedDomain)")
                _ = try await StoreConnection.withClient(scratch, logger: logger) { owner in
                    try await ConsolidatedWorkload.touch(domain: touchedDomain, executions: touched, client: owner, logger: logger)
                }
                report.incremental.append(try await Self.timedRound(analyzer))
            }
            progress("analyze: in-memory core on the same traces")
            report.core = try await coreFigures(client: client, domains: allDomains, windowSeconds: windowSeconds, logger: logger)
        }
        if !skipChild {
            progress("analyze: child hindsight analyze (every domain forced) for its RSS")
            report.childRSS = try await childRound(url: analyzerURL, domains: allDomains)
        }
        if !keep {
            try await StoreConnection.withClient(owner, logger: logger) { client in
                _ = try await client.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(scratchDatabase) WITH (FORCE)"), logger: logger)
            }
        }
        if format == .json { try printJSON(report) } else { report.printReport() }
        if report.core?.identical == false { throw ExitCode(2) }
    }

    private func recreate(owner: DatabaseURL, logger: Logger) async throws {
        try await StoreConnection.withClient(owner, logger: logger) { client in
            // Validated: letters, digits and _ only.
            try await client.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(scratchDatabase) WITH (FORCE)"), logger: logger)
            try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(scratchDatabase)"), logger: logger)
        }
    }

    /// A round's wall time and its report.
    static func timedRound(_ analyzer: Analyzer, force: [String] = []) async throws -> RoundFigures {
        let started = ContinuousClock.now
        let round = try await analyzer.runRound(force: force)
        return RoundFigures(wallMilliseconds: (ContinuousClock.now - started).seconds * 1000, report: round)
    }

    /// Reads every domain's window once with the analyzer's reader, then times `DomainAnalysis` (the core
    /// and the rows it writes) on those traces, and compares the result with the stored insights.
    private func coreFigures(
        client: PostgresClient, domains: [String], windowSeconds: Double, logger: Logger
    ) async throws -> CoreFigures {
        let readStarted = ContinuousClock.now
        let windows = try await client.withTransaction(logger: logger) { connection in
            let window = try await AnalysisSource.window(seconds: windowSeconds, on: connection, logger: logger)
            var read: [AnalysisSource.DomainWindow] = []
            for domain in domains {
                read.append(try await AnalysisSource.read(domain: domain, window: window, on: connection, logger: logger))
            }
            return read
        }
        let readSeconds = (ContinuousClock.now - readStarted).seconds
        let core = PerformanceAnalyzer()
        var analyses: [DomainAnalysis] = []
        var samples: [Double] = []
        for _ in 0..<repeats {
            let started = ContinuousClock.now
            analyses = windows.map {
                DomainAnalysis(domain: $0.domain, executions: $0.executions, recovery: $0.recovery, analyzer: core)
            }
            samples.append((ContinuousClock.now - started).seconds)
        }
        let traces = windows.map { $0.executions.compactMap(ExecutionTrace.init(consolidated:)) }
        var analyseOnly: [Double] = []
        for _ in 0..<repeats {
            let started = ContinuousClock.now
            for (window, domainTraces) in zip(windows, traces) { _ = core.analyze(domainTraces, domain: window.domain) }
            analyseOnly.append((ContinuousClock.now - started).seconds)
        }
        let stored = try await InsightStore.read(domains: domains, client: client, logger: logger)
        let difference = Self.firstDifference(analyses, stored)
        return CoreFigures(
            traces: traces.reduce(0) { $0 + $1.count }, readSeconds: readSeconds,
            domainAnalysisSeconds: samples.sorted()[samples.count / 2],
            analyzeSeconds: analyseOnly.sorted()[analyseOnly.count / 2],
            identical: difference == nil, difference: difference)
    }

    /// The first way the stored insights differ from what the core computes, or nil.
    static func firstDifference(_ computed: [DomainAnalysis], _ stored: [InsightStore.Record]) -> String? {
        let byDomain = Dictionary(stored.map { ($0.domain, $0) }, uniquingKeysWith: { first, _ in first })
        for analysis in computed {
            guard let record = byDomain[analysis.domain] else { return "\(analysis.domain): no stored insights" }
            let d = analysis.domain
            if record.summary != analysis.summary { return "\(d): summary \(record.summary) vs \(analysis.summary)" }
            if record.phases != analysis.phases.sorted(by: { $0.phase < $1.phase }) { return "\(d): phase rows differ" }
            if record.errors != analysis.errors { return "\(d): error patterns differ" }
            if record.phaseOrder != analysis.phaseOrder { return "\(d): phase order differs" }
            let recovery = analysis.recovery.sorted { ($0.failureType, $0.strategy) < ($1.failureType, $1.strategy) }
            if record.recovery != recovery { return "\(d): recovery rows differ" }
            if record.insights != analysis.insights.insights { return "\(d): findings in words differ" }
            if record.recommendations != analysis.insights.recommendations { return "\(d): recommendations differ" }
            if record.confidence != analysis.insights.confidenceScore { return "\(d): confidence differs" }
        }
        return computed.count == stored.count ? nil : "stored \(stored.count) domains, computed \(computed.count)"
    }

    /// A child `hindsight analyze` forcing every domain; its peak RSS (VmHWM, polled every 20 ms).
    private func childRound(url: DatabaseURL, domains: [String]) async throws -> ChildFigures {
        let binary = try Runner.hindsightExecutable()
        let arguments = ["analyze"] + domains.flatMap { ["--domain", $0] }
        let started = ContinuousClock.now
        let (peak, termination) = try await ChildProcess.withRunning(
            binary, arguments, environment: ["HINDSIGHT_DATABASE_URL": Self.urlText(url), "HINDSIGHT_LOG_LEVEL": "warning"]
        ) { pid -> Double? in
            var peak: Double?
            while let kib = Runner.statusKiB("VmHWM", pid: pid) {
                peak = max(peak ?? 0, kib / 1024)
                try await Task.sleep(for: .milliseconds(20))
            }
            return peak
        }
        guard termination.isSuccess else { throw ValidationError("hindsight analyze ended with \(termination)") }
        return ChildFigures(peakRSSMiB: peak, seconds: (ContinuousClock.now - started).seconds)
    }
}

extension BenchAnalyze {
    /// `postgres://…` text of a URL, for a child's environment (credentials percent-encoded).
    static func urlText(_ url: DatabaseURL) -> String {
        func escaped(_ text: String) -> String {
            text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
        }
        let credentials = escaped(url.username) + (url.password.map { ":" + escaped($0) } ?? "")
        return "postgres://\(credentials)@\(url.host):\(url.port)/\(escaped(url.database))?sslmode=\(url.sslMode.rawValue)"
    }
}

/// One timed round.
struct RoundFigures: Codable, Sendable {
    var wallMilliseconds: Double
    var report: AnalysisRoundReport

    /// Sum over the round's domains of a per-domain figure.
    func sum(_ figure: KeyPath<AnalysisRoundReport.Domain, Double>) -> Double {
        report.domains.reduce(0) { $0 + $1[keyPath: figure] }
    }
}

/// The in-memory core on the traces the analyzer reads.
struct CoreFigures: Codable, Sendable {
    var traces: Int
    /// Reading every domain's window once (the analyzer's reader, one transaction).
    var readSeconds: Double
    /// `DomainAnalysis` of every domain (core + rows), median.
    var domainAnalysisSeconds: Double
    /// `PerformanceAnalyzer.analyze` alone on every domain's traces, median.
    var analyzeSeconds: Double
    var identical: Bool
    var difference: String?
}

/// The child `hindsight analyze` run.
struct ChildFigures: Codable, Sendable {
    var peakRSSMiB: Double?
    var seconds: Double
}

/// Everything `hindsight-bench analyze` measured.
struct AnalyzeReport: Codable, Sendable {
    var executions: Int
    var domains: Int
    var rows = ConsolidatedWorkload.Counts()
    var loadSeconds = 0.0
    var first: RoundFigures?
    var forced: [RoundFigures] = []
    var incremental: [RoundFigures] = []
    var core: CoreFigures?
    var childRSS: ChildFigures?

    static func median(_ rounds: [RoundFigures]) -> RoundFigures? {
        rounds.sorted { $0.wallMilliseconds < $1.wallMilliseconds }.dropFirst(rounds.count / 2).first
    }

    func printReport() {
        func ms(_ value: Double) -> String { String(format: "%.1f", value) }
        print("hindsight-bench analyze — \(executions) executions over \(domains) domains in PostgreSQL")
        print(String(format: "loaded %d executions, %d phase rows, %d tool rows, %d errors, %d recovery attempts in %.1f s (set-based, as the owner)",
                     rows.executions, rows.phases, rows.tools, rows.errors, rows.recoveries, loadSeconds))
        print("")
        var lines: [[String]] = []
        func line(_ name: String, _ round: RoundFigures?, runs: Int = 1) {
            guard let round else { return }
            let stale = round.sum(\.staleMilliseconds), read = round.sum(\.readMilliseconds)
            let compute = round.sum(\.computeMilliseconds), write = round.sum(\.writeMilliseconds)
            let domains = round.sum(\.totalMilliseconds)
            lines.append([name, String(round.report.domains.count), String(round.report.executions), ms(round.wallMilliseconds),
                          ms(stale), ms(read), ms(compute), ms(write), ms(domains - stale - read - compute - write),
                          ms(round.report.totalMilliseconds - domains)])
        }
        line("first round (fold + rollups of every day)", first)
        line("full recompute, forced (median of \(forced.count))", Self.median(forced))
        line("incremental, one domain changed (median of \(incremental.count))", Self.median(incremental))
        printTable(["round", "domains", "executions", "wall ms", "stale ms", "read ms", "compute ms", "write ms",
                    "claim+commit ms", "fold+other ms"], lines)
        if let first {
            print("")
            print("first round per domain (ms):")
            printTableOfDomains(first.report)
        }
        if let incremental = Self.median(incremental) {
            print("")
            print("incremental round (ms):")
            printTableOfDomains(incremental.report)
        }
        if let core {
            print("")
            print(String(format: "in-memory core on the same %d traces: DomainAnalysis of every domain %.1f ms (PerformanceAnalyzer.analyze alone %.1f ms); reading them once %.1f ms",
                         core.traces, core.domainAnalysisSeconds * 1000, core.analyzeSeconds * 1000, core.readSeconds * 1000))
            if let forced = Self.median(forced), core.domainAnalysisSeconds > 0 {
                print(String(format: "forced full round / in-memory DomainAnalysis: %.1fx; the round's compute share: %.0f %%",
                             forced.wallMilliseconds / (core.domainAnalysisSeconds * 1000),
                             100 * forced.sum(\.computeMilliseconds) / max(forced.wallMilliseconds, 1e-9)))
            }
            print(core.identical ? "stored insights == the core's on the same traces (every domain: summary, phases, errors, order, recovery, words)"
                  : "MISMATCH: \(core.difference ?? "?")")
        }
        if let child = childRSS {
            let rss = child.peakRSSMiB.map { String(format: "%.1f MiB", $0) } ?? "-"
            print(String(format: "child hindsight analyze (every domain forced): peak RSS (VmHWM) %@, %.1f s from spawn to exit", rss, child.seconds))
        }
    }

    private func printTableOfDomains(_ report: AnalysisRoundReport) {
        func ms(_ value: Double) -> String { String(format: "%.1f", value) }
        printTable(
            ["domain", "executions", "rollup days", "stale", "read", "compute", "write", "total"],
            report.domains.map { [$0.domain, String($0.executions), String($0.rollupDays), ms($0.staleMilliseconds),
                                  ms($0.readMilliseconds), ms($0.computeMilliseconds), ms($0.writeMilliseconds),
                                  ms($0.totalMilliseconds)] })
    }
}
