public import Foundation
public import HindsightCore

/// Turns a ``SeedExecution`` into the wire events a live agent would have published for it.
///
/// Pure (the clock is a parameter). The mapping, record by record:
///
/// | seed | wire event |
/// |---|---|
/// | header / `executions` row | `execution_started` (seq 0, `ts` = `start_time`): `goal`, `agent_id` = `agent_bundle_id`; `domain` = the goal domain (else the fallback) on every event |
/// | `phase_start` | `phase_started` |
/// | `phase_end` | `phase_completed`: `success` = Python truth of `data.success` (absent → true, `null` → false), `error` |
/// | `tool_call` | `tool_used`: `tool` = `data.tool`, `duration_ms`; `parameters` are not carried |
/// | `error` | `error`: `error_type`, `message`, `fatal` |
/// | `retry` | `retry` |
/// | `recovery_attempt` | `recovery_attempted`: `strategy` (`reason`, `confidence` not carried; the seed never recorded an outcome, so no `success`) |
/// | any other type `t` | `seed.t` (phase and duration kept) |
/// | footer / final status | `execution_completed`: `status`, `result` (`ts` = `end_time`) |
///
/// `seq` is the record's position among the records imported (the start is 0). `event_id` is a version-5 UUID of the execution id
/// and the event's content (type, time, phase, payload) — not its position — so the JSONL file and the
/// database of one history give the same ids, an event the database stored twice is one event, and a
/// second import changes nothing. Every event is checked with the tracker's own decoder; one it would
/// reject is reported with the wire reason instead of being published.
public struct SeedConverter: Sendable {
    /// The converter's settings.
    public struct Configuration: Sendable, Equatable {
        /// Domain of executions whose goal domain is absent or not a valid wire domain.
        public var fallbackDomain: String
        /// The wire limits events must meet (the tracker's).
        public var limits: WireLimits

        /// Creates a configuration.
        ///
        /// - Parameters:
        ///   - fallbackDomain: Domain when the seed has none. Defaults to `unknown`.
        ///   - limits: Wire limits. Defaults to ``WireLimits/default``.
        public init(fallbackDomain: String = "unknown", limits: WireLimits = .default) {
            self.fallbackDomain = fallbackDomain
            self.limits = limits
        }
    }

    /// What one execution became.
    public struct Conversion: Sendable, Equatable {
        /// The execution's wire id.
        public var executionID: UUID
        /// The events to publish, in `seq` order.
        public var events: [WireEvent] = []
        /// Records not imported.
        public var issues: [ImportIssue] = []
        /// Adjustments made to imported records, counted.
        public var notes: [ImportNote: Int] = [:]
    }

    /// The settings.
    public let configuration: Configuration

    /// Creates a converter.
    ///
    /// - Parameter configuration: The settings.
    public init(configuration: Configuration = .init()) {
        self.configuration = configuration
    }

    /// Whether `domain` is a valid wire domain (1…128 UTF-8 bytes, no control characters).
    ///
    /// - Parameter domain: The text.
    /// - Returns: Whether the tracker accepts it.
    public static func isValidDomain(_ domain: String) -> Bool {
        isValidName(domain, maxBytes: 128)
    }

    static func isValidName(_ name: String, maxBytes: Int) -> Bool {
        let count = name.utf8.count
        return count >= 1 && count <= maxBytes
            && !name.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }
    }

    /// The wire execution id of a seed execution id: the UUID itself when it is one (not nil), else a
    /// version-5 UUID of the text.
    ///
    /// - Parameter text: The seed's `execution_id`.
    /// - Returns: The id and whether it was derived.
    public static func executionID(_ text: String) -> (id: UUID, derived: Bool) {
        if text.utf8.count == 36, let id = UUID(uuidString: text), id != UUID(uuid: UUID_NULL_BYTES) {
            return (id, false)
        }
        return (NameBasedUUID.v5("execution\n" + text), true)
    }

    private static let UUID_NULL_BYTES: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)

    /// The wire event id of an event: a version-5 UUID of its execution and content.
    ///
    /// - Parameter event: The event (its `event_id` and `seq` are not used).
    /// - Returns: The id.
    public static func eventID(for event: WireEvent) -> UUID {
        let name = [
            "event", event.executionID.uuidString.lowercased(), event.type.rawValue, String(event.timestampMicros),
            event.phase ?? "", WireFormat.encodePayload(event.payload),
        ].joined(separator: "\n")
        return NameBasedUUID.v5(name)
    }

    /// Converts one execution.
    ///
    /// - Parameters:
    ///   - execution: The seed execution.
    ///   - now: The receiver's clock in microseconds (for the wire format's future-skew check).
    /// - Returns: The events, the records left out and the notes.
    public func convert(_ execution: SeedExecution, now: Int64) -> Conversion {
        let (executionID, derived) = Self.executionID(execution.executionID)
        var conversion = Conversion(executionID: executionID)
        if derived { conversion.notes[.executionIDMapped, default: 0] += 1 }
        let domain: String
        if let seedDomain = execution.domain, Self.isValidDomain(seedDomain) {
            domain = seedDomain
        } else {
            domain = configuration.fallbackDomain
            conversion.notes[.domainDefaulted, default: 0] += 1
        }
        var builder = Builder(
            executionID: executionID, domain: domain, limits: configuration.limits, now: now, conversion: conversion)
        if let start = execution.startTime, let location = execution.startLocation {
            if let micros = SeedTimestamp.micros(start) {
                var payload = EventPayload(goal: builder.freeText(execution.goal))
                if let agent = execution.agentBundleID {
                    if Self.isValidName(agent, maxBytes: 256) { payload.agentID = agent } else { builder.note(.valueDropped) }
                }
                builder.emit(.executionStarted, seq: 0, micros: micros, phase: nil, payload: payload, at: location)
            } else {
                builder.skip(.invalidTimestamp, at: location, "start_time")
            }
        }
        for record in execution.records {
            switch record {
            case .event(let event): builder.add(event)
            case .completion(let completion): builder.add(completion)
            }
        }
        return builder.conversion
    }

    /// Accumulates one execution's events, issues and notes.
    private struct Builder {
        let executionID: UUID
        let domain: String
        let limits: WireLimits
        let now: Int64
        var conversion: Conversion
        var seen: Set<UUID> = []
        /// The next record's `seq`: records take 1, 2, … in source order; skipped ones and repeats take
        /// none, so a database that stored a trace twice numbers its events as the live agent did.
        var nextSeq: Int64 = 1

        init(executionID: UUID, domain: String, limits: WireLimits, now: Int64, conversion: Conversion) {
            self.executionID = executionID
            self.domain = domain
            self.limits = limits
            self.now = now
            self.conversion = conversion
        }

        mutating func note(_ note: ImportNote) { conversion.notes[note, default: 0] += 1 }

        mutating func skip(_ reason: SkipReason, at location: SourceLocation, _ detail: String = "") {
            conversion.issues.append(ImportIssue(reason, at: location, detail))
        }

        /// Free text as the wire takes it: U+0000 replaced, cut to the byte limit on a character boundary.
        mutating func freeText(_ text: String?) -> String? {
            guard var text else { return nil }
            var changed = false
            if text.unicodeScalars.contains("\u{0}") {
                text = String(String.UnicodeScalarView(text.unicodeScalars.map { $0 == "\u{0}" ? "\u{FFFD}" : $0 }))
                changed = true
            }
            if text.utf8.count > limits.maxStringBytes {
                var cut = ""
                var bytes = 0
                for character in text {
                    let size = character.utf8.count
                    guard bytes + size <= limits.maxStringBytes else { break }
                    cut.append(character)
                    bytes += size
                }
                text = cut
                changed = true
            }
            if changed { note(.textShortened) }
            return text
        }

        /// `duration_ms` outside tool calls: kept when finite and ≥ 0, else dropped with a note.
        mutating func optionalDuration(_ value: Double?) -> Double? {
            guard let value else { return nil }
            guard value.isFinite, value >= 0 else {
                note(.valueDropped)
                return nil
            }
            return value
        }

        mutating func emit(
            _ type: EventType, seq: Int64, micros: Int64, phase: String?, payload: EventPayload, at location: SourceLocation
        ) {
            var event = WireEvent(
                eventID: executionID, executionID: executionID, seq: seq, timestampMicros: micros, type: type,
                domain: domain, phase: phase, payload: payload)
            event.eventID = SeedConverter.eventID(for: event)
            guard seen.insert(event.eventID).inserted else {
                skip(.duplicateEvent, at: location, "same content as an earlier event of the execution")
                return
            }
            do {
                _ = try WireFormat.decode(WireFormat.encode(event), limits: limits, now: now)
            } catch {
                skip(SkipReason(rawValue: error.reason.rawValue), at: location, error.detail)
                return
            }
            conversion.events.append(event)
            if type != .executionStarted { nextSeq += 1 }
        }

        mutating func add(_ event: SeedEvent) {
            let seq = nextSeq
            let location = event.location
            guard let micros = SeedTimestamp.micros(event.timestamp) else {
                return skip(.invalidTimestamp, at: location, "timestamp")
            }
            let data = event.data
            let phase = event.phaseName
            switch event.eventType {
            case "phase_start":
                guard let phase else { return skip(.missingField, at: location, "phase_name (phase_start)") }
                emit(.phaseStarted, seq: seq, micros: micros, phase: phase,
                     payload: EventPayload(durationMs: optionalDuration(event.durationMs)), at: location)
            case "phase_end":
                guard let phase else { return skip(.missingField, at: location, "phase_name (phase_end)") }
                let success = data["success"].map(\.isTruthy) ?? true
                var error: String?
                switch data["error"] {
                case .string(let text)?: error = text.isEmpty ? nil : freeText(text)
                case nil, .null?: break
                case _?: note(.valueDropped)
                }
                emit(.phaseCompleted, seq: seq, micros: micros, phase: phase,
                     payload: EventPayload(success: success, error: error, durationMs: optionalDuration(event.durationMs)),
                     at: location)
            case "tool_call":
                guard let tool = data["tool"]?.string, !tool.isEmpty else {
                    return skip(.missingField, at: location, "data.tool (tool_call)")
                }
                guard let duration = event.durationMs else { return skip(.missingField, at: location, "duration_ms (tool_call)") }
                guard duration.isFinite, duration >= 0 else { return skip(.invalidValue, at: location, "duration_ms: negative") }
                emit(.toolUsed, seq: seq, micros: micros, phase: phase,
                     payload: EventPayload(tool: tool, durationMs: duration), at: location)
            case "error":
                guard let type = data["error_type"]?.string else {
                    return skip(.missingField, at: location, "data.error_type (error)")
                }
                guard let message = data["message"]?.string else {
                    return skip(.missingField, at: location, "data.message (error)")
                }
                emit(.error, seq: seq, micros: micros, phase: phase,
                     payload: EventPayload(
                        durationMs: optionalDuration(event.durationMs), errorType: type, message: freeText(message),
                        fatal: data["fatal"].map(\.isTruthy) ?? false),
                     at: location)
            case "retry":
                emit(.retry, seq: seq, micros: micros, phase: phase,
                     payload: EventPayload(durationMs: optionalDuration(event.durationMs)), at: location)
            case "recovery_attempt":
                guard let strategy = data["strategy"]?.string else {
                    return skip(.missingField, at: location, "data.strategy (recovery_attempt)")
                }
                guard EventPayload.strategies.contains(strategy) else {
                    return skip(.invalidValue, at: location, "data.strategy: not retry, skip, simplify, escalate or abort")
                }
                emit(.recoveryAttempted, seq: seq, micros: micros, phase: phase,
                     payload: EventPayload(durationMs: optionalDuration(event.durationMs), strategy: strategy), at: location)
            case "":
                skip(.invalidValue, at: location, "event_type: empty")
            default:
                let type = EventType(rawValue: "seed." + event.eventType)
                guard type.isValid else {
                    return skip(.unknownEventType, at: location, "event_type: not [a-z][a-z0-9_.]*, at most 59 characters")
                }
                note(.customEventType)
                emit(type, seq: seq, micros: micros, phase: phase,
                     payload: EventPayload(durationMs: optionalDuration(event.durationMs)), at: location)
            }
        }

        mutating func add(_ completion: SeedCompletion) {
            let seq = nextSeq
            let location = completion.location
            guard let micros = SeedTimestamp.micros(completion.endTime) else {
                return skip(.invalidTimestamp, at: location, "end_time")
            }
            guard EventPayload.statuses.contains(completion.status) else {
                return skip(.invalidValue, at: location, "status: not completed, failed or recovered")
            }
            emit(.executionCompleted, seq: seq, micros: micros, phase: nil,
                 payload: EventPayload(status: completion.status, result: freeText(completion.finalResult)), at: location)
        }
    }
}
