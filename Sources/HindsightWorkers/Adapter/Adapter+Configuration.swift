import Foundation
import HindsightCore

/// The adaptation worker: answers `plan.optimize`, `recovery.strategy` and `estimate` from cached insights.
public enum Adapter {
    /// How an adapter serves.
    public struct Configuration: Sendable, CustomStringConvertible {
        /// Most requests handled at once (the consumer's prefetch). Defaults to `64`.
        public var prefetch: Int = 64
        /// Time between two full reloads of the insights (besides `LISTEN hindsight_insights`). Defaults to `30 s`.
        public var refreshInterval: Duration = .seconds(30)
        /// Largest request body; bigger ones get `too_large`. Defaults to (and at most) 64 KiB.
        public var maxRequestBytes: Int = RPCContract.maxRequestBytes
        /// Named in every reply (`adapter`) and in the logs. Defaults to `hostname-pid`.
        public var instanceName: String = Adapter.defaultInstanceName
        /// The request queue. Defaults to `hindsight.adapter`.
        public var queue: String = WireContract.adapterQueue

        public init() {}

        public var description: String {
            "prefetch=\(prefetch) refresh=\(refreshInterval) max_request_bytes=\(maxRequestBytes) instance=\(instanceName) queue=\(queue)"
        }
    }

    /// `hostname-pid`: unique among replicas on one host and across hosts.
    public static var defaultInstanceName: String {
        "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
    }
}

extension Adapter.Configuration {
    /// Reads the adapter settings through ``EnvironmentReader``; an unset variable keeps the default, a set
    /// but invalid one throws.
    ///
    /// | key | variable | type | default |
    /// |---|---|---|---|
    /// | `adapter.prefetch` | `HINDSIGHT_ADAPTER_PREFETCH` | 1…65535 | 64 |
    /// | `adapter.refreshSeconds` | `HINDSIGHT_ADAPTER_REFRESH_SECONDS` | 1…86400 | 30 |
    /// | `adapter.maxRequestBytes` | `HINDSIGHT_ADAPTER_MAX_REQUEST_BYTES` | 1024…65536 | 65536 |
    /// | `adapter.instance` | `HINDSIGHT_ADAPTER_INSTANCE` | string | hostname-pid |
    /// | `adapter.queue` | `HINDSIGHT_ADAPTER_QUEUE` | string | hindsight.adapter |
    ///
    /// - Throws: ``ConfigurationError`` naming the first invalid variable and its value.
    package init(environment: EnvironmentReader) throws(ConfigurationError) {
        self.init()
        if let value = try environment.int("adapter.prefetch", in: 1...65_535) { prefetch = value }
        if let value = try environment.int("adapter.refreshSeconds", in: 1...86_400) { refreshInterval = .seconds(value) }
        if let value = try environment.int("adapter.maxRequestBytes", in: 1024...RPCContract.maxRequestBytes) { maxRequestBytes = value }
        if let value = environment.string("adapter.instance") { instanceName = value }
        if let value = environment.string("adapter.queue") { queue = value }
    }
}
