/// A typed RPC failure: what the adapter replies with `ok: false`, and what request decoding throws.
public struct RPCError: Error, Hashable, Codable, Sendable {
    /// The error class.
    public var code: RPCErrorCode
    /// One line for humans; for ``RPCErrorCode/invalidRequest`` it starts with the field's path
    /// (e.g. `plan[2].name: longer than 200 bytes`).
    public var message: String

    /// Creates an error.
    public init(code: RPCErrorCode, message: String) {
        self.code = code
        self.message = message
    }

    /// An ``RPCErrorCode/invalidRequest`` error naming `field`.
    public static func invalid(_ field: String, _ problem: String) -> RPCError {
        RPCError(code: .invalidRequest, message: "\(field): \(problem)")
    }
}

/// The reply body of a failed request: `{"ok": false, "error": {"code": "...", "message": "..."}}`.
public struct RPCErrorReply: Hashable, Codable, Sendable {
    /// Always `false`.
    public var ok: Bool
    /// What went wrong.
    public var error: RPCError

    /// Creates an error reply.
    public init(error: RPCError) {
        self.ok = false
        self.error = error
    }
}
