import CRabbitMQ
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Conversions between Swift values and rabbitmq-c structures. Outgoing C structures are built in
// an `Arena` (an amqp_pool_t) that lives on the connection thread and is recycled after each use,
// so encoding costs no per-field malloc/free pairs.

final class Arena {
    private let pool: UnsafeMutablePointer<amqp_pool_t>

    init() {
        pool = .allocate(capacity: 1)
        init_amqp_pool(pool, 16 * 1024)
    }

    deinit {
        empty_amqp_pool(pool)
        pool.deallocate()
    }

    /// Invalidates everything allocated since the last reset.
    func reset() { recycle_amqp_pool(pool) }

    private func allocate(_ count: Int) -> UnsafeMutableRawPointer {
        guard let p = amqp_pool_alloc(pool, count) else { fatalError("rabbitmq-c pool allocation of \(count) bytes failed") }
        return p
    }

    func bytes(_ s: String) -> amqp_bytes_t {
        var s = s
        return s.withUTF8 { bytes(UnsafeRawBufferPointer($0)) }
    }

    func bytes(_ b: UnsafeRawBufferPointer) -> amqp_bytes_t {
        guard let base = b.baseAddress, b.count > 0 else { return amqp_bytes_t(len: 0, bytes: nil) }
        let p = allocate(b.count)
        p.copyMemory(from: base, byteCount: b.count)
        return amqp_bytes_t(len: b.count, bytes: p)
    }

    func table(_ t: AMQPTable) -> amqp_table_t {
        guard !t.isEmpty else { return amqp_table_t(num_entries: 0, entries: nil) }
        let entries = allocate(MemoryLayout<amqp_table_entry_t>.stride * t.count)
            .bindMemory(to: amqp_table_entry_t.self, capacity: t.count)
        for (i, key) in t.keys.sorted().enumerated() {
            entries[i] = amqp_table_entry_t(key: bytes(key), value: field(t[key] ?? .void))
        }
        return amqp_table_t(num_entries: Int32(t.count), entries: entries)
    }

    func field(_ v: AMQPFieldValue) -> amqp_field_value_t {
        var f = amqp_field_value_t()
        func kind(_ k: amqp_field_value_kind_t) { f.kind = UInt8(truncatingIfNeeded: k.rawValue) }
        switch v {
        case .bool(let b): kind(AMQP_FIELD_KIND_BOOLEAN); f.value.boolean = b ? 1 : 0
        case .int(let i): kind(AMQP_FIELD_KIND_I64); f.value.i64 = i
        case .double(let d): kind(AMQP_FIELD_KIND_F64); f.value.f64 = d
        case .string(let s): kind(AMQP_FIELD_KIND_UTF8); f.value.bytes = bytes(s)
        case .bytes(let b): kind(AMQP_FIELD_KIND_BYTES); f.value.bytes = b.withUnsafeBytes { bytes($0) }
        case .timestamp(let d): kind(AMQP_FIELD_KIND_TIMESTAMP); f.value.u64 = UInt64(max(0, d.timeIntervalSince1970))
        case .decimal(let scale, let value):
            kind(AMQP_FIELD_KIND_DECIMAL); f.value.decimal = amqp_decimal_t(decimals: scale, value: value)
        case .table(let t): kind(AMQP_FIELD_KIND_TABLE); f.value.table = table(t)
        case .array(let a):
            kind(AMQP_FIELD_KIND_ARRAY)
            let entries = allocate(MemoryLayout<amqp_field_value_t>.stride * max(a.count, 1))
                .bindMemory(to: amqp_field_value_t.self, capacity: max(a.count, 1))
            for (i, e) in a.enumerated() { entries[i] = field(e) }
            f.value.array = amqp_array_t(num_entries: Int32(a.count), entries: entries)
        case .void: kind(AMQP_FIELD_KIND_VOID)
        }
        return f
    }

    func properties(_ p: AMQPProperties) -> amqp_basic_properties_t {
        var c = amqp_basic_properties_t()
        var flags: UInt32 = 0
        func field(_ value: String?, _ flag: Int32) -> amqp_bytes_t {
            guard let value else { return amqp_bytes_t(len: 0, bytes: nil) }
            flags |= UInt32(flag)
            return bytes(value)
        }
        c.content_type = field(p.contentType, AMQP_BASIC_CONTENT_TYPE_FLAG)
        c.content_encoding = field(p.contentEncoding, AMQP_BASIC_CONTENT_ENCODING_FLAG)
        c.correlation_id = field(p.correlationID, AMQP_BASIC_CORRELATION_ID_FLAG)
        c.reply_to = field(p.replyTo, AMQP_BASIC_REPLY_TO_FLAG)
        c.expiration = field(p.expiration, AMQP_BASIC_EXPIRATION_FLAG)
        c.message_id = field(p.messageID, AMQP_BASIC_MESSAGE_ID_FLAG)
        c.type = field(p.type, AMQP_BASIC_TYPE_FLAG)
        c.user_id = field(p.userID, AMQP_BASIC_USER_ID_FLAG)
        c.app_id = field(p.appID, AMQP_BASIC_APP_ID_FLAG)
        if !p.headers.isEmpty {
            c.headers = table(p.headers)
            flags |= UInt32(AMQP_BASIC_HEADERS_FLAG)
        }
        if let mode = p.deliveryMode {
            c.delivery_mode = mode.rawValue
            flags |= UInt32(AMQP_BASIC_DELIVERY_MODE_FLAG)
        }
        if let priority = p.priority {
            c.priority = priority
            flags |= UInt32(AMQP_BASIC_PRIORITY_FLAG)
        }
        if let ts = p.timestamp {
            c.timestamp = UInt64(max(0, ts.timeIntervalSince1970))
            flags |= UInt32(AMQP_BASIC_TIMESTAMP_FLAG)
        }
        c._flags = flags
        return c
    }
}

extension String {
    init(amqp b: amqp_bytes_t) {
        guard let p = b.bytes, b.len > 0 else { self = ""; return }
        self = String(decoding: UnsafeRawBufferPointer(start: p, count: b.len), as: UTF8.self)
    }

    /// Whether this string's UTF-8 equals `b` (avoids re-creating identical routing keys).
    func equals(amqp b: amqp_bytes_t) -> Bool {
        var s = self
        return s.withUTF8 { u in
            guard u.count == b.len else { return false }
            guard let base = u.baseAddress, let p = b.bytes else { return u.count == 0 }
            return memcmp(base, p, u.count) == 0
        }
    }
}

extension Array where Element == UInt8 {
    init(amqp b: amqp_bytes_t) {
        guard let p = b.bytes, b.len > 0 else { self = []; return }
        self = Array(UnsafeRawBufferPointer(start: p, count: b.len))
    }
}

extension AMQPFieldValue {
    init(decoding f: amqp_field_value_t) {
        switch amqp_field_value_kind_t(rawValue: UInt32(f.kind)) {
        case AMQP_FIELD_KIND_BOOLEAN: self = .bool(f.value.boolean != 0)
        case AMQP_FIELD_KIND_I8: self = .int(Int64(f.value.i8))
        case AMQP_FIELD_KIND_U8: self = .int(Int64(f.value.u8))
        case AMQP_FIELD_KIND_I16: self = .int(Int64(f.value.i16))
        case AMQP_FIELD_KIND_U16: self = .int(Int64(f.value.u16))
        case AMQP_FIELD_KIND_I32: self = .int(Int64(f.value.i32))
        case AMQP_FIELD_KIND_U32: self = .int(Int64(f.value.u32))
        case AMQP_FIELD_KIND_I64: self = .int(f.value.i64)
        case AMQP_FIELD_KIND_U64: self = .int(Int64(truncatingIfNeeded: f.value.u64))
        case AMQP_FIELD_KIND_F32: self = .double(Double(f.value.f32))
        case AMQP_FIELD_KIND_F64: self = .double(f.value.f64)
        case AMQP_FIELD_KIND_DECIMAL: self = .decimal(scale: f.value.decimal.decimals, value: f.value.decimal.value)
        case AMQP_FIELD_KIND_UTF8: self = .string(String(amqp: f.value.bytes))
        case AMQP_FIELD_KIND_BYTES: self = .bytes([UInt8](amqp: f.value.bytes))
        case AMQP_FIELD_KIND_TIMESTAMP: self = .timestamp(Date(timeIntervalSince1970: Double(f.value.u64)))
        case AMQP_FIELD_KIND_TABLE: self = .table(AMQPTable(decoding: f.value.table))
        case AMQP_FIELD_KIND_ARRAY:
            let a = f.value.array
            var out: [AMQPFieldValue] = []
            if let entries = a.entries, a.num_entries > 0 {
                out.reserveCapacity(Int(a.num_entries))
                for i in 0..<Int(a.num_entries) { out.append(AMQPFieldValue(decoding: entries[i])) }
            }
            self = .array(out)
        default: self = .void
        }
    }
}

extension Dictionary where Key == String, Value == AMQPFieldValue {
    init(decoding t: amqp_table_t) {
        self.init()
        guard let entries = t.entries, t.num_entries > 0 else { return }
        reserveCapacity(Int(t.num_entries))
        for i in 0..<Int(t.num_entries) {
            self[String(amqp: entries[i].key)] = AMQPFieldValue(decoding: entries[i].value)
        }
    }
}

extension AMQPProperties {
    /// Decodes properties; strings equal to those of `previous` are reused instead of allocated
    /// (consecutive messages usually repeat their content type, app id, type…).
    init(decoding c: amqp_basic_properties_t, previous: AMQPProperties? = nil) {
        let flags = c._flags
        func has(_ flag: Int32) -> Bool { flags & UInt32(flag) != 0 }
        func str(_ flag: Int32, _ b: amqp_bytes_t, _ old: String?) -> String? {
            guard has(flag) else { return nil }
            if let old, old.equals(amqp: b) { return old }
            return String(amqp: b)
        }
        self.init(
            contentType: str(AMQP_BASIC_CONTENT_TYPE_FLAG, c.content_type, previous?.contentType),
            contentEncoding: str(AMQP_BASIC_CONTENT_ENCODING_FLAG, c.content_encoding, previous?.contentEncoding),
            headers: has(AMQP_BASIC_HEADERS_FLAG) ? AMQPTable(decoding: c.headers) : [:],
            deliveryMode: has(AMQP_BASIC_DELIVERY_MODE_FLAG) ? DeliveryMode(rawValue: c.delivery_mode) : nil,
            priority: has(AMQP_BASIC_PRIORITY_FLAG) ? c.priority : nil,
            correlationID: str(AMQP_BASIC_CORRELATION_ID_FLAG, c.correlation_id, previous?.correlationID),
            replyTo: str(AMQP_BASIC_REPLY_TO_FLAG, c.reply_to, previous?.replyTo),
            expiration: str(AMQP_BASIC_EXPIRATION_FLAG, c.expiration, previous?.expiration),
            messageID: str(AMQP_BASIC_MESSAGE_ID_FLAG, c.message_id, previous?.messageID),
            timestamp: has(AMQP_BASIC_TIMESTAMP_FLAG) ? Date(timeIntervalSince1970: Double(c.timestamp)) : nil,
            type: str(AMQP_BASIC_TYPE_FLAG, c.type, previous?.type),
            userID: str(AMQP_BASIC_USER_ID_FLAG, c.user_id, previous?.userID),
            appID: str(AMQP_BASIC_APP_ID_FLAG, c.app_id, previous?.appID))
    }
}

extension Duration {
    var cTimeval: timeval {
        let c = components
        return timeval(tv_sec: Int(c.seconds), tv_usec: Int(c.attoseconds / 1_000_000_000_000))
    }

    var milliseconds: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }
}
