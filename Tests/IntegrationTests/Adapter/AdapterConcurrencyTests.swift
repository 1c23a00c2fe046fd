import AMQP
import Foundation
import HindsightAgent
import HindsightCore
import Testing

/// Many clients on their own connections, one adapter: every request answered once, with its own reply.
@Suite("Adapter: concurrency")
struct AdapterConcurrencyTests {
    @Test("10,000 requests from 16 concurrent clients: each answered once, with its own correlation id")
    func tenThousand() async throws {
        let harness = try await AdapterHarness()
        defer { Task { await harness.cleanUp() } }
        let clients = 16, perClient = 625, inFlightPerClient = 8
        let answered = try await harness.withAdapter(knowledge: [AdapterFixtures.knowledge]) {
            try await withThrowingTaskGroup(of: Int.self) { group in
                for c in 0..<clients {
                    group.addTask {
                        let (client, connection) = try await harness.ownClient()
                        defer { Task { await connection.closeAndWait() } }
                        var matched = 0
                        // Each request names a phase nobody else uses; its reply must name the same phase.
                        for start in stride(from: 0, to: perClient, by: inFlightPerClient) {
                            matched += try await withThrowingTaskGroup(of: Bool.self) { calls in
                                for i in start..<min(start + inFlightPerClient, perClient) {
                                    calls.addTask {
                                        let name = "c\(c)-r\(i)"
                                        let reply = try await client.estimate(
                                            EstimateRequest(domain: AdapterFixtures.domain, plan: [RPCPlanPhase(name: name)]),
                                            timeout: .seconds(30))
                                        return reply.result.phases.map(\.name) == [name]
                                    }
                                }
                                return try await calls.reduce(0) { $0 + ($1 ? 1 : 0) }
                            }
                        }
                        return matched
                    }
                }
                return try await group.reduce(0, +)
            }
        }
        #expect(answered == clients * perClient)
        // Nothing left over: no request was answered twice or left unanswered in the queue.
        let state = try await harness.connection.inspectQueue(harness.queue)
        #expect(state.messageCount == 0)
    }
}
