import Foundation
import HindsightCore
import HindsightStore
public import Logging
public import PostgresNIO
import Metrics
import ServiceLifecycle

/// Recomputes the insights of the domains whose executions changed, with the learning core.
///
/// A round (``runRound(force:)``): fold the tracker's change log into `analysis_state` (one replica
/// at a time), then claim due domains one by one with `FOR UPDATE SKIP LOCKED` — replicas split
/// them — and for each, in one transaction: mark its stale executions abandoned, read its window of
/// consolidated rows, run ``PerformanceAnalyzer`` (``DomainAnalysis``), replace its insight rows,
/// refresh its dirty daily rollups, record the analysis and `NOTIFY hindsight_insights`, commit. A
/// process killed mid-domain leaves the previous insights and the domain still due.
public struct Analyzer: Sendable {
    private let configuration: Configuration
    private let client: PostgresClient
    private let logger: Logger
    private let metrics: AnalyzerMetrics
    private let core: PerformanceAnalyzer

    /// - Parameters:
    ///   - configuration: Window, stale policy, instance name, sample size.
    ///   - client: A running client, connected as `hindsight_analyzer` (or any role with its grants).
    ///   - logger: Where the analyzer logs.
    ///   - metrics: The metrics to record into.
    public init(configuration: Configuration, client: PostgresClient, logger: Logger, metrics: AnalyzerMetrics = AnalyzerMetrics()) {
        self.configuration = configuration
        self.client = client
        self.logger = logger
        self.metrics = metrics
        core = PerformanceAnalyzer(minimumSampleSize: configuration.minimumSampleSize)
    }

    /// Checks that the database answers.
    public func ping() async throws {
        try await client.query("SELECT 1", logger: logger)
    }

    /// Runs one round: folds the change log, then analyses every due domain (or, with `domains`, those
    /// domains whether due or not), each in its own transaction.
    ///
    /// Between domains a graceful shutdown ends the round early; the domain being analysed commits first.
    /// A domain failing for a reason retrying cannot fix (refused data, a privilege) is logged, reported
    /// in ``AnalysisRoundReport/failures`` and skipped for the rest of the round; it stays due.
    ///
    /// - Parameter domains: Domains to analyse now even if nothing changed (`hindsight analyze --domain`).
    /// - Throws: A transient database error (connection lost, …): the round stops; retry it later.
    public func runRound(force domains: [String] = []) async throws -> AnalysisRoundReport {
        let started = ContinuousClock.now
        let fold = try await AnalysisLedger.fold(client: client, logger: logger)
        if let changes = fold.changes { metrics.changesFolded.increment(by: changes) }
        var report = AnalysisRoundReport(foldedChanges: fold.changes)
        var skipped: [String] = []
        if domains.isEmpty {
            while !Task.isShuttingDownGracefully {
                let refresh = configuration.refreshAfter.map(\.seconds)
                let excluded = skipped
                let outcome = try await attempt(domain: nil, report: &report) { connection in
                    try await AnalysisLedger.claimNext(
                        refreshAfterSeconds: refresh, excluding: excluded, on: connection, logger: logger)
                }
                switch outcome {
                case .analysed: continue
                case .nothingDue: break
                case .failed(let domain): skipped.append(domain); continue
                }
                break
            }
        } else {
            for domain in Set(domains).sorted() {
                if Task.isShuttingDownGracefully { break }
                _ = try await attempt(domain: domain, report: &report) { connection in
                    try await AnalysisLedger.claim(domain: domain, on: connection, logger: logger)
                }
            }
        }
        report.totalMilliseconds = (ContinuousClock.now - started).milliseconds
        metrics.rounds.increment()
        metrics.roundDuration.record(duration: ContinuousClock.now - started)
        return report
    }

    private enum Outcome {
        case analysed, nothingDue, failed(String)
    }

    /// A failure inside a claimed domain's transaction, with the domain.
    private struct DomainError: Error {
        var domain: String
        var cause: any Error
    }

    /// One domain's transaction: claim with `claim`, analyse, commit; a non-transient failure is
    /// recorded in `report`, a transient one thrown.
    private func attempt(
        domain forced: String?, report: inout AnalysisRoundReport,
        claim: @escaping @Sendable (PostgresConnection) async throws -> AnalysisLedger.Claim?
    ) async throws -> Outcome {
        let started = ContinuousClock.now
        do {
            let result: AnalysisRoundReport.Domain? = try await client.withTransaction(logger: logger) { connection in
                guard let claimed = try await claim(connection) else { return nil }
                do {
                    return try await analyse(claimed, on: connection)
                } catch {
                    throw DomainError(domain: claimed.domain, cause: error)
                }
            }
            guard var domain = result else { return .nothingDue }
            domain.totalMilliseconds = (ContinuousClock.now - started).milliseconds
            metrics.domainsAnalyzed.increment()
            metrics.executionsRead.increment(by: domain.executions)
            if domain.abandoned > 0 { metrics.executionsAbandoned.increment(by: domain.abandoned) }
            metrics.domainDuration.record(duration: ContinuousClock.now - started)
            logger.debug("analyzer.domain.analysed", metadata: [
                "domain": "\(domain.domain)", "analysis.executions": "\(domain.executions)",
                "analysis.ms": "\(Int(domain.totalMilliseconds))",
            ])
            report.domains.append(domain)
            return .analysed
        } catch {
            let (failedDomain, cause) = Self.unwrap(error)
            let failure = StoreError.classifyFailure(cause)
            guard failure.failureClass != .transient, let name = failedDomain ?? forced else { throw cause }
            metrics.domainFailures.increment()
            logger.error("analyzer.domain.failed", metadata: [
                "domain": "\(name)", "error.reason": "\(failure.failureClass)", "error.message": "\(failure.summary)",
            ])
            report.failures.append(AnalysisRoundReport.Failure(domain: name, message: failure.description))
            return .failed(name)
        }
    }

    /// The domain and the original error behind a transaction's failure.
    private static func unwrap(_ error: any Error) -> (String?, any Error) {
        if let wrapped = error as? PostgresTransactionError {
            if let inner = wrapped.closureError { return unwrap(inner) }
            if let inner = wrapped.beginError ?? wrapped.commitError { return (nil, inner) }
        }
        if let domainError = error as? DomainError { return (domainError.domain, domainError.cause) }
        return (nil, error)
    }

    /// Analyses a claimed domain on the claim's connection.
    private func analyse(_ claim: AnalysisLedger.Claim, on connection: PostgresConnection) async throws -> AnalysisRoundReport.Domain {
        let domain = claim.domain
        var clock = ContinuousClock.now
        func lap() -> Double {
            let now = ContinuousClock.now
            defer { clock = now }
            return (now - clock).milliseconds
        }
        let started = clock
        let window = try await AnalysisSource.window(seconds: configuration.window.seconds, on: connection, logger: logger)
        let p99 = try await AnalysisSource.finishedDurationP99(domain: domain, window: window, on: connection, logger: logger)
        let abandoned = try await StaleExecutions.markAbandoned(
            domain: domain, thresholdSeconds: StaleExecutions.threshold(p99: p99, policy: configuration.stale),
            on: connection, logger: logger)
        var result = AnalysisRoundReport.Domain(domain: domain, abandoned: abandoned, staleMilliseconds: lap())

        let read = try await AnalysisSource.read(domain: domain, window: window, on: connection, logger: logger)
        result.executions = read.executions.count
        result.readMilliseconds = lap()

        let analysis = DomainAnalysis(domain: domain, executions: read.executions, recovery: read.recovery, analyzer: core)
        result.computeMilliseconds = lap()

        try await InsightStore.replace(
            with: analysis, window: window, analyzedBy: configuration.instanceName, on: connection, logger: logger)
        try await VariantStore.replace(
            domain: domain, window: window, analyzedBy: configuration.instanceName, on: connection, logger: logger)
        let rollups = try await DailyRollups.refresh(
            domain: domain, oldestDay: DailyRollups.oldestDay(retainedDays: configuration.retention.executionDays),
            on: connection, logger: logger)
        result.rollupDays = rollups.days
        try await AnalysisLedger.complete(
            claim, analyzedBy: configuration.instanceName, analysisMilliseconds: (ContinuousClock.now - started).milliseconds,
            on: connection, logger: logger)
        result.writeMilliseconds = lap()
        return result
    }
}

extension Duration {
    /// The duration in seconds.
    var seconds: Double {
        let (s, attoseconds) = components
        return Double(s) + Double(attoseconds) / 1e18
    }

    /// The duration in milliseconds.
    var milliseconds: Double { seconds * 1000 }
}
