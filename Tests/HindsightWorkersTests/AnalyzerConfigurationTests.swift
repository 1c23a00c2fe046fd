import Testing

import HindsightStore
import HindsightWorkers

/// `HINDSIGHT_ANALYZER_*`: defaults, every variable read, invalid values refused with the variable's name.
@Suite("Configuration: analyzer")
struct AnalyzerConfigurationTests {
    @Test("unset variables keep the defaults of the issue")
    func defaults() throws {
        let configuration = try Analyzer.Configuration(environment: EnvironmentReader(values: [:]))
        #expect(configuration.interval == .seconds(60))
        #expect(configuration.window == .seconds(30 * 86_400))
        #expect(configuration.stale.factor == 3 && configuration.stale.floorSeconds == 600 && configuration.stale.defaultSeconds == 86_400)
        #expect(configuration.minimumSampleSize == 5)
        #expect(configuration.refreshAfter == .seconds(3600))
        #expect(configuration.instanceName == Analyzer.defaultInstanceName && configuration.instanceName.contains("-"))
    }

    @Test("every variable is read")
    func reads() throws {
        let configuration = try Analyzer.Configuration(environment: EnvironmentReader(values: [
            "HINDSIGHT_ANALYZER_INTERVAL_SECONDS": "5", "HINDSIGHT_ANALYZER_WINDOW_DAYS": "7",
            "HINDSIGHT_ANALYZER_INSTANCE": "analyzer-2", "HINDSIGHT_ANALYZER_STALE_FACTOR": "2.5",
            "HINDSIGHT_ANALYZER_STALE_FLOOR_SECONDS": "120", "HINDSIGHT_ANALYZER_STALE_DEFAULT_SECONDS": "3600",
            "HINDSIGHT_ANALYZER_MIN_SAMPLE": "10", "HINDSIGHT_ANALYZER_REFRESH_SECONDS": "0",
        ]))
        #expect(configuration.interval == .seconds(5) && configuration.window == .seconds(7 * 86_400))
        #expect(configuration.instanceName == "analyzer-2")
        #expect(configuration.stale.factor == 2.5 && configuration.stale.floorSeconds == 120 && configuration.stale.defaultSeconds == 3600)
        #expect(configuration.minimumSampleSize == 10 && configuration.refreshAfter == nil)
    }

    @Test("an invalid value names its variable", arguments: [
        ("HINDSIGHT_ANALYZER_INTERVAL_SECONDS", "0"), ("HINDSIGHT_ANALYZER_WINDOW_DAYS", "month"),
        ("HINDSIGHT_ANALYZER_STALE_FACTOR", "0.5"), ("HINDSIGHT_ANALYZER_STALE_FACTOR", "x"),
        ("HINDSIGHT_ANALYZER_MIN_SAMPLE", "-1"), ("HINDSIGHT_ANALYZER_REFRESH_SECONDS", "1e9"),
    ])
    func refuses(variable: String, value: String) {
        #expect {
            _ = try Analyzer.Configuration(environment: EnvironmentReader(values: [variable: value]))
        } throws: { error in
            "\(error)".hasPrefix("invalid \(variable)='\(value)'")
        }
    }
}
