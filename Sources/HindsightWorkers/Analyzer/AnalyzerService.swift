import Foundation
public import HindsightStore
public import Logging
import Metrics
public import ServiceLifecycle

/// Runs the analyzer as a long-lived worker: a round at start, then one every interval, and
/// retention (when given) on its own interval.
///
/// Readiness: `postgres` is up once a round (or the first ping) reached the database, and down while
/// rounds fail on a transient error; those are logged as warnings and retried at the next interval.
/// A graceful shutdown lets the domain being analysed commit, then returns.
public final class AnalyzerService: Service {
    private let analyzer: Analyzer
    private let configuration: Analyzer.Configuration
    private let health: HealthState
    private let metrics: AnalyzerMetrics
    private let retention: RetentionRunner?
    private let logger: Logger

    /// - Parameters:
    ///   - analyzer: Runs the rounds.
    ///   - configuration: The interval (and the rest, for the start-up log).
    ///   - health: Where the service reports the database's state.
    ///   - metrics: The analyzer's metrics (the same as the analyzer's).
    ///   - retention: Runs a retention pass every `configuration.retention.interval`; `nil` for none.
    ///   - logger: Where the service logs.
    public init(
        analyzer: Analyzer, configuration: Analyzer.Configuration, health: HealthState,
        metrics: AnalyzerMetrics = AnalyzerMetrics(), retention: RetentionRunner? = nil, logger: Logger
    ) {
        self.analyzer = analyzer
        self.configuration = configuration
        self.health = health
        self.metrics = metrics
        self.retention = retention
        self.logger = logger
    }

    public func run() async throws {
        health.set("postgres", .starting)
        logger.info("analyzer.started", metadata: ["analyzer.config": "\(configuration)"])
        let clock = ContinuousClock()
        var nextRetention = clock.now
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let started = clock.now
            await round()
            if let retention, clock.now >= nextRetention, !Task.isShuttingDownGracefully {
                nextRetention = clock.now.advanced(by: configuration.retention.interval)
                await retentionPass(retention)
            }
            let next = started.advanced(by: configuration.interval)
            if clock.now < next {
                // Returns early on graceful shutdown (the sleep is cancelled).
                try? await cancelWhenGracefulShutdown { try await Task.sleep(until: next, clock: clock) }
            }
        }
        logger.info("analyzer.stopped")
    }

    private func round() async {
        do {
            let report = try await analyzer.runRound()
            health.set("postgres", .up)
            if !report.domains.isEmpty || !report.failures.isEmpty {
                logger.info("analyzer.round.completed", metadata: [
                    "analysis.domains": "\(report.domains.count)", "analysis.failures": "\(report.failures.count)",
                    "analysis.executions": "\(report.executions)", "analysis.folded": "\(report.foldedChanges.map(String.init) ?? "skipped")",
                    "analysis.ms": "\(Int(report.totalMilliseconds))",
                ])
            }
        } catch {
            metrics.roundFailures.increment()
            let failure = StoreError.classifyFailure(error)
            if failure.failureClass == .transient {
                health.set("postgres", .down)
                logger.warning("analyzer.round.retry", metadata: [
                    "error.reason": "\(failure.failureClass)", "error.message": "\(failure.summary)",
                    "retry.after": "\(configuration.interval)",
                ])
            } else {
                // Reached the database, which refused: readiness stays as it was; an operator must act.
                logger.error("analyzer.round.failed", metadata: [
                    "error.reason": "\(failure.failureClass)", "error.message": "\(failure.summary)",
                ])
            }
        }
    }

    private func retentionPass(_ retention: RetentionRunner) async {
        do {
            // RetentionRunner logs its pass itself.
            // A graceful shutdown stops the batched delete after the batch in flight.
            let report = try await retention.runPass(continueWhile: { !Task.isShuttingDownGracefully })
            logger.debug("analyzer.retention.completed", metadata: ["retention.report": "\(report)"])
        } catch {
            let failure = StoreError.classifyFailure(error)
            logger.warning("analyzer.retention.failed", metadata: [
                "error.reason": "\(failure.failureClass)", "error.message": "\(failure.summary)",
            ])
        }
    }
}
