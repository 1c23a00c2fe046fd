import AMQP
import Foundation
import Glibc
import HindsightAgent
import HindsightCore
import HindsightStore
import HindsightTesting
import HindsightWorkers
import Testing

/// `hindsight adapter` as deployed, a child process on a private queue (`HINDSIGHT_ADAPTER_QUEUE`): it answers,
/// a SIGKILL leaves the caller with a timeout (never a hang), and a new process on the same queue serves again.
@Suite("Adapter: child process")
struct AdapterChildProcessTests {
    @Test("a child adapter on a private queue answers; killed, the client times out; restarted, it answers again")
    func killedChild() async throws {
        let binary = try HindsightBinary.path()
        let harness = try await AdapterHarness()
        // The child declares its queue as `Topology.declareAdapter` does (quorum, bound to `hindsight.rpc`); the
        // test declares it the same way first, bound to the harness's private exchange, so requests sent while
        // no child runs wait in it. The harness's own queue is not used: requests would be copied to it.
        let queue = "hindsight.test-adapter-child.\(UUID().uuidString.prefix(8).lowercased())"
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
                let first = try await ChildProcess.withRunning(binary, ["adapter"], environment: environment("adapter-child-1")) { processID in
                    // Waits in the queue until the child consumes it.
                    let reply = try await client.estimate(AdapterFixtures.estimateRequest, timeout: .seconds(30))
                    _ = Glibc.kill(processID, SIGKILL)
                    return reply.adapter
                }
                #expect(first.result == "adapter-child-1")
                #expect(first.termination == .signaled(SIGKILL))

                // No adapter consumes the queue: the caller gets a timeout, and the request expires.
                let failed: AdapterClientError?
                do throws(AdapterClientError) {
                    _ = try await client.estimate(AdapterFixtures.estimateRequest, timeout: .milliseconds(1500))
                    failed = nil
                } catch {
                    failed = error
                }
                #expect(failed == .timeout(method: .estimate, milliseconds: 1500))

                let second = try await ChildProcess.withRunning(binary, ["adapter"], environment: environment("adapter-child-2")) { _ in
                    try await client.estimate(AdapterFixtures.estimateRequest, timeout: .seconds(30)).adapter
                }
                #expect(second.result == "adapter-child-2")
                #expect(second.termination == .exited(0), "SIGTERM: a graceful stop")
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
