import Foundation

/// Decodes request bodies into validated requests and encodes replies, every failure an ``RPCError``.
public enum RPCCodec {
    /// Decodes a request body.
    ///
    /// - Throws: ``RPCErrorCode/tooLarge`` above ``RPCContract/maxRequestBytes``,
    ///   ``RPCErrorCode/invalidJSON`` for bytes that are not a JSON object,
    ///   ``RPCErrorCode/invalidRequest`` naming the field otherwise.
    public static func decode<Request: Decodable>(_ type: Request.Type, from body: some Collection<UInt8>) throws(RPCError) -> Request {
        guard body.count <= RPCContract.maxRequestBytes else {
            throw RPCError(code: .tooLarge, message: "request of \(body.count) bytes exceeds \(RPCContract.maxRequestBytes)")
        }
        let data = Data(body)
        do {
            return try JSONDecoder().decode(Request.self, from: data)
        } catch let error as RPCError {
            throw error
        } catch {
            // Only a failed decode pays for a second parse: it tells bad JSON (or a body that is not an
            // object) from a field error, which the decoder's errors do not say reliably. The success
            // path parses once (the pre-parse was a fifth of the adapter's CPU per request).
            try classifySyntax(data)
            if let error = error as? DecodingError { throw map(error) }
            throw RPCError(code: .invalidRequest, message: "\(error)")
        }
    }

    /// Throws ``RPCErrorCode/invalidJSON`` for bytes that are not JSON and ``RPCErrorCode/invalidRequest``
    /// for JSON that is not an object; returns for a JSON object.
    private static func classifySyntax(_ data: Data) throws(RPCError) {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data, options: [])
        } catch {
            throw RPCError(code: .invalidJSON, message: "body is not valid UTF-8 JSON")
        }
        guard object is [String: Any] else { throw RPCError.invalid("(body)", "must be a JSON object") }
    }

    /// Encodes a reply (or any result) as compact JSON with sorted keys.
    public static func encode(_ value: some Encodable) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return Array(try encoder.encode(value))
        } catch {
            // Only non-finite numbers fail to encode; the handlers never produce them. Never trap.
            return Array(#"{"ok":false,"error":{"code":"internal","message":"reply could not be encoded"}}"#.utf8)
        }
    }

    /// The body of an error reply.
    public static func errorBody(_ error: RPCError) -> [UInt8] {
        encode(RPCErrorReply(error: error))
    }

    static func map(_ error: DecodingError) -> RPCError {
        switch error {
        case let .keyNotFound(key, context):
            return .invalid(RPCValidation.path(context.codingPath, key), "required")
        case let .typeMismatch(type, context):
            return .invalid(RPCValidation.path(context.codingPath), "expected \(describe(type))")
        case let .valueNotFound(type, context):
            return .invalid(RPCValidation.path(context.codingPath), "expected \(describe(type)), got null")
        case let .dataCorrupted(context):
            return .invalid(RPCValidation.path(context.codingPath), context.debugDescription)
        @unknown default:
            return RPCError(code: .invalidRequest, message: "\(error)")
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "a boolean"
        case is Int.Type: "an integer"
        case is Double.Type: "a number"
        case is UUID.Type: "a UUID string"
        default: type is any Collection.Type ? "an array" : "an object"
        }
    }
}
