/// The adapter's RPC envelope: methods, headers, versions and limits, defined once for the adapter
/// (server) and `AdapterClient` (agent side). See docs/wire-format.md, "RPC".
///
/// A request is an AMQP message on the `hindsight.rpc` exchange whose `type` property is the
/// ``RPCMethod`` raw value, with the headers ``Header/version`` and ``Header/deadline`` and a UTF-8 JSON
/// body of at most ``maxRequestBytes``.
public enum RPCContract {
    /// The envelope version this build speaks (header ``Header/version``).
    public static let version: Int64 = 1
    /// Largest request body in bytes (64 KiB); bigger requests get ``RPCErrorCode/tooLarge``.
    public static let maxRequestBytes = 64 * 1024
    /// Longest name (domain, phase, error type, dependency), in UTF-8 bytes.
    public static let maxNameBytes = 200
    /// Longest free text (goal, description, error message), in UTF-8 bytes.
    public static let maxTextBytes = 4096
    /// Content type of requests and replies.
    public static let contentType = "application/json"

    /// Header names of the RPC envelope.
    public enum Header {
        /// Envelope version, an integer; a request without it is read as version 1.
        public static let version = "hindsight-version"
        /// Absolute deadline, Unix epoch milliseconds (integer); past it the adapter drops the request.
        public static let deadline = "hindsight-deadline-ms"
    }
}

/// A method the adapter serves; the raw value travels as the AMQP `type` property.
public enum RPCMethod: String, Hashable, Codable, Sendable, CaseIterable {
    /// ``PlanOptimizeRequest`` → ``PlanOptimizeResult``.
    case planOptimize = "plan.optimize"
    /// ``RecoveryStrategyRequest`` → ``RecoveryStrategyResult``.
    case recoveryStrategy = "recovery.strategy"
    /// ``EstimateRequest`` → ``EstimateResult``.
    case estimate
}

/// The code of an error reply.
public enum RPCErrorCode: String, Hashable, Codable, Sendable, CaseIterable {
    /// The body is not JSON (or not UTF-8).
    case invalidJSON = "invalid_json"
    /// The JSON does not make a valid request; the message names the field.
    case invalidRequest = "invalid_request"
    /// The body exceeds ``RPCContract/maxRequestBytes``.
    case tooLarge = "too_large"
    /// The `type` property names no ``RPCMethod``.
    case unknownMethod = "unknown_method"
    /// The `hindsight-version` header is not a version this adapter speaks.
    case unsupportedVersion = "unsupported_version"
    /// The adapter failed; the request may be retried.
    case `internal`
}
