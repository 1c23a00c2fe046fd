import AMQP
import Foundation
import HindsightCore
import Logging
import Synchronization
import Testing

@testable import HindsightWorkers

/// A loader over fixed knowledge that can be switched to failing (PostgreSQL down).
final class StubLoader: DomainKnowledgeLoader {
    let domains: Mutex<[DomainKnowledge]>
    let failing = Mutex(false)

    init(_ domains: [DomainKnowledge]) { self.domains = Mutex(domains) }

    struct Down: Error {}

    func loadAll() async throws -> [DomainKnowledge] {
        if failing.withLock({ $0 }) { throw Down() }
        return domains.withLock { $0 }
    }

    func load(domain: String) async throws -> DomainKnowledge? {
        try await loadAll().first { $0.domain == domain }
    }
}

/// The envelope rules of the adapter without a broker: deadline, reply_to, version, method, size, JSON, fields.
@Suite("Adapter request processing (envelope, cache, handlers)")
struct AdapterRequestProcessorTests {
    static func knowledge() throws -> DomainKnowledge {
        let insights = try PerformanceInsights(
            goalDomain: "data", sampleSize: 20, insights: [], recommendations: ["r"], confidenceScore: 0.8, slowPhases: [],
            commonErrors: [], optimalPhaseOrder: ["b", "a"], successRate: 0.9)
        return DomainKnowledge(
            domain: "data", insights: insights,
            recovery: [.init(failureType: "timeout", strategy: "skip", attempts: 6, successes: 6),
                       .init(failureType: "timeout", strategy: "retry", attempts: 6, successes: 0)],
            computedAt: Date(timeIntervalSince1970: 1_764_558_000))
    }

    static func processor(maxBytes: Int = 65_536) async throws -> (AdapterRequestProcessor, StubLoader, InsightsCache) {
        let loader = StubLoader([try knowledge()])
        let health = HealthState()
        let cache = InsightsCache(loader: loader, health: health, logger: Logger(label: "test"))
        #expect(health.isReady == false)
        #expect(await cache.reloadAll())
        #expect(health.isReady)
        var configuration = Adapter.Configuration()
        configuration.instanceName = "adapter-test"
        configuration.maxRequestBytes = maxBytes
        return (AdapterRequestProcessor(cache: cache, configuration: configuration), loader, cache)
    }

    static func properties(_ method: String?, version: AMQPFieldValue? = .int(1), deadline: Int64? = nil, replyTo: String? = "amq.rabbitmq.reply-to.x") -> AMQPProperties {
        var properties = AMQPProperties()
        properties.type = method
        properties.replyTo = replyTo
        if let version { properties.headers[RPCContract.Header.version] = version }
        if let deadline { properties.headers[RPCContract.Header.deadline] = .int(deadline) }
        return properties
    }

    static func json(_ decision: AdapterRequestProcessor.Decision) throws -> (String, String, [String: Any]) {
        guard case let .reply(body, method, outcome) = decision else {
            Issue.record("expected a reply, got \(decision)")
            return ("", "", [:])
        }
        let object = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
        return (method, outcome, object)
    }

    static let optimize = Array(#"{"domain":"data","goal":"g","plan":[{"name":"a"},{"name":"b"}]}"#.utf8)

    @Test func answersFromTheCache() async throws {
        let (processor, _, _) = try await Self.processor()
        let (method, outcome, reply) = try Self.json(await processor.process(
            properties: Self.properties("plan.optimize"), body: Self.optimize, nowMilliseconds: 0))
        #expect(method == "plan.optimize" && outcome == "ok")
        #expect(reply["ok"] as? Bool == true && reply["adapter"] as? String == "adapter-test")
        #expect(reply["database"] as? String == "available" && reply["served_from"] as? String == "cache")
        #expect(reply["insights_computed_at"] as? String == "2025-12-01T03:00:00Z")
        let phases = (reply["result"] as? [String: Any])?["phases"] as? [[String: Any]]
        #expect(phases?.compactMap { $0["name"] as? String } == ["b", "a"])

        let recovery = Array(#"{"domain":"data","phase":"p","message":"timed out","attempt":1,"elapsed_seconds":2}"#.utf8)
        let (_, _, strategy) = try Self.json(await processor.process(
            properties: Self.properties("recovery.strategy"), body: recovery, nowMilliseconds: 0))
        #expect((strategy["result"] as? [String: Any])?["action"] as? String == "skip")

        let cold = Array(#"{"domain":"other","plan":[{"name":"a","estimated_seconds":10}]}"#.utf8)
        let (_, _, estimate) = try Self.json(await processor.process(properties: Self.properties("estimate"), body: cold, nowMilliseconds: 0))
        #expect((estimate["result"] as? [String: Any])?["total_seconds"] as? Double == 10)
        #expect(estimate["insights_computed_at"] == nil)
    }

    @Test func keepsAnsweringWhenTheDatabaseIsDown() async throws {
        let (processor, loader, cache) = try await Self.processor()
        loader.failing.withLock { $0 = true }
        #expect(await cache.reloadAll() == false)
        let (_, outcome, reply) = try Self.json(await processor.process(
            properties: Self.properties("plan.optimize"), body: Self.optimize, nowMilliseconds: 0))
        #expect(outcome == "ok" && reply["database"] as? String == "unavailable")
        let phases = (reply["result"] as? [String: Any])?["phases"] as? [[String: Any]]
        #expect(phases?.compactMap { $0["name"] as? String } == ["b", "a"])
        loader.failing.withLock { $0 = false }
        await cache.reload(domain: "data")
        #expect(cache.database == .available)
    }

    @Test func expiredAndUnanswerableRequestsAreDropped() async throws {
        let (processor, _, _) = try await Self.processor()
        #expect(await processor.process(properties: Self.properties("estimate", deadline: 1000), body: [], nowMilliseconds: 1000)
            == .drop(reason: "expired"))
        #expect(await processor.process(properties: Self.properties("estimate", replyTo: nil), body: [], nowMilliseconds: 0)
            == .drop(reason: "no_reply_to"))
        let (_, outcome, _) = try Self.json(await processor.process(
            properties: Self.properties("plan.optimize", deadline: 1001), body: Self.optimize, nowMilliseconds: 1000))
        #expect(outcome == "ok")
    }

    @Test func malformedRequestsGetTypedErrors() async throws {
        let (processor, _, _) = try await Self.processor(maxBytes: 1024)
        func error(_ properties: AMQPProperties, _ body: [UInt8]) async throws -> (String, String, String) {
            let (method, outcome, reply) = try Self.json(await processor.process(properties: properties, body: body, nowMilliseconds: 0))
            #expect(reply["ok"] as? Bool == false)
            let message = ((reply["error"] as? [String: Any])?["message"] as? String) ?? ""
            return (method, outcome, message)
        }
        #expect(try await error(Self.properties("plan.optimise"), Self.optimize).1 == "unknown_method")
        #expect(try await error(Self.properties(nil), Self.optimize).0 == "unknown")
        #expect(try await error(Self.properties("estimate", version: .int(2)), Self.optimize).1 == "unsupported_version")
        #expect(try await error(Self.properties("estimate", version: .string("1")), Self.optimize).1 == "unsupported_version")
        #expect(try await error(Self.properties("estimate"), Array(repeating: 32, count: 1025)).1 == "too_large")
        #expect(try await error(Self.properties("estimate"), Array("{".utf8)).1 == "invalid_json")
        let invalid = try await error(Self.properties("estimate"), Array(#"{"domain":"d","plan":[{"name":""}]}"#.utf8))
        #expect(invalid.1 == "invalid_request" && invalid.2 == "plan[0].name: must not be empty")
        // Without a version header the request is read as version 1.
        let (_, outcome, _) = try Self.json(await processor.process(
            properties: Self.properties("plan.optimize", version: nil), body: Self.optimize, nowMilliseconds: 0))
        #expect(outcome == "ok")
    }

    @Test func similarExecutionsNeverHoldTheAnswer() async throws {
        let (base, _, cache) = try await Self.processor()
        var configuration = Adapter.Configuration()
        configuration.instanceName = "adapter-test"
        let stuck = Mutex<CheckedContinuation<Void, Never>?>(nil)
        var processor = AdapterRequestProcessor(cache: cache, configuration: configuration) { _ in
            // Never answers until released at the end of the test (a hung database).
            await withCheckedContinuation { continuation in stuck.withLock { $0 = continuation } }
            return []
        }
        processor.similarTimeout = .milliseconds(50)
        let (_, outcome, reply) = try Self.json(await processor.process(
            properties: Self.properties("plan.optimize"), body: Self.optimize, nowMilliseconds: 0))
        #expect(outcome == "ok" && (reply["result"] as? [String: Any])?["similar_executions"] as? [Any] != nil)
        stuck.withLock { $0?.resume(); $0 = nil }
        _ = base
    }
}
