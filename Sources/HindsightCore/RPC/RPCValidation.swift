import Foundation

/// Field checks shared by the request types' decoders; each failure is an ``RPCError`` naming the field.
enum RPCValidation {
    /// `plan[2].name` from a decoder's coding path plus a key.
    static func path(_ codingPath: [any CodingKey], _ key: (any CodingKey)? = nil) -> String {
        var text = ""
        for component in codingPath + (key.map { [$0] } ?? []) {
            if let index = component.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? component.stringValue : ".\(component.stringValue)"
            }
        }
        return text.isEmpty ? "(body)" : text
    }

    /// A non-empty name of at most ``RPCContract/maxNameBytes``.
    static func name(_ value: String, _ field: @autoclosure () -> String) throws(RPCError) {
        guard !value.isEmpty else { throw .invalid(field(), "must not be empty") }
        guard value.utf8.count <= RPCContract.maxNameBytes else {
            throw .invalid(field(), "longer than \(RPCContract.maxNameBytes) bytes")
        }
    }

    /// Free text of at most ``RPCContract/maxTextBytes``.
    static func text(_ value: String, _ field: @autoclosure () -> String) throws(RPCError) {
        guard value.utf8.count <= RPCContract.maxTextBytes else {
            throw .invalid(field(), "longer than \(RPCContract.maxTextBytes) bytes")
        }
    }

    /// A finite number `≥ 0` (seconds).
    static func seconds(_ value: Double, _ field: @autoclosure () -> String) throws(RPCError) {
        guard value.isFinite, value >= 0, value <= 1e9 else { throw .invalid(field(), "must be between 0 and 1e9") }
    }
}

extension KeyedDecodingContainer {
    /// Decodes a required name and checks it.
    func rpcName(_ key: Key) throws -> String {
        let value = try decode(String.self, forKey: key)
        try RPCValidation.name(value, RPCValidation.path(codingPath, key))
        return value
    }

    /// Decodes optional seconds and checks them.
    func rpcSeconds(_ key: Key) throws -> Double? {
        guard let value = try decodeIfPresent(Double.self, forKey: key) else { return nil }
        try RPCValidation.seconds(value, RPCValidation.path(codingPath, key))
        return value
    }
}

extension KeyedEncodingContainer {
    /// Encodes a UUID in lower case (the wire convention; Foundation writes upper case), omitted when `nil`.
    mutating func encodeLowercased(_ id: UUID?, forKey key: Key) throws {
        if let id { try encode(id.uuidString.lowercased(), forKey: key) }
    }
}
