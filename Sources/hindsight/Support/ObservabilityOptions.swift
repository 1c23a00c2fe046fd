import ArgumentParser
import HindsightWorkers

import class Foundation.ProcessInfo

/// Where `/metrics`, `/health` and `/ready` listen: `--metrics-host`/`--metrics-port`, else
/// `HINDSIGHT_METRICS_HOST`/`HINDSIGHT_METRICS_PORT`, else `0.0.0.0:9090`.
struct ObservabilityOptions: ParsableArguments {
    @Option(help: "Address of the metrics and health endpoints. Env: HINDSIGHT_METRICS_HOST.")
    var metricsHost: String?

    @Option(help: "Port of the metrics and health endpoints (0 = any free port). Env: HINDSIGHT_METRICS_PORT.")
    var metricsPort: Int?

    func configuration() throws -> ObservabilityServer.Configuration {
        let reader = EnvironmentReader(values: ProcessInfo.processInfo.environment)
        do {
            let port = try metricsPort ?? reader.int("HINDSIGHT_METRICS_PORT", in: 0...65535) ?? 9090
            let host = metricsHost ?? reader.string("HINDSIGHT_METRICS_HOST") ?? "0.0.0.0"
            return ObservabilityServer.Configuration(host: host, port: port)
        } catch {
            throw ExitMessage.line(for: error)
        }
    }
}
