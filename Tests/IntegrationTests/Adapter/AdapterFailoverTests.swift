import AMQP
import Foundation
import HindsightAgent
import HindsightCore
import Testing

/// An adapter that dies holding a request: the caller gets a timeout (never a hang), and its next call
/// succeeds once an adapter serves the queue again.
@Suite("Adapter: failover")
struct AdapterFailoverTests {
    @Test("a consumer that dies mid-flight without replying: the client times out, then succeeds against a restarted adapter")
    func diesMidFlight() async throws {
        let harness = try await AdapterHarness()
        defer { Task { await harness.cleanUp() } }
        let client = harness.client
        // A stand-in for an adapter that took the request and then died: it consumes without acking or replying,
        // and its connection goes away while the caller still waits.
        let doomed = try await AMQPConnection.connect(harness.amqp, logger: harness.logger)
        let consumer = try await doomed.consume(queue: harness.queue, prefetch: 1)
        let taken = Task {
            for try await _ in consumer { return true }
            return false
        }
        let failed: AdapterClientError?
        do {
            _ = try await client.estimate(AdapterFixtures.estimateRequest, timeout: .milliseconds(1500))
            failed = nil
        } catch {
            failed = error
        }
        #expect(try await taken.value)
        await doomed.closeAndWait()  // the broker requeues the unacknowledged request; its TTL has passed or it expires
        #expect(failed == .timeout(method: .estimate, milliseconds: 1500))
        let reply = try await harness.withAdapter(knowledge: [AdapterFixtures.knowledge]) {
            try await client.estimate(AdapterFixtures.estimateRequest)
        }
        #expect(reply.result == EstimateHandler().handle(AdapterFixtures.estimateRequest, knowledge: AdapterFixtures.knowledge))
    }
}
