/// Whether the adapter's database answered its last refresh.
public enum RPCDatabaseState: String, Hashable, Codable, Sendable {
    /// The last refresh succeeded.
    case available
    /// The last refresh failed: answers come from the cache as it was.
    case unavailable
}

/// The reply body of a successful request:
/// `{"ok": true, "result": {...}, "served_from": "cache", "database": ..., "insights_computed_at": ..., "adapter": ...}`.
public struct RPCReply<Result: Codable & Sendable>: Codable, Sendable {
    /// Always `true`.
    public var ok: Bool
    /// The method's result.
    public var result: Result
    /// Where the insights came from; always `"cache"` (the adapter never reads insights per request).
    public var servedFrom: String
    /// Whether the database answered the last refresh.
    public var database: RPCDatabaseState
    /// When the analyzer computed the domain's insights (RFC 3339), `nil` without history.
    public var insightsComputedAt: String?
    /// The answering adapter instance.
    public var adapter: String

    /// Creates a successful reply.
    public init(result: Result, database: RPCDatabaseState, insightsComputedAt: String?, adapter: String) {
        self.ok = true
        self.result = result
        self.servedFrom = "cache"
        self.database = database
        self.insightsComputedAt = insightsComputedAt
        self.adapter = adapter
    }

    private enum CodingKeys: String, CodingKey {
        case ok, result, database, adapter
        case servedFrom = "served_from"
        case insightsComputedAt = "insights_computed_at"
    }
}

extension RPCReply: Equatable where Result: Equatable {}

/// Either reply body, as a client reads it (decided by `ok`).
public enum RPCResponse<Result: Codable & Sendable>: Decodable, Sendable {
    /// `ok: true`.
    case success(RPCReply<Result>)
    /// `ok: false`.
    case failure(RPCErrorReply)

    private enum CodingKeys: String, CodingKey { case ok }

    public init(from decoder: any Decoder) throws {
        let ok = try decoder.container(keyedBy: CodingKeys.self).decode(Bool.self, forKey: .ok)
        self = ok ? .success(try RPCReply<Result>(from: decoder)) : .failure(try RPCErrorReply(from: decoder))
    }
}
