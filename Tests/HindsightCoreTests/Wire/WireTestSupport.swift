import Foundation
import HindsightCore

/// Shared fixtures for the wire-format tests.
enum WireFixtures {
    /// The receiver clock used with the example files (their events are from 2026-11-25T14:00Z).
    static let now: Int64 = WireFormat.parseTimestamp("2026-11-25T15:00:00Z")!

    static func examples(_ kind: String) -> [(name: String, bytes: [UInt8])] {
        guard let root = Bundle.module.url(forResource: "Examples", withExtension: nil) else { return [] }
        let folder = root.appendingPathComponent(kind)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted().map { name in
            let data = (try? Data(contentsOf: folder.appendingPathComponent(name))) ?? Data()
            return (String(name.dropLast(5)), [UInt8](data))
        }
    }

    static func decode(_ text: String, header: Int? = nil, limits: WireLimits = .default) throws(WireError)
        -> [WireEvent]
    {
        try WireFormat.decode(Array(text.utf8), schemaHeader: header, limits: limits, now: now)
    }

    /// The reason a decode throws, or nil if it succeeds.
    static func reason(_ bytes: [UInt8], header: Int? = nil, limits: WireLimits = .default) -> String? {
        do {
            _ = try WireFormat.decode(bytes, schemaHeader: header, limits: limits, now: now)
            return nil
        } catch {
            return error.reason.rawValue
        }
    }

    static func reason(_ text: String, header: Int? = nil, limits: WireLimits = .default) -> String? {
        reason(Array(text.utf8), header: header, limits: limits)
    }

    static let executionID = UUID(uuidString: "7c9e6679-7425-40de-944b-e07fc1f90ae7")!

    /// A valid `tool_used` event body with a given event number.
    static func toolUsed(_ n: Int, extra: String = "") -> String {
        let id = String(format: "0b6f1c2e-8d4a-4f7e-9c3b-%012x", n)
        return """
            {"event_id":"\(id)","execution_id":"7c9e6679-7425-40de-944b-e07fc1f90ae7","seq":\(n),\
            "ts":"2026-11-25T14:00:00.000001Z","type":"tool_used","domain":"d","phase":"p",\
            "data":{"tool":"grep","duration_ms":1.5}\(extra)}
            """
    }

    static func sampleEvent(seq: Int64 = 3) -> WireEvent {
        WireEvent(
            eventID: UUID(uuidString: "0b6f1c2e-8d4a-4f7e-9c3b-2a1d5e6f7a01")!,
            executionID: executionID, seq: seq, timestampMicros: now - 1_234_567, type: .toolUsed,
            domain: "data-processing", phase: "collect",
            payload: EventPayload(tool: "http_get", durationMs: 83.25))
    }
}
