// Microbenchmark of the wire decoder and encoder (built by fuzz/bench.sh with `swiftc -O`, outside
// SwiftPM). Prints µs per event for single-event and 100-event batch messages, and JSONDecoder's
// figure for the same single-event bodies as a reference. Not a test: figures depend on the machine.

import Foundation

@main
struct WireBench {
    static func event(_ i: Int) -> WireEvent {
        let types: [EventType] = [.phaseStarted, .toolUsed, .toolUsed, .error, .phaseCompleted, .retry]
        let type = types[i % types.count]
        var payload = EventPayload()
        switch type {
        case .toolUsed: payload = EventPayload(tool: "http_get", durationMs: Double(i % 997) + 0.25)
        case .error: payload = EventPayload(errorType: "TimeoutError",
                                            message: "request to upstream timed out after 30s (attempt \(i))")
        case .phaseStarted: payload = EventPayload(estimatedDurationSeconds: 120)
        case .phaseCompleted: payload = EventPayload(success: i % 7 != 0)
        default: break
        }
        return WireEvent(eventID: UUID(), executionID: UUID(), seq: Int64(i),
                         timestampMicros: 1_795_615_200_000_000 + Int64(i) * 1_234, type: type,
                         domain: "data-processing", phase: "phase-\(i % 6)", payload: payload)
    }

    static func measure(_ label: String, events: Int, iterations: Int, _ body: () throws -> Int) rethrows {
        var best = Double.infinity
        var sink = 0
        for _ in 0..<5 {
            let start = ContinuousClock.now
            for _ in 0..<iterations { sink &+= try body() }
            let elapsed = ContinuousClock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            best = min(best, seconds * 1e6 / Double(iterations * events))
        }
        print(String(format: "%-44@ %7.3f µs/event  (%.0f events/s, best of 5)", label as NSString, best,
                     1e6 / best), sink == -1 ? "" : "")
    }

    static func main() throws {
        let now: Int64 = 1_795_618_800_000_000
        let singles = (0..<1000).map { WireFormat.encode(event($0)) }
        let batch = WireFormat.encodeBatch((0..<100).map(event))
        print("single-event body ≈ \(singles.map(\.count).reduce(0, +) / singles.count) bytes, "
              + "100-event batch body = \(batch.count) bytes")
        try measure("decode single-event messages", events: 1000, iterations: 100) {
            var n = 0
            for body in singles { n &+= try WireFormat.decode(body, now: now).count }
            return n
        }
        try measure("decode 100-event batch messages", events: 100, iterations: 1000) {
            try WireFormat.decode(batch, now: now).count
        }
        let sample = (0..<1000).map(event)
        measure("encode single-event messages", events: 1000, iterations: 100) {
            sample.reduce(0) { $0 &+ WireFormat.encode($1).count }
        }
        let decoder = JSONDecoder()
        let datas = singles.map { Data($0) }
        try measure("reference: JSONDecoder (Codable) single events", events: 1000, iterations: 10) {
            var n = 0
            for data in datas { n &+= try decoder.decode(WireEvent.self, from: data).seq > 0 ? 1 : 0 }
            return n
        }
    }
}
