import AMQP
import Foundation
import Glibc
import HindsightAgent
import HindsightCore
import HindsightStore
import HindsightTesting
import Synchronization
import Testing

/// SIGTERM to a `hindsight adapter` child with requests in flight: it stops taking requests, answers and
/// acknowledges those it handles, and exits 0; the rest wait in the queue for the next adapter, which
/// answers them: every request answered exactly once, nothing lost.
///
/// Not asserted (an open gap): that no delivery was returned to the queue. In one run 12 of 1,500 came
/// back marked redelivered — delivered to the stopping adapter but not answered by it (probably delivered
/// after its basic.cancel-ok, which the consumer then drops); they return when it closes and the next
/// adapter answers them, so none is lost.
@Suite("Adapter: graceful stop")
struct AdapterDrainTests {
    /// Replies received, by the adapter instance that sent them.
    final class Tally: Sendable {
        let counts = Mutex<[String: Int]>([:])
    }

    static let requests = 1500

    @Test("SIGTERM with requests in flight: each taken request answered, the rest left in the queue for the next adapter, exit 0")
    func drainsOnSIGTERM() async throws {
        let binary = try HindsightBinary.path()
        let harness = try await AdapterHarness()
        let queue = "hindsight.test-adapter-drain.\(UUID().uuidString.prefix(8).lowercased())"
        _ = try await harness.connection.deleteQueue(harness.queue)
        _ = try await harness.connection.declareQueue(queue, options: .quorum)
        try await harness.connection.bindQueue(queue, exchange: harness.exchange, routingKey: AdapterEnvelope.routingKey)
        let client = harness.client
        do {
            try await StoreTestSupport.withMigratedDatabase { url in
                let environment: @Sendable (String) -> [String: String] = { instance in
                    [
                        "HINDSIGHT_DATABASE_URL": TrackerFaultTests.urlText(StoreTestSupport.url(url, role: "hindsight_adapter")),
                        "HINDSIGHT_AMQP_URL": TestEnvironment.amqpURL,
                        "HINDSIGHT_ADAPTER_QUEUE": queue,
                        "HINDSIGHT_ADAPTER_INSTANCE": instance,
                        "HINDSIGHT_METRICS_PORT": "0",
                        "HINDSIGHT_METRICS_HOST": "127.0.0.1",
                        "HINDSIGHT_LOG_LEVEL": "warning",
                    ]
                }
                let answeredBy = Tally()
                let firstReply = AsyncStream<Void>.makeStream()
                // Every request is in the queue before the first adapter starts, with a deadline far away.
                let calls = Task {
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for _ in 0..<Self.requests {
                            group.addTask {
                                let reply = try await client.estimate(AdapterFixtures.estimateRequest, timeout: .seconds(120))
                                answeredBy.counts.withLock { $0[reply.adapter, default: 0] += 1 }
                                firstReply.continuation.yield()
                            }
                        }
                        try await group.waitForAll()
                    }
                }
                while try await harness.connection.inspectQueue(queue).messageCount < Self.requests {
                    try await Task.sleep(for: .milliseconds(50))
                }
                let first = try await ChildProcess.withRunning(binary, ["adapter"], environment: environment("adapter-drain-1")) { _ in
                    // Stopped (SIGTERM) as soon as it answered one: the others are in flight or queued.
                    var replies = firstReply.stream.makeAsyncIterator()
                    _ = await replies.next()
                }
                #expect(first.termination == .exited(0), "SIGTERM: a graceful stop")
                // What the first adapter did not answer is in the queue. (Its last replies may still be on their
                // way to this process: wait for them, boundedly.)
                let left = try await harness.connection.inspectQueue(queue).messageCount
                var answeredFirst = 0
                for _ in 0..<200 {
                    answeredFirst = answeredBy.counts.withLock { $0["adapter-drain-1"] ?? 0 }
                    if answeredFirst + Int(left) >= Self.requests { break }
                    try await Task.sleep(for: .milliseconds(50))
                }
                #expect(answeredFirst >= 1)
                #expect(answeredFirst + Int(left) == Self.requests, "answered \(answeredFirst), left \(left)")
                // The next adapter answers the rest.
                let second = try await ChildProcess.withRunning(binary, ["adapter"], environment: environment("adapter-drain-2")) { _ in
                    try await calls.value
                }
                #expect(second.termination == .exited(0))
                let counts = answeredBy.counts.withLock { $0 }
                #expect(counts.values.reduce(0, +) == Self.requests)
                #expect(counts["adapter-drain-2", default: 0] == Self.requests - answeredFirst)
            }
        } catch {
            _ = try? await harness.connection.deleteQueue(queue)
            await harness.cleanUp()
            throw error
        }
        _ = try? await harness.connection.deleteQueue(queue)
        await harness.cleanUp()
    }
}
