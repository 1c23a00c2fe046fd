import AMQP
import Foundation
import HindsightAgent
import HindsightCore
import HindsightTesting
import HindsightWorkers
import Testing

/// Malformed, oversized, unknown and expired requests over the real broker: typed error replies or a
/// silent drop, and the adapter keeps serving after each.
@Suite("Adapter: faults")
struct AdapterFaultTests {
    static func serverError(_ call: @Sendable () async throws(AdapterClientError) -> [UInt8]) async -> AdapterClientError? {
        do {
            let body = try await call()
            // The raw `send` returns error replies as bodies: decode them as a typed client would.
            _ = try AdapterEnvelope.decodeReply(EstimateResult.self, method: .estimate, from: body)
            return nil
        } catch {
            return error
        }
    }

    @Test("malformed, oversized, unknown-method and wrong-version requests get typed error replies; the adapter keeps serving")
    func typedErrors() async throws {
        let harness = try await AdapterHarness()
        defer { Task { await harness.cleanUp() } }
        let client = harness.client
        let timeout = Duration.seconds(10)
        let results = try await harness.withAdapter(knowledge: [AdapterFixtures.knowledge]) {
            let json = await Self.serverError { () throws(AdapterClientError) in
                try await client.send(method: "estimate", body: Array("{not json".utf8), timeout: timeout)
            }
            let invalid = await Self.serverError { () throws(AdapterClientError) in
                try await client.send(method: "estimate", body: Array(#"{"domain":"d","plan":[{"name":""}]}"#.utf8), timeout: timeout)
            }
            let big = await Self.serverError { () throws(AdapterClientError) in
                try await client.send(method: "estimate", body: Array(repeating: UInt8(ascii: " "), count: 70_000), timeout: timeout)
            }
            let unknown = await Self.serverError { () throws(AdapterClientError) in
                try await client.send(method: "plan.delete", body: Array("{}".utf8), timeout: timeout)
            }
            let version = await Self.serverError { () throws(AdapterClientError) in
                try await client.send(
                    method: "estimate", body: AdapterEnvelope.body(AdapterFixtures.estimateRequest), timeout: timeout,
                    headers: [RPCContract.Header.version: .int(2)])
            }
            let after = try await client.estimate(AdapterFixtures.estimateRequest)
            return [json, invalid, big, unknown, version].map { $0.map { "\($0)" } ?? "none" } + [after.adapter]
        }
        func code(_ error: RPCErrorCode) -> String {
            "\(AdapterClientError.server(code: error, message: ""))".components(separatedBy: ":").prefix(2).joined(separator: ":")
        }
        #expect(results[0].hasPrefix(code(.invalidJSON)))
        #expect(results[1].hasPrefix(code(.invalidRequest)) && results[1].contains("plan[0].name"))
        #expect(results[2].hasPrefix(code(.tooLarge)))
        #expect(results[3].hasPrefix(code(.unknownMethod)))
        #expect(results[4].hasPrefix(code(.unsupportedVersion)))
        #expect(results[5] == "adapter-test")
    }

    @Test("a request whose deadline has passed is dropped without a reply (the caller times out), counted and logged; the next one is served")
    func expiredDropped() async throws {
        let harness = try await AdapterHarness()
        defer { Task { await harness.cleanUp() } }
        let client = harness.client
        let factory = CountingMetricsFactory(), log = RecordingLog()
        let (expired, served) = try await harness.withAdapter(
            loader: StaticKnowledgeLoader(domains: []), metrics: AdapterMetrics(factory: factory), logger: log.logger()
        ) { _ in
            let past = AdapterEnvelope.nowMilliseconds() - 60_000
            let expired: AdapterClientError?
            do {
                _ = try await client.send(
                    method: "estimate", body: AdapterEnvelope.body(AdapterFixtures.estimateRequest), timeout: .milliseconds(1500),
                    headers: [RPCContract.Header.version: .int(1), RPCContract.Header.deadline: .int(past)])
                expired = nil
            } catch {
                expired = error as? AdapterClientError
            }
            return (expired, try await client.estimate(AdapterFixtures.estimateRequest))
        }
        #expect(expired == .timeout(method: .estimate, milliseconds: 1500))
        #expect(served.result.phases.count == AdapterFixtures.estimateRequest.plan.count)
        #expect(factory.total("hindsight_adapter_dropped_total", [("reason", "expired")]) == 1)
        #expect(factory.total("hindsight_adapter_requests_total", [("method", "estimate"), ("outcome", "ok")]) == 1)
        let dropped = log.all.filter { $0.message == "adapter.request.dropped" }
        #expect(dropped.count == 1 && dropped.first?.metadata["rpc.reason"] == "expired" && dropped.first?.metadata["rpc.method"] == "estimate")
    }
}
