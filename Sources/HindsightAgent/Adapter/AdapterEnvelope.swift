public import AMQP
import Foundation
public import HindsightCore

/// The pure half of ``AdapterClient``: builds request envelopes and reads reply bodies, without I/O,
/// so both are unit-tested on their own. The layout is docs/wire-format.md, "RPC".
public enum AdapterEnvelope {
    /// The exchange requests are published to (``WireContract/rpcExchange``).
    public static let exchange = WireContract.rpcExchange
    /// The routing key that reaches the adapter queue (``WireContract/adapterRoutingKey``).
    public static let routingKey = WireContract.adapterRoutingKey

    /// The properties of a request: `type` = method, `hindsight-version`, the absolute deadline
    /// `hindsight-deadline-ms` = `nowMilliseconds` + `timeout`, and the same TTL as `expiration`.
    ///
    /// `reply_to` and `correlation_id` are left for `AMQPRPCClient`, which owns them.
    public static func properties(method: RPCMethod, timeout: Duration, nowMilliseconds: Int64) -> AMQPProperties {
        let milliseconds = max(1, timeout.wholeMilliseconds)
        return AMQPProperties(
            contentType: RPCContract.contentType,
            headers: [
                RPCContract.Header.version: .int(RPCContract.version),
                RPCContract.Header.deadline: .int(nowMilliseconds + milliseconds),
            ],
            deliveryMode: .transient, expiration: String(milliseconds), type: method.rawValue)
    }

    /// The JSON body of a request (compact, sorted keys: the same encoder the adapter uses).
    public static func body(_ request: some Encodable) -> [UInt8] {
        RPCCodec.encode(request)
    }

    /// Reads a reply body: the reply on `ok: true`.
    ///
    /// - Throws: ``AdapterClientError/server(code:message:)`` for an error reply,
    ///   ``AdapterClientError/undecodableReply(method:reason:)`` for anything else.
    public static func decodeReply<Result: Codable & Sendable>(
        _ result: Result.Type, method: RPCMethod, from body: [UInt8]
    ) throws(AdapterClientError) -> RPCReply<Result> {
        let response: RPCResponse<Result>
        do {
            response = try JSONDecoder().decode(RPCResponse<Result>.self, from: Data(body))
        } catch let error as DecodingError {
            throw .undecodableReply(method: method, reason: describe(error))
        } catch {
            throw .undecodableReply(method: method, reason: "\(error)")
        }
        switch response {
        case let .success(reply): return reply
        case let .failure(reply): throw .server(code: reply.error.code, message: reply.error.message)
        }
    }

    /// Unix epoch milliseconds now (the clock the adapter compares deadlines with).
    public static func nowMilliseconds() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case let .keyNotFound(key, context):
            "missing \((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))"
        case let .typeMismatch(_, context), let .valueNotFound(_, context):
            "wrong type at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        case let .dataCorrupted(context):
            context.codingPath.isEmpty ? "not JSON" : "invalid value at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        @unknown default:
            "\(error)"
        }
    }
}

extension Duration {
    /// Whole milliseconds, rounded up so a sub-millisecond timeout is never 0.
    var wholeMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
    }
}
