import AMQP
import Foundation
import Glibc
import HindsightAgent
import HindsightCore
import HindsightStore
import HindsightTesting
import Logging
import PostgresNIO
import Testing

/// The tracker under faults: poison messages, PostgreSQL going away (behind a proxy, so the shared server
/// keeps running for the other suites), the process killed.
@Suite("Tracker faults", .serialized)
struct TrackerFaultTests {
    /// A valid event whose JSON is then broken in one specific way.
    static func validJSON(_ mutate: (inout [String: Any]) -> Void = { _ in }) -> [UInt8] {
        var object: [String: Any] = [
            "event_id": UUID().uuidString.lowercased(), "execution_id": UUID().uuidString.lowercased(), "seq": 0,
            "ts": WireFormat.formatTimestamp(WireFormat.currentMicros() - 60_000_000),
            "type": "tool_used", "domain": "poison-tests", "phase": "analysis",
            "data": ["tool": "sql", "duration_ms": 12.5] as [String: Any],
        ]
        mutate(&object)
        return Array((try? JSONSerialization.data(withJSONObject: object)) ?? Data())
    }

    /// At least 20 kinds of message that can never be stored, each with the reason it must carry.
    static func poisonCatalogue() -> [(name: String, body: [UInt8], headers: AMQPTable, reason: String)] {
        let schema1: AMQPTable = ["hindsight-schema": .int(1)]
        let oneEvent = validJSON()
        var cases: [(String, [UInt8], AMQPTable, String)] = [
            ("not json", Array("hello tracker".utf8), schema1, "invalid_json"),
            ("truncated json", Array(oneEvent.dropLast(5)), schema1, "invalid_json"),
            ("invalid utf-8", [0x7B, 0x22, 0xC3, 0x28, 0x22, 0x3A, 0x31, 0x7D], schema1, "invalid_utf8"),
            ("array at top level", Array("[1,2,3]".utf8), schema1, "not_an_object"),
            ("schema header 2", oneEvent, ["hindsight-schema": .int(2)], "unsupported_schema"),
            ("schema header not a number", oneEvent, ["hindsight-schema": .string("one")], "unsupported_schema"),
            ("batch schema 7", Array("{\"schema\":7,\"events\":[\(String(decoding: oneEvent, as: UTF8.self))]}".utf8), [:], "unsupported_schema"),
            ("empty batch", Array("{\"schema\":1,\"events\":[]}".utf8), schema1, "empty_batch"),
            ("oversize", Array(repeating: 0x20, count: 1_100_000) + oneEvent, schema1, "oversize"),
            ("missing event_id", validJSON { $0["event_id"] = nil }, schema1, "missing_field"),
            ("bad uuid", validJSON { $0["execution_id"] = "not-a-uuid" }, schema1, "invalid_uuid"),
            ("seq is a string", validJSON { $0["seq"] = "3" }, schema1, "wrong_type"),
            ("ts not rfc 3339", validJSON { $0["ts"] = "yesterday at noon" }, schema1, "invalid_timestamp"),
            ("ts in 1990", validJSON { $0["ts"] = "1990-01-01T00:00:00Z" }, schema1, "timestamp_out_of_range"),
            ("ts next year", validJSON { $0["ts"] = WireFormat.formatTimestamp(WireFormat.currentMicros() + 400 * 86_400_000_000) }, schema1, "timestamp_out_of_range"),
            ("bad event type", validJSON { $0["type"] = "Tool Used!" }, schema1, "invalid_event_type"),
            ("empty domain", validJSON { $0["domain"] = "" }, schema1, "invalid_domain"),
            ("tool_used without tool", validJSON { $0["data"] = ["duration_ms": 3] }, schema1, "missing_field"),
            ("error without message", validJSON { $0["type"] = "error"; $0["data"] = ["error_type": "X"] }, schema1, "missing_field"),
            ("unknown completion status", validJSON { $0["type"] = "execution_completed"; $0["phase"] = nil; $0["data"] = ["status": "exploded"] }, schema1, "invalid_value"),
            ("goal too long", validJSON { $0["type"] = "execution_started"; $0["phase"] = nil; $0["data"] = ["goal": String(repeating: "g", count: 5000)] }, schema1, "string_too_long"),
            ("negative duration", validJSON { $0["data"] = ["tool": "sql", "duration_ms": -5] }, schema1, "invalid_value"),
        ]
        let duplicate = Array(#"{"event_id":"\#(UUID().uuidString.lowercased())","event_id":"\#(UUID().uuidString.lowercased())","execution_id":"\#(UUID().uuidString.lowercased())","seq":0,"ts":"2026-01-01T00:00:00Z","type":"retry","domain":"d"}"#.utf8)
        cases.append(("duplicate field", duplicate, schema1, "duplicate_field"))
        let tooMany = (0..<1001).map { _ in String(decoding: validJSON(), as: UTF8.self) }.joined(separator: ",")
        cases.append(("1001 events", Array("{\"schema\":1,\"events\":[\(tooMany)]}".utf8), schema1, "too_many_events"))
        return cases.map { (name: $0.0, body: $0.1, headers: $0.2, reason: $0.3) }
    }

    @Test("each of 24 kinds of bad message is dead-lettered with its reason; valid messages around them are stored")
    func poisonMessages() async throws {
        let catalogue = Self.poisonCatalogue()
        #expect(catalogue.count >= 20)
        // The decoder (tested on its own) must agree with the catalogue, except header-level cases.
        for entry in catalogue where entry.headers["hindsight-schema"] == .int(1) || entry.headers.isEmpty {
            var actual = "decoded"
            do { _ = try WireFormat.decode(entry.body, schemaHeader: 1) } catch { actual = error.reason.rawValue }
            #expect(actual == entry.reason, "catalogue entry '\(entry.name)'")
        }
        let harness = try await TrackerHarness()
        let valid = TrackerIngestionTests.history(executions: 20, seed: UInt64.random(in: 1...UInt64.max))
        var messages: [(id: String, body: [UInt8], headers: AMQPTable)] = []
        var validIndex = 0
        for (index, entry) in catalogue.enumerated() {
            messages.append((id: "poison-\(index)", body: entry.body, headers: entry.headers))
            for _ in 0..<max(1, valid.count / catalogue.count) where validIndex < valid.count {
                messages.append((id: "valid-\(validIndex)", body: WireFormat.encode(valid[validIndex]), headers: ["hindsight-schema": .int(1)]))
                validIndex += 1
            }
        }
        let rest = Array(valid[validIndex...])
        let sending = messages
        let deadLetters = try await harness.withTrackers(1) {
            try await harness.publish(messages: sending)
            try await harness.publish(rest)
            try await harness.waitForEvents(valid.count, of: Array(Set(valid.map(\.executionID))))
            return try await harness.drainDeadLetters(expecting: catalogue.count)
        }
        #expect(deadLetters.count == catalogue.count)
        let byID = Dictionary(deadLetters.map { ($0.messageID ?? "?", $0) }, uniquingKeysWith: { a, _ in a })
        for (index, entry) in catalogue.enumerated() {
            let letter = byID["poison-\(index)"]
            #expect(letter?.reason == entry.reason, "dead letter for '\(entry.name)'")
            #expect(letter?.detail.isEmpty == false, "dead letter for '\(entry.name)' explains itself")
        }
        #expect(try await harness.countEvents(of: Array(Set(valid.map(\.executionID)))) == valid.count)
        await harness.cleanUp()
    }

    @Test("PostgreSQL cut off for 10 s during ingestion (a proxy resets and refuses connections): every event stored once, nothing lost")
    func databaseOutage() async throws {
        // Only this tracker loses PostgreSQL: it connects through a proxy the test cuts, while the server
        // itself, shared with every other test, keeps running.
        let owner = try StoreTestSupport.ownerURL
        let proxy = try TCPProxy(targetHost: owner.host, targetPort: owner.port)
        defer { proxy.stop() }
        var proxied = owner
        proxied.host = "127.0.0.1"
        proxied.port = proxy.port
        let harness = try await TrackerHarness(database: proxied)
        let events = TrackerIngestionTests.history(executions: 300, seed: UInt64.random(in: 1...UInt64.max))
        let chunks = stride(from: 0, to: events.count, by: 250).map { Array(events[$0..<min($0 + 250, events.count)]) }
        do {
            try await harness.withTrackers(1) {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for (index, chunk) in chunks.enumerated() {
                            try await harness.publish(chunk)
                            harness.logger.debug("test.chunk_published", metadata: ["chunk.index": "\(index)"])
                            try await Task.sleep(for: .milliseconds(400))
                        }
                    }
                    group.addTask {
                        try await Task.sleep(for: .seconds(2))
                        proxy.cut()
                        harness.logger.debug("test.postgres_cut")
                        try await Task.sleep(for: .seconds(10))
                        try proxy.restore()
                        harness.logger.debug("test.postgres_restored")
                    }
                    try await group.waitForAll()
                }
                try await TrackerIngestionTests().expectStored(events, harness: harness)
            }
        } catch {
            try? proxy.restore()
            await harness.cleanUp()
            throw error
        }
        await harness.cleanUp()
    }

    @Test("kill -9 of a tracker process mid-stream, then a restart: every event stored once; SIGTERM drains and exits 0")
    func killedTracker() async throws {
        let binary = try HindsightBinary.path()
        let harness = try await TrackerHarness()
        let events = TrackerIngestionTests.history(executions: 600, seed: UInt64.random(in: 1...UInt64.max))
        let executions = Array(Set(events.map(\.executionID)))
        let delivered = TrackerIngestionTests.shuffledWithDuplicates(events, fraction: 0.1, seed: 3)
        try await harness.publish(delivered)
        // The child runs as it would be deployed: its own least-privilege database role.
        let environment = [
            "HINDSIGHT_DATABASE_URL": Self.urlText(StoreTestSupport.url(harness.database, role: "hindsight_tracker")),
            "HINDSIGHT_AMQP_URL": TestEnvironment.amqpURL,
            "HINDSIGHT_TRACKER_BATCH_MESSAGES": "200",
        ]

        let first = try await harness.withChildTracker(binary: binary, environment: environment) { processID in
            // Kill it once it has committed some, not all, of the stream.
            let deadline = ContinuousClock.now + .seconds(60)
            var stored = 0
            while ContinuousClock.now < deadline {
                stored = try await harness.countEvents(of: executions)
                if stored > 0 { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            _ = Glibc.kill(processID, SIGKILL)
            return stored
        }
        #expect(first.result > 0)
        #expect(first.termination == .signaled(SIGKILL))
        #expect(try await harness.countEvents(of: executions) < events.count, "killed before the end of the stream")

        let second = try await harness.withChildTracker(binary: binary, environment: environment) { _ in
            try await TrackerIngestionTests().expectStored(events, harness: harness)
        }
        #expect(second.termination == .exited(0), "SIGTERM: drain, commit, ack, exit 0")
        await harness.cleanUp()
    }

    @Test("an invalid setting stops the tracker before it connects: one line naming the variable and the value, exit 1",
          arguments: [
              ("HINDSIGHT_TRACKER_BATCH_MESSAGES", "lots"),
              ("HINDSIGHT_LOG_LEVEL", "verbose"),
              ("HINDSIGHT_METRICS_PORT", "70000"),
          ])
    func invalidConfiguration(variable: String, value: String) async throws {
        let binary = try HindsightBinary.path()
        var environment = ["HINDSIGHT_METRICS_PORT": "0", "HINDSIGHT_METRICS_HOST": "127.0.0.1"]
        environment[variable] = value
        // The shell joins standard error to the captured standard output.
        let (termination, output) = try await ChildProcess.run(
            "sh", ["-c", "exec \"$0\" tracker 2>&1", binary], environment: environment)
        let lines = String(decoding: output, as: UTF8.self).split(separator: "\n")
        #expect(termination == .exited(1))
        #expect(lines.count == 1, "one line, got: \(lines)")
        #expect(lines.first?.contains("\(variable)='\(value)'") == true, "\(lines)")
    }

    /// `url` as the text `HINDSIGHT_DATABASE_URL` takes (with the password, unlike its description).
    static func urlText(_ url: DatabaseURL) -> String {
        func escaped(_ text: String) -> String {
            text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
        }
        let credentials = escaped(url.username) + (url.password.map { ":" + escaped($0) } ?? "")
        return "postgres://\(credentials)@\(url.host):\(url.port)/\(escaped(url.database))?sslmode=\(url.sslMode.rawValue)"
    }
}

/// The `hindsight` executable of the build under test: `HINDSIGHT_BINARY` when set, else the one next to
/// the test bundle (SwiftPM puts both in the same products directory, debug or release).
enum HindsightBinary {
    static func path() throws -> String {
        if let explicit = TestEnvironment.value("HINDSIGHT_BINARY") { return explicit }
        var directories = [Bundle.main.bundleURL]
        if let executable = Bundle.main.executableURL { directories.append(executable.deletingLastPathComponent()) }
        if let first = CommandLine.arguments.first {
            directories.append(URL(fileURLWithPath: first).deletingLastPathComponent())
        }
        for directory in directories {
            let candidate = directory.resolvingSymlinksInPath().appendingPathComponent("hindsight").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw HarnessError(
            "no hindsight executable next to the test bundle (\(directories.map(\.path))): build it with `swift build --build-tests`, or set HINDSIGHT_BINARY")
    }
}
