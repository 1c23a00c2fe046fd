public import HindsightCore

/// A failed ``AdapterClient`` call.
///
/// ```swift
/// do {
///     let reply = try await client.optimize(request)
/// } catch .timeout {
///     // No adapter answered in time: run the plan as written.
/// } catch let .server(code, message) where code == .invalidRequest {
///     // A bug in the request; `message` names the field.
/// }
/// ```
public enum AdapterClientError: Error, Hashable, Sendable, CustomStringConvertible {
    /// No reply arrived before the call's timeout (no adapter running, or all of them busy or dead).
    /// The request carried the same deadline, so an adapter that sees it later drops it.
    case timeout(method: RPCMethod, milliseconds: Int64)
    /// The adapter answered with an error reply (`ok: false`).
    case server(code: RPCErrorCode, message: String)
    /// The reply was not a reply envelope this client understands; the text says why.
    case undecodableReply(method: RPCMethod, reason: String)
    /// The broker could not be reached or the connection dropped during the call; the text says why.
    case connection(String)

    /// One line, safe to log (no request or reply bodies).
    public var description: String {
        switch self {
        case let .timeout(method, milliseconds):
            "no reply to \(method.rawValue) within \(milliseconds) ms (is an adapter running?)"
        case let .server(code, message):
            "adapter refused the request: \(code.rawValue): \(message)"
        case let .undecodableReply(method, reason):
            "undecodable reply to \(method.rawValue): \(reason)"
        case let .connection(reason):
            "broker connection failed: \(reason)"
        }
    }
}
