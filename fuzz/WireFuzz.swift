// libFuzzer harness for the wire decoder (not part of the SwiftPM package; built by fuzz/run.sh with
// `swiftc -sanitize=fuzzer,address` together with Sources/HindsightCore/Wire/*.swift).
//
// Properties checked on every input:
// - decode never crashes, and every rejection carries a known reason and a non-empty detail;
// - anything accepted re-encodes deterministically to a body that decodes to the same events, as a
//   single message and as a batch, and that the Codable path (JSONDecoder) also accepts unchanged;
// - any accepted timestamp text formats back to the same instant.

import Foundation

let fuzzNow: Int64 = 1_795_618_800_000_000  // 2026-11-25T15:00:00Z, matches the example files

@_cdecl("LLVMFuzzerTestOneInput")
public func wireFuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let body = UnsafeBufferPointer(start: data, count: size)
    do {
        let events = try WireFormat.decode(UnsafeRawBufferPointer(body), now: fuzzNow)
        precondition(!events.isEmpty, "accepted with no events")
        for event in events {
            let encoded = WireFormat.encode(event)
            precondition(encoded == WireFormat.encode(event), "encode is not deterministic")
            let again = try WireFormat.decode(encoded, now: fuzzNow)
            precondition(again == [event], "single-event round trip changed the event")
            let viaCodable = try JSONDecoder().decode(WireEvent.self, from: Data(encoded))
            precondition(viaCodable == event, "Codable disagrees with the fast decoder")
        }
        let batch = try WireFormat.decode(WireFormat.encodeBatch(events), now: fuzzNow)
        precondition(batch == events, "batch round trip changed the events")
    } catch let error as WireError {
        precondition(WireError.Reason.allKnown.contains(error.reason), "unknown reason")
        precondition(!error.detail.isEmpty, "empty detail")
    } catch {
        preconditionFailure("unexpected error \(error)")
    }
    if size <= 48, let text = String(validating: body, as: UTF8.self),
        let micros = WireFormat.parseTimestamp(text)
    {
        precondition(WireFormat.parseTimestamp(WireFormat.formatTimestamp(micros)) == micros,
                     "timestamp round trip")
    }
    return 0
}
