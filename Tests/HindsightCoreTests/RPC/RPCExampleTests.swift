import Foundation
import Testing
@testable import HindsightCore

/// The example files of Examples/rpc, validated against the JSON Schemas by tests/schema/test_rpc_schemas.py.
/// Response examples are exactly what the handlers encode for the request examples (golden files; run
/// with HINDSIGHT_WRITE_RPC_EXAMPLES=1 to rewrite them after a deliberate change).
@Suite("RPC examples (request files decode, response files are the handlers' output)")
struct RPCExampleTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Examples/rpc")

    static func bytes(_ name: String) throws -> [UInt8] {
        let root = try #require(Bundle.module.url(forResource: "Examples", withExtension: nil))
        return [UInt8](try Data(contentsOf: root.appendingPathComponent("rpc/\(name).json")))
    }

    static func checkGolden(_ name: String, _ body: [UInt8]) throws {
        var text = String(decoding: body, as: UTF8.self)
        text += "\n"
        if ProcessInfo.processInfo.environment["HINDSIGHT_WRITE_RPC_EXAMPLES"] == "1" {
            try Data(text.utf8).write(to: folder.appendingPathComponent("\(name).json"))
            return
        }
        #expect(String(decoding: try bytes(name), as: UTF8.self) == text, "\(name)")
    }

    static func reply<R: Codable & Sendable>(_ result: R, history: Bool) -> [UInt8] {
        RPCCodec.encode(RPCReply(result: result, database: .available,
                                 insightsComputedAt: history ? "2026-12-01T03:00:00Z" : nil, adapter: "adapter-1"))
    }

    @Test func planOptimizeExamples() throws {
        let request = try RPCCodec.decode(PlanOptimizeRequest.self, from: try Self.bytes("plan.optimize--request--with-history"))
        let similar = [RPCSimilarExecution(
            executionID: try #require(UUID(uuidString: "00000000-0000-4000-8000-0000000000aa")), goal: "load the daily files",
            similarity: 0.61, status: "completed", durationSeconds: 212.5, domain: "data", crossDomain: false)]
        let knowledge = try RPCHandlerTests.knowledge(ab: .init(test: "data/adapted-v1", promotedWinner: .b))
        let result = try PlanOptimizeHandler().handle(request, knowledge: knowledge, similar: similar)
        try Self.checkGolden("plan.optimize--response--with-history", Self.reply(result, history: true))
        let minimal = try RPCCodec.decode(PlanOptimizeRequest.self, from: try Self.bytes("plan.optimize--request--minimal"))
        try Self.checkGolden("plan.optimize--response--cold-start", Self.reply(try PlanOptimizeHandler().handle(minimal, knowledge: nil), history: false))
    }

    @Test func recoveryAndEstimateExamples() throws {
        let failure = try RPCCodec.decode(RecoveryStrategyRequest.self, from: try Self.bytes("recovery.strategy--request--timeout"))
        let knowledge = try RPCHandlerTests.knowledge(recovery: [
            .init(failureType: "timeout", strategy: "retry", attempts: 10, successes: 1),
            .init(failureType: "timeout", strategy: "skip", attempts: 8, successes: 8),
        ])
        try Self.checkGolden("recovery.strategy--response--learned",
                             Self.reply(RecoveryStrategyHandler().handle(failure, knowledge: knowledge), history: true))
        let estimate = try RPCCodec.decode(EstimateRequest.self, from: try Self.bytes("estimate--request--mixed"))
        try Self.checkGolden("estimate--response--mixed", Self.reply(EstimateHandler().handle(estimate, knowledge: knowledge), history: true))
        try Self.checkGolden("error--response--invalid-request", RPCCodec.errorBody(.invalid("plan[1].name", "required")))
    }

    @Test func invalidExamplesAreRejectedWithTheirField() throws {
        func code(_ name: String, _ decode: ([UInt8]) throws -> Void) throws -> RPCError? {
            do { try decode(try Self.bytes(name)) } catch let error as RPCError { return error }
            return nil
        }
        #expect(try code("invalid--plan.optimize--eleven-phases") { _ = try RPCCodec.decode(PlanOptimizeRequest.self, from: $0) }?.message
            == "plan: at most 10 phases, got 11")
        #expect(try code("invalid--plan.optimize--missing-goal") { _ = try RPCCodec.decode(PlanOptimizeRequest.self, from: $0) }?.message
            == "goal: required")
        #expect(try code("invalid--recovery.strategy--attempt-zero") { _ = try RPCCodec.decode(RecoveryStrategyRequest.self, from: $0) }?.message
            == "attempt: must be between 1 and 1000000")
        #expect(try code("invalid--estimate--empty-name") { _ = try RPCCodec.decode(EstimateRequest.self, from: $0) }?.message
            == "plan[0].name: must not be empty")
    }
}
