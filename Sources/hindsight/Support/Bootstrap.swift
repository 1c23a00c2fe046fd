import Logging
import Metrics
import Prometheus
import Synchronization

import class Foundation.ProcessInfo

/// Process-wide logging and metrics set-up, done once by each command that runs a worker.
enum Bootstrap {
    private static let done = Mutex<PrometheusCollectorRegistry?>(nil)

    /// Bootstraps swift-log (level from `HINDSIGHT_LOG_LEVEL`, default `info`) and swift-metrics with a
    /// Prometheus registry, and returns that registry.
    @discardableResult
    static func run(defaultLevel: Logger.Level = .info) -> PrometheusCollectorRegistry {
        done.withLock { registry in
            if let registry { return registry }
            let environment = ProcessInfo.processInfo.environment
            let level = environment["HINDSIGHT_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? defaultLevel
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
