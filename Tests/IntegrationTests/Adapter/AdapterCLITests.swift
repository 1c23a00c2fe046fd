import AMQP
import Foundation
import HindsightAgent
import HindsightCore
import HindsightTesting
import Testing

/// `hindsight optimize` and `hindsight estimate` as a user runs them: every failure before a reply is one
/// line on standard error and a non-zero exit, never a stack trace or a hang.
@Suite("Adapter: optimize / estimate command line")
struct AdapterCLITests {
    /// Runs `hindsight <command> <file>` against the test broker and a private exchange.
    static func run(_ command: String, file: String, exchange: String) async throws -> (ChildProcess.Termination, [String]) {
        let outcome = try await ChildProcess.runCapturingErrors(
            try HindsightBinary.path(),
            [command, file, "--amqp-url", TestEnvironment.amqpURL, "--exchange", exchange, "--timeout", "1"],
            environment: ["HINDSIGHT_LOG_LEVEL": "warning"])
        let lines = String(decoding: outcome.error, as: UTF8.self).split(separator: "\n").map(String.init).filter { !$0.isEmpty }
        return (outcome.termination, lines)
    }

    static func write(_ text: String, in directory: URL, as name: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    @Test("missing file, invalid JSON, invalid plan, no adapter answering: one line and a non-zero exit", arguments: ["optimize", "estimate"])
    func oneLineErrors(command: String) async throws {
        let harness = try await AdapterHarness()
        defer { Task { await harness.cleanUp() } }
        // The harness's queue is bound to its private exchange and nothing consumes it: a valid request times out.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hindsight-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let valid = String(decoding: command == "optimize"
            ? AdapterEnvelope.body(AdapterFixtures.optimizeRequest) : AdapterEnvelope.body(AdapterFixtures.estimateRequest), as: UTF8.self)
        let cases: [(file: String, expected: String)] = [
            (directory.appendingPathComponent("absent.json").path, "no such file"),
            (try Self.write("{\"domain\": \"d\", \"plan\": [", in: directory, as: "broken.json"), "not valid JSON"),
            (try Self.write(#"{"domain": "d", "goal": "g", "plan": [{"name": ""}]}"#, in: directory, as: "bad-plan.json"), "plan[0].name"),
            (try Self.write(valid, in: directory, as: "valid.json"), "no reply to"),
        ]
        for (file, expected) in cases {
            let (termination, lines) = try await Self.run(command, file: file, exchange: harness.exchange)
            #expect(termination != .exited(0), "\(command) \(file)")
            #expect(lines.count == 1, "\(command) \(file): \(lines)")
            #expect(lines.first?.contains(expected) == true, "\(command) \(file): \(lines)")
        }
        // The timed-out request was left in the queue (nobody consumed it) and expires there.
        #expect(try await harness.connection.inspectQueue(harness.queue).consumerCount == 0)
    }
}
