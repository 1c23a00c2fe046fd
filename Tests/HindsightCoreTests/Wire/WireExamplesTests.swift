import Foundation
import HindsightCore
import Testing

/// Runs every file of `Examples/valid` and `Examples/invalid` through the decoder. The same files are
/// checked against the JSON Schema by `tests/schema/test_examples.py`.
@Suite("Wire examples")
struct WireExamplesTests {
    @Test("there are enough examples")
    func catalogue() {
        #expect(WireFixtures.examples("valid").count >= 12)
        #expect(WireFixtures.examples("invalid").count >= 24)
    }

    @Test("valid examples decode", arguments: WireFixtures.examples("valid").map(\.name))
    func valid(name: String) throws {
        let bytes = try #require(WireFixtures.examples("valid").first { $0.name == name }).bytes
        let events = try WireFormat.decode(bytes, now: WireFixtures.now)
        #expect(!events.isEmpty)
        // Re-encoding is accepted and lossless.
        for event in events {
            #expect(try WireFormat.decode(WireFormat.encode(event), now: WireFixtures.now) == [event])
        }
        #expect(try WireFormat.decode(WireFormat.encodeBatch(events), now: WireFixtures.now) == events)
    }

    @Test("invalid examples fail with the reason in their name",
          arguments: WireFixtures.examples("invalid").map(\.name))
    func invalid(name: String) throws {
        let bytes = try #require(WireFixtures.examples("invalid").first { $0.name == name }).bytes
        let expected = String(name.split(separator: "-", maxSplits: 1)[0])
        #expect(WireFixtures.reason(bytes) == expected, "\(name)")
    }

    @Test("every reason the decoder produces is named by an example or a generated case")
    func reasonsCovered() {
        let fromFiles = Set(WireFixtures.examples("invalid").map { String($0.name.split(separator: "-")[0]) })
        let generated: Set<String> = ["invalid_utf8", "oversize", "too_many_events"]
        #expect(Set(WireError.Reason.allKnown.map(\.rawValue)) == fromFiles.union(generated))
    }

    @Test("details name the path and never echo content")
    func detailsDoNotEchoContent() throws {
        for (name, bytes) in WireFixtures.examples("invalid") {
            do {
                _ = try WireFormat.decode(bytes, now: WireFixtures.now)
            } catch {
                for secret in ["not-a-uuid", "pray", "Tool_Used", "partial", "mmmm", "€€", "done"] {
                    #expect(!error.detail.contains(secret), "\(name): \(error.detail)")
                }
            }
        }
    }
}
