import Testing

import HindsightWorkers

/// `HINDSIGHT_ADAPTER_*`: defaults, every variable read, invalid values refused with the variable's name.
@Suite("Configuration: adapter")
struct AdapterConfigurationTests {
    @Test("unset variables keep the defaults of the brief")
    func defaults() throws {
        let configuration = try Adapter.Configuration(environment: EnvironmentReader(values: [:]))
        #expect(configuration.prefetch == 64 && configuration.refreshInterval == .seconds(30))
        #expect(configuration.maxRequestBytes == 65_536 && configuration.queue == "hindsight.adapter")
        #expect(configuration.instanceName == Adapter.defaultInstanceName && configuration.instanceName.contains("-"))
    }

    @Test("every variable is read")
    func reads() throws {
        let configuration = try Adapter.Configuration(environment: EnvironmentReader(values: [
            "HINDSIGHT_ADAPTER_PREFETCH": "8", "HINDSIGHT_ADAPTER_REFRESH_SECONDS": "5",
            "HINDSIGHT_ADAPTER_MAX_REQUEST_BYTES": "4096", "HINDSIGHT_ADAPTER_INSTANCE": "adapter-2",
            "HINDSIGHT_ADAPTER_QUEUE": "hindsight.test-adapter.private",
        ]))
        #expect(configuration.prefetch == 8 && configuration.refreshInterval == .seconds(5))
        #expect(configuration.maxRequestBytes == 4096 && configuration.instanceName == "adapter-2")
        #expect(configuration.queue == "hindsight.test-adapter.private")
    }

    @Test("an invalid value names its variable", arguments: [
        ("HINDSIGHT_ADAPTER_PREFETCH", "0"), ("HINDSIGHT_ADAPTER_PREFETCH", "many"),
        ("HINDSIGHT_ADAPTER_REFRESH_SECONDS", "0"), ("HINDSIGHT_ADAPTER_MAX_REQUEST_BYTES", "65537"),
    ])
    func refuses(variable: String, value: String) {
        #expect {
            _ = try Adapter.Configuration(environment: EnvironmentReader(values: [variable: value]))
        } throws: { error in
            "\(error)".hasPrefix("invalid \(variable)='\(value)'")
        }
    }
}
