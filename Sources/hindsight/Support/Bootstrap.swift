import HindsightWorkers
import Logging
import Metrics
import Prometheus
import Synchronization

/// Process-wide logging and metrics set-up, done once by every command before it logs anything.
enum Bootstrap {
    private static let done = Mutex<PrometheusCollectorRegistry?>(nil)

    /// Bootstraps swift-log (level from `HINDSIGHT_LOG_LEVEL`, else `defaultLevel`: `info` for workers,
    /// `warning` for the one-shot commands, whose output is their result) and swift-metrics with a
    /// Prometheus registry, and returns that registry.
    ///
    /// - Throws: one line naming `HINDSIGHT_LOG_LEVEL` and its value when the level is not a swift-log level.
    @discardableResult
    static func run(defaultLevel: Logger.Level = .info) throws -> PrometheusCollectorRegistry {
        let level: Logger.Level
        do {
            level = try EnvironmentReader().logLevel("logLevel") ?? defaultLevel
        } catch {
            throw ExitMessage.line(for: error)
        }
        return done.withLock { registry in
            if let registry { return registry }
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
            let created = PrometheusCollectorRegistry()
            MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: created))
            registry = created
            return created
        }
    }
}
