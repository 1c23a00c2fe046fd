package import Logging
package import Metrics
import Synchronization

/// A swift-metrics factory that keeps counter totals in memory, handed to one service under test, so a
/// test reads a metric without bootstrapping the process-wide `MetricsSystem` (which can happen once).
package final class CountingMetricsFactory: MetricsFactory, Sendable {
    private let totals = Mutex<[String: Int64]>([:])

    package init() {}

    /// The total of the counter `label` with exactly these dimensions (`0` when never incremented).
    package func total(_ label: String, _ dimensions: [(String, String)] = []) -> Int64 {
        let key = Self.key(label, dimensions)
        return totals.withLock { $0[key] ?? 0 }
    }

    static func key(_ label: String, _ dimensions: [(String, String)]) -> String {
        ([label] + dimensions.sorted { $0.0 < $1.0 }.map { "\($0.0)=\($0.1)" }).joined(separator: ",")
    }

    package func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        CountingHandler(key: Self.key(label, dimensions), factory: self)
    }

    package func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        NOOPMetricsHandler.instance
    }

    package func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        NOOPMetricsHandler.instance
    }

    package func destroyCounter(_ handler: any CounterHandler) {}
    package func destroyRecorder(_ handler: any RecorderHandler) {}
    package func destroyTimer(_ handler: any TimerHandler) {}

    fileprivate func add(_ amount: Int64, to key: String) {
        totals.withLock { $0[key, default: 0] += amount }
    }

    private final class CountingHandler: CounterHandler, Sendable {
        let key: String
        let factory: CountingMetricsFactory

        init(key: String, factory: CountingMetricsFactory) {
            self.key = key
            self.factory = factory
        }

        func increment(by amount: Int64) { factory.add(amount, to: key) }
        func reset() {}
    }
}

/// Log messages kept in memory: a test checks that something was logged (message and metadata) without
/// touching the process-wide `LoggingSystem`.
package final class RecordingLog: Sendable {
    /// One recorded message.
    package struct Entry: Sendable {
        package var level: Logger.Level
        package var message: String
        package var metadata: [String: String]
    }

    private let entries = Mutex<[Entry]>([])

    package init() {}

    /// Everything logged so far, oldest first.
    package var all: [Entry] { entries.withLock { $0 } }

    /// A logger that records into this log (at `level` and above).
    package func logger(label: String = "hindsight.tests", level: Logger.Level = .info) -> Logger {
        var logger = Logger(label: label) { _ in Handler(log: self) }
        logger.logLevel = level
        return logger
    }

    fileprivate func append(_ entry: Entry) {
        entries.withLock { $0.append(entry) }
    }

    private struct Handler: LogHandler {
        let log: RecordingLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .info

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            var merged = metadata
            if let extra = event.metadata { merged.merge(extra) { _, new in new } }
            log.append(Entry(level: event.level, message: "\(event.message)", metadata: merged.mapValues { "\($0)" }))
        }
    }
}
