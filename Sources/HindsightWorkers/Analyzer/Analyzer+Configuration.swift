import Foundation
public import HindsightStore

extension Analyzer {
    /// How an analyzer schedules, what it reads, and when it gives up on an execution.
    public struct Configuration: Sendable, CustomStringConvertible {
        /// Time between the starts of two rounds. Defaults to `60 s`.
        public var interval: Duration = .seconds(60)
        /// Executions started this long ago or later are analysed. Defaults to `30 days`.
        public var window: Duration = .seconds(30 * 86_400)
        /// Written to `analyzed_by` in the insight rows and `analysis_state`. Defaults to `hostname-pid`.
        public var instanceName: String = Analyzer.defaultInstanceName
        /// When a still-running execution counts as abandoned (factor × the domain's p99, with a floor;
        /// a default without finished executions). Defaults to 3, 600 s, 86 400 s.
        public var stale = StaleExecutions.Policy()
        /// Minimum sample size of the learning core's confidence. Defaults to `5`.
        public var minimumSampleSize: Int = 5
        /// A domain analysed longer ago than this is analysed again even without changes: its window
        /// slides and its stale executions need marking. `nil` turns it off. Defaults to `1 hour`.
        public var refreshAfter: Duration? = .seconds(3600)
        /// Retention of raw events and consolidated rows; the analyzer refreshes daily rollups only for
        /// days whose executions are all still kept (`executionDays`).
        public var retention = RetentionRunner.Configuration()

        public init() {}

        public var description: String {
            "interval=\(interval) window=\(window) instance=\(instanceName) stale_factor=\(stale.factor) "
                + "stale_floor_s=\(stale.floorSeconds) stale_default_s=\(stale.defaultSeconds) min_sample=\(minimumSampleSize) "
                + "refresh_after=\(refreshAfter.map { "\($0)" } ?? "off") retention=(\(retention))"
        }
    }

    /// `hostname-pid`: unique among replicas on one host and across hosts.
    public static var defaultInstanceName: String {
        "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
    }
}

extension Analyzer.Configuration {
    /// Reads the analyzer settings through the one configuration reader (``EnvironmentReader``); an unset
    /// variable keeps the default, a set but invalid one throws.
    ///
    /// | key | variable | type | default |
    /// |---|---|---|---|
    /// | `analyzer.intervalSeconds` | `HINDSIGHT_ANALYZER_INTERVAL_SECONDS` | 1…86400 | 60 |
    /// | `analyzer.windowDays` | `HINDSIGHT_ANALYZER_WINDOW_DAYS` | 1…3650 | 30 |
    /// | `analyzer.instance` | `HINDSIGHT_ANALYZER_INSTANCE` | string | hostname-pid |
    /// | `analyzer.staleFactor` | `HINDSIGHT_ANALYZER_STALE_FACTOR` | number 1…1000 | 3 |
    /// | `analyzer.staleFloorSeconds` | `HINDSIGHT_ANALYZER_STALE_FLOOR_SECONDS` | 1…31536000 | 600 |
    /// | `analyzer.staleDefaultSeconds` | `HINDSIGHT_ANALYZER_STALE_DEFAULT_SECONDS` | 1…31536000 | 86400 |
    /// | `analyzer.minSample` | `HINDSIGHT_ANALYZER_MIN_SAMPLE` | 1…1000 | 5 |
    /// | `analyzer.refreshSeconds` | `HINDSIGHT_ANALYZER_REFRESH_SECONDS` | 0…2592000 (0 = off) | 3600 |
    ///
    /// and the `HINDSIGHT_RETENTION_*` settings of ``HindsightStore/RetentionRunner/Configuration/init(environment:)``.
    ///
    /// - Throws: ``ConfigurationError`` naming the first invalid variable and its value.
    package init(environment: EnvironmentReader) throws(ConfigurationError) {
        self.init()
        if let value = try environment.int("analyzer.intervalSeconds", in: 1...86_400) { interval = .seconds(value) }
        if let value = try environment.int("analyzer.windowDays", in: 1...3650) { window = .seconds(value * 86_400) }
        if let value = environment.string("analyzer.instance") { instanceName = value }
        if let value = try environment.value("analyzer.staleFactor", expected: "a number in 1...1000", {
            Double($0).flatMap { (1...1000).contains($0) ? $0 : nil }
        }) {
            stale.factor = value
        }
        if let value = try environment.int("analyzer.staleFloorSeconds", in: 1...31_536_000) { stale.floorSeconds = Double(value) }
        if let value = try environment.int("analyzer.staleDefaultSeconds", in: 1...31_536_000) { stale.defaultSeconds = Double(value) }
        if let value = try environment.int("analyzer.minSample", in: 1...1000) { minimumSampleSize = value }
        if let value = try environment.int("analyzer.refreshSeconds", in: 0...2_592_000) {
            refreshAfter = value == 0 ? nil : .seconds(value)
        }
        retention = try RetentionRunner.Configuration(environment: environment)
    }
}
