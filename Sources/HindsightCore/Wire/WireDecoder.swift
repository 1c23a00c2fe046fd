import Foundation

// Message-level decoding: single event vs batch, schema version, batch limits, duplicates.
//
// Error ranking, so that a message gets one deterministic reason: oversize and the schema header are
// checked before parsing; then the whole body is parsed, and syntax errors abort at once (reported as
// `invalid_utf8` if the body holds invalid UTF-8 anywhere, else `invalid_json`). Semantic errors are
// only recorded while parsing and thrown after the body proved well-formed: message-level ones first
// (schema, `events` type, batch size), then the first failing event in document order.

/// A semantic error waiting for the parse to finish; `path` is relative to its event.
struct PendingError {
    var reason: WireError.Reason
    var path: String
    var rule: String

    func error(index: Int?) -> WireError {
        if let index { return WireError(reason, "events[\(index)].\(path): \(rule)") }
        return WireError(reason, "\(path): \(rule)")
    }
}

/// The value of a `"schema"` member.
enum SchemaMember { case absent, one, other }

/// What the top-level object says about being a batch.
struct BatchState {
    var isBatch = false
    var events: [WireEvent] = []
    var messageError: PendingError?
    var firstEventError: WireError?
    var tooMany = false

    mutating func fail(_ reason: WireError.Reason, _ path: String, _ rule: String) {
        if messageError == nil { messageError = PendingError(reason: reason, path: path, rule: rule) }
    }
}

struct WireDecoder {
    var reader: JSONReader
    let limits: WireLimits
    let now: Int64

    static func decode(
        _ body: UnsafeBufferPointer<UInt8>, schemaHeader: Int?, limits: WireLimits, now: Int64
    ) throws(WireError) -> [WireEvent] {
        guard body.count <= limits.maxMessageBytes else {
            throw WireError(.oversize, "body: \(body.count) bytes, limit \(limits.maxMessageBytes)")
        }
        if let schemaHeader, schemaHeader != WireFormat.schemaVersion {
            throw WireError(.unsupportedSchema, "header hindsight-schema: \(schemaHeader), expected 1")
        }
        guard let base = body.baseAddress, body.count > 0 else {
            throw WireError(.invalidJSON, "body: empty")
        }
        var decoder = WireDecoder(
            reader: JSONReader(base, count: body.count, maxDepth: limits.maxDepth), limits: limits, now: now)
        defer { decoder.reader.deallocate() }
        do throws(WireError) {
            return try decoder.decodeMessage()
        } catch {
            if error.reason == .invalidJSON, let offset = JSONReader.firstInvalidUTF8(body) {
                throw WireError(.invalidUTF8, "byte \(offset): invalid UTF-8")
            }
            throw error
        }
    }

    mutating func decodeMessage() throws(WireError) -> [WireEvent] {
        guard try reader.peek() == 0x7B else {
            try reader.skipValue(depth: 0)
            try reader.expectEnd()
            throw WireError(.notAnObject, "body: top-level value is not an object")
        }
        var batch = BatchState()
        let fields = try parseEvent(depth: 1, batch: &batch)
        try reader.expectEnd()
        if batch.isBatch {
            switch fields.schema {
            case .absent: throw WireError(.missingField, "schema: required in a batch")
            case .other: throw WireError(.unsupportedSchema, "schema: expected 1")
            case .one: break
            }
            if let pending = batch.messageError { throw pending.error(index: nil) }
            if batch.tooMany {
                throw WireError(.tooManyEvents, "events: more than \(limits.maxEventsPerBatch) events")
            }
            if let error = batch.firstEventError { throw error }
            if batch.events.isEmpty { throw WireError(.emptyBatch, "events: empty") }
            return try Self.collapseDuplicates(batch.events)
        }
        if fields.schema == .other { throw WireError(.unsupportedSchema, "schema: expected 1") }
        if let pending = batch.messageError { throw pending.error(index: nil) }
        return [try finish(fields, index: nil)]
    }

    /// Parses the `events` array of a batch (the reader is at its value); `depth` is the top level's.
    mutating func parseEvents(depth: Int, batch: inout BatchState) throws(WireError) {
        guard try reader.peek() == 0x5B else {
            batch.fail(.wrongType, "events", "must be an array")
            try reader.skipValue(depth: depth)
            return
        }
        try reader.enter(0x5B, depth: depth + 1)
        if try reader.isEmpty(close: 0x5D) { return }
        batch.events.reserveCapacity(64)
        var index = 0
        repeat {
            defer { index += 1 }
            if index >= limits.maxEventsPerBatch { batch.tooMany = true }
            if batch.tooMany || batch.firstEventError != nil {
                try reader.skipValue(depth: depth + 1)  // still checks syntax
                continue
            }
            guard try reader.peek() == 0x7B else {
                batch.firstEventError = WireError(.wrongType, "events[\(index)]: must be an object")
                try reader.skipValue(depth: depth + 1)
                continue
            }
            var inner = BatchState()
            let fields = try parseEvent(depth: depth + 2, batch: &inner)
            if fields.schema == .other {
                batch.firstEventError = WireError(.unsupportedSchema, "events[\(index)].schema: expected 1")
                continue
            }
            do throws(WireError) {
                batch.events.append(try finish(fields, index: index))
            } catch {
                batch.firstEventError = error
            }
        } while try reader.next(close: 0x5D)
    }

    /// Checks required members and every value rule, then builds the event.
    func finish(_ f: EventFields, index: Int?) throws(WireError) -> WireEvent {
        if let pending = f.error { throw pending.error(index: index) }
        func missing(_ path: String) -> WireError {
            PendingError(reason: .missingField, path: path, rule: "required").error(index: index)
        }
        guard let eventID = f.eventID else { throw missing("event_id") }
        guard let executionID = f.executionID else { throw missing("execution_id") }
        guard let seq = f.seq else { throw missing("seq") }
        guard let ts = f.ts else { throw missing("ts") }
        guard let type = f.type else { throw missing("type") }
        guard let domain = f.domain else { throw missing("domain") }
        var payload = f.payload
        if type == .phaseCompleted, payload.success == nil { payload.success = true }
        let event = WireEvent(
            eventID: eventID, executionID: executionID, seq: seq, timestampMicros: ts, type: type,
            domain: domain, phase: f.phase, payload: payload)
        do throws(WireError) {
            try event.validate(limits: limits, now: now)
        } catch {
            if let index { throw WireError(error.reason, "events[\(index)].\(error.detail)") }
            throw error
        }
        return event
    }

    /// Drops exact repeats of an event; rejects same `event_id` with different content.
    static func collapseDuplicates(_ events: [WireEvent]) throws(WireError) -> [WireEvent] {
        guard events.count > 1 else { return events }
        var firstIndex: [UUID: Int] = [:]
        firstIndex.reserveCapacity(events.count)
        var unique: [WireEvent] = []
        unique.reserveCapacity(events.count)
        for (index, event) in events.enumerated() {
            if let earlier = firstIndex[event.eventID] {
                guard events[earlier] == event else {
                    throw WireError(
                        .duplicateEventID,
                        "events[\(index)].event_id: same as events[\(earlier)] with different content")
                }
                continue
            }
            firstIndex[event.eventID] = index
            unique.append(event)
        }
        return unique
    }
}
