import HindsightCore
import Logging
import Testing

import HindsightWorkers

/// The one configuration reader: swift-configuration's key mapping, strict parsing, one-line errors.
@Suite("Configuration: environment reader")
struct EnvironmentReaderTests {
    static let trackerKeys = [
        "tracker.queue", "tracker.prefetch", "tracker.bufferBytes", "tracker.batchMessages", "tracker.batchEvents",
        "tracker.batchBytes", "tracker.batchDelayMs", "tracker.commitConcurrency", "tracker.maxBackoffMs",
        "tracker.writeTimeoutMs", "tracker.maxStalledWrites", "tracker.declareTopology",
    ]

    @Test("variable names follow swift-configuration's mapping, and the provider reads exactly those names")
    func keyMapping() {
        #expect(EnvironmentReader.variableName(for: "tracker.batchMessages") == "HINDSIGHT_TRACKER_BATCH_MESSAGES")
        #expect(EnvironmentReader.variableName(for: "tracker.batchDelayMs") == "HINDSIGHT_TRACKER_BATCH_DELAY_MS")
        #expect(EnvironmentReader.variableName(for: "logLevel") == "HINDSIGHT_LOG_LEVEL")
        #expect(EnvironmentReader.variableName(for: "amqp.url") == HindsightDefaults.amqpURLEnvironmentKey)
        for key in Self.trackerKeys + ["logLevel", "metrics.port", "metrics.host", "amqp.url", "database.url", "debugErrors"] {
            let reader = EnvironmentReader(values: [EnvironmentReader.variableName(for: key): "value-of-\(key)"])
            #expect(reader.string(key) == "value-of-\(key)", "\(key)")
        }
    }

    @Test("unset and empty variables are the defaults")
    func defaults() throws {
        let empty = try TrackerService.Configuration(environment: EnvironmentReader(values: [:]))
        let blank = try TrackerService.Configuration(
            environment: EnvironmentReader(values: ["HINDSIGHT_TRACKER_BATCH_MESSAGES": "", "HINDSIGHT_LOG_LEVEL": ""]))
        let defaults = TrackerService.Configuration()
        for configuration in [empty, blank] {
            #expect(configuration.batchMessages == defaults.batchMessages)
            #expect(configuration.batchDelay == defaults.batchDelay)
            #expect(configuration.declareTopology == defaults.declareTopology)
        }
        #expect(try EnvironmentReader(values: ["HINDSIGHT_LOG_LEVEL": ""]).logLevel("logLevel") == nil)
    }

    @Test("every tracker setting is read from its variable")
    func trackerSettings() throws {
        let configuration = try TrackerService.Configuration(environment: EnvironmentReader(values: [
            "HINDSIGHT_TRACKER_QUEUE": "shard-3",
            "HINDSIGHT_TRACKER_PREFETCH": "100",
            "HINDSIGHT_TRACKER_BUFFER_BYTES": "1048576",
            "HINDSIGHT_TRACKER_BATCH_MESSAGES": "50",
            "HINDSIGHT_TRACKER_BATCH_EVENTS": "60",
            "HINDSIGHT_TRACKER_BATCH_BYTES": "4096",
            "HINDSIGHT_TRACKER_BATCH_DELAY_MS": "7",
            "HINDSIGHT_TRACKER_COMMIT_CONCURRENCY": "3",
            "HINDSIGHT_TRACKER_MAX_BACKOFF_MS": "900",
            "HINDSIGHT_TRACKER_WRITE_TIMEOUT_MS": "1500",
            "HINDSIGHT_TRACKER_MAX_STALLED_WRITES": "4",
            "HINDSIGHT_TRACKER_DECLARE_TOPOLOGY": "No",
        ]))
        #expect(configuration.queue == "shard-3")
        #expect(configuration.prefetch == 100)
        #expect(configuration.bufferBytes == 1 << 20)
        #expect(configuration.batchMessages == 50)
        #expect(configuration.batchEvents == 60)
        #expect(configuration.batchBytes == 4096)
        #expect(configuration.batchDelay == .milliseconds(7))
        #expect(configuration.commitConcurrency == 3)
        #expect(configuration.maxBackoff == .milliseconds(900))
        #expect(configuration.writeTimeout == .milliseconds(1500))
        #expect(configuration.maxStalledWrites == 4)
        #expect(configuration.declareTopology == false)
    }

    @Test("a set but invalid value is an error naming the variable and the value, never the default", arguments: [
        ("HINDSIGHT_TRACKER_BATCH_MESSAGES", "lots"),
        ("HINDSIGHT_TRACKER_BATCH_MESSAGES", "0"),
        ("HINDSIGHT_TRACKER_PREFETCH", "70000"),
        ("HINDSIGHT_TRACKER_BATCH_DELAY_MS", "-1"),
        ("HINDSIGHT_TRACKER_COMMIT_CONCURRENCY", "2.5"),
        ("HINDSIGHT_TRACKER_DECLARE_TOPOLOGY", "maybe"),
    ])
    func invalidTrackerValue(variable: String, value: String) {
        do {
            _ = try TrackerService.Configuration(environment: EnvironmentReader(values: [variable: value]))
            Issue.record("\(variable)=\(value) was accepted")
        } catch {
            #expect(error.variable == variable)
            #expect(error.description.hasPrefix("invalid \(variable)='\(value)': expected "))
            #expect(!error.description.contains("\n"))
        }
    }

    @Test("log levels: any case accepted; an unknown one is refused with the list of levels")
    func logLevels() throws {
        #expect(try EnvironmentReader(values: ["HINDSIGHT_LOG_LEVEL": "Warning"]).logLevel("logLevel") == .warning)
        #expect(try EnvironmentReader(values: ["HINDSIGHT_LOG_LEVEL": "trace"]).logLevel("logLevel") == .trace)
        let error = #expect(throws: ConfigurationError.self) {
            try EnvironmentReader(values: ["HINDSIGHT_LOG_LEVEL": "verbose"]).logLevel("logLevel")
        }
        #expect(error?.description
            == "invalid HINDSIGHT_LOG_LEVEL='verbose': expected one of trace, debug, info, notice, warning, error, critical")
    }

    @Test("a secret's value is never repeated in an error")
    func secretsAreNotEchoed() {
        let error = ConfigurationError(key: "database.url", value: "postgres://u:hunter2@h/db", expected: "a URL")
        #expect(error.value == nil)
        #expect(!error.description.contains("hunter2"))
        #expect(error.description == "invalid HINDSIGHT_DATABASE_URL: expected a URL")
    }
}
