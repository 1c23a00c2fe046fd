import ArgumentParser
import HindsightWorkers

/// Where `/metrics`, `/health` and `/ready` listen: `--metrics-host`/`--metrics-port`, else
/// `HINDSIGHT_METRICS_HOST`/`HINDSIGHT_METRICS_PORT` (keys `metrics.host`, `metrics.port`), else `0.0.0.0:9090`.
struct ObservabilityOptions: ParsableArguments {
    @Option(help: "Address of the metrics and health endpoints. Env: HINDSIGHT_METRICS_HOST.")
    var metricsHost: String?

    @Option(help: "Port of the metrics and health endpoints (0 = any free port). Env: HINDSIGHT_METRICS_PORT.")
    var metricsPort: Int?

    func validate() throws {
        if let metricsPort, !(0...65535).contains(metricsPort) { throw ValidationError("--metrics-port must be 0…65535") }
    }

    /// - Throws: one line naming the variable when a value is invalid.
    func configuration() throws -> ObservabilityServer.Configuration {
        let reader = EnvironmentReader()
        do {
            let port = try metricsPort ?? reader.int("metrics.port", in: 0...65535) ?? 9090
            let host = metricsHost ?? reader.string("metrics.host") ?? "0.0.0.0"
            return ObservabilityServer.Configuration(host: host, port: port)
        } catch {
            throw ExitMessage.line(for: error)
        }
    }
}
