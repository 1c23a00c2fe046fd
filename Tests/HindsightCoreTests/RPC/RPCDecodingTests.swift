import Foundation
import Testing
@testable import HindsightCore

@Suite("RPC request decoding (typed errors naming the field)")
struct RPCDecodingTests {
    static func decodeError<T: Decodable>(_ type: T.Type, _ json: String) -> RPCError? {
        do {
            _ = try RPCCodec.decode(type, from: Array(json.utf8))
            return nil
        } catch {
            return error
        }
    }

    @Test func validPlanOptimizeRequest() throws {
        let json = """
        {"domain":"data","goal":"load the files","execution_id":"6f1c1b7e-2f7a-4b43-9a55-3f1f0c0a8e11",
         "plan":[{"name":"fetch","estimated_seconds":30},{"name":"parse","dependencies":["fetch"],"description":"d"}],
         "options":{"aggressive":true},"unknown_member":1}
        """
        let request = try RPCCodec.decode(PlanOptimizeRequest.self, from: Array(json.utf8))
        #expect(request.domain == "data" && request.plan.count == 2 && request.plan[0].estimatedSeconds == 30)
        #expect(request.options == .init(aggressive: true, crossDomain: false))
        #expect(request.executionID == UUID(uuidString: "6f1c1b7e-2f7a-4b43-9a55-3f1f0c0a8e11"))
    }

    @Test func malformedBodiesAreInvalidJSON() {
        #expect(Self.decodeError(PlanOptimizeRequest.self, "{\"domain\":")?.code == .invalidJSON)
        #expect(Self.decodeError(PlanOptimizeRequest.self, "not json")?.code == .invalidJSON)
        #expect(Self.decodeError(PlanOptimizeRequest.self, "[1]") == .invalid("(body)", "must be a JSON object"))
    }

    @Test func missingAndMistypedFieldsAreNamed() {
        #expect(Self.decodeError(EstimateRequest.self, #"{"plan":[{"name":"a"}]}"#) == .invalid("domain", "required"))
        #expect(Self.decodeError(EstimateRequest.self, #"{"domain":"d","plan":[{"name":"a"},{"nam":"b"}]}"#)
            == .invalid("plan[1].name", "required"))
        #expect(Self.decodeError(EstimateRequest.self, #"{"domain":"d","plan":[{"name":"a","estimated_seconds":"x"}]}"#)
            == .invalid("plan[0].estimated_seconds", "expected a number"))
        let uuid = Self.decodeError(PlanOptimizeRequest.self, #"{"domain":"d","goal":"g","execution_id":"nope","plan":[{"name":"a"}]}"#)
        #expect(uuid?.code == .invalidRequest && uuid?.message.hasPrefix("execution_id:") == true)
    }

    @Test func limitsAreEnforced() {
        let long = String(repeating: "x", count: 201)
        #expect(Self.decodeError(EstimateRequest.self, #"{"domain":"\#(long)","plan":[{"name":"a"}]}"#)
            == .invalid("domain", "longer than 200 bytes"))
        #expect(Self.decodeError(EstimateRequest.self, #"{"domain":"d","plan":[{"name":"\#(long)"}]}"#)
            == .invalid("plan[0].name", "longer than 200 bytes"))
        let goal = String(repeating: "g", count: 4097)
        #expect(Self.decodeError(PlanOptimizeRequest.self, #"{"domain":"d","goal":"\#(goal)","plan":[{"name":"a"}]}"#)
            == .invalid("goal", "longer than 4096 bytes"))
        let eleven = (0..<11).map { #"{"name":"p\#($0)"}"# }.joined(separator: ",")
        #expect(Self.decodeError(EstimateRequest.self, #"{"domain":"d","plan":[\#(eleven)]}"#)
            == .invalid("plan", "at most 10 phases, got 11"))
        #expect(Self.decodeError(EstimateRequest.self, #"{"domain":"d","plan":[]}"#) == .invalid("plan", "needs at least one phase"))
        #expect(Self.decodeError(EstimateRequest.self, #"{"domain":"d","plan":[{"name":"a"},{"name":"a"}]}"#)
            == .invalid("plan[1].name", "duplicate phase name 'a'"))
        #expect(Self.decodeError(EstimateRequest.self, #"{"domain":"d","plan":[{"name":"a","dependencies":["z"]}]}"#)
            == .invalid("plan[0].dependencies[0]", "'z' is not another phase of the plan"))
        #expect(Self.decodeError(EstimateRequest.self, #"{"domain":"d","plan":[{"name":"a","estimated_seconds":-1}]}"#)
            == .invalid("plan[0].estimated_seconds", "must be between 0 and 1e9"))
        let big = "{\"domain\":\"d\",\"pad\":\"\(String(repeating: "x", count: RPCContract.maxRequestBytes))\"}"
        #expect(Self.decodeError(EstimateRequest.self, big)?.code == .tooLarge)
    }

    @Test func recoveryRequestChecks() throws {
        let ok = #"{"domain":"d","phase":"p","error_type":"TimeoutError","message":"timed out","attempt":1,"elapsed_seconds":3.5}"#
        let request = try RPCCodec.decode(RecoveryStrategyRequest.self, from: Array(ok.utf8))
        #expect(request.attempt == 1 && request.failureType == nil && request.errorType == "TimeoutError")
        #expect(Self.decodeError(RecoveryStrategyRequest.self, ok.replacingOccurrences(of: #""attempt":1"#, with: #""attempt":0"#))
            == .invalid("attempt", "must be between 1 and 1000000"))
        let typed = ok.replacingOccurrences(of: "}", with: #","failure_type":"meltdown"}"#)
        #expect(Self.decodeError(RecoveryStrategyRequest.self, typed)?.message.hasPrefix("failure_type: 'meltdown' is not one of") == true)
        #expect(Self.decodeError(RecoveryStrategyRequest.self, #"{"domain":"d","phase":"p","attempt":1,"elapsed_seconds":1}"#)
            == .invalid("message", "required"))
    }

    @Test func repliesEncodeSnakeCase() throws {
        let reply = RPCReply(
            result: EstimateResult(phases: [], totalSeconds: 1, totalLowSeconds: 0.5, totalHighSeconds: 1.5, confidence: 0),
            database: .unavailable, insightsComputedAt: nil, adapter: "a1")
        let text = String(decoding: RPCCodec.encode(reply), as: UTF8.self)
        #expect(text.contains(#""served_from":"cache""#) && text.contains(#""database":"unavailable""#))
        #expect(text.contains(#""total_low_seconds":0.5"#) && text.contains(#""ok":true"#))
        let error = String(decoding: RPCCodec.errorBody(.invalid("plan", "x")), as: UTF8.self)
        #expect(error == #"{"error":{"code":"invalid_request","message":"plan: x"},"ok":false}"#)
        let decoded = try JSONDecoder().decode(RPCResponse<EstimateResult>.self, from: Data(RPCCodec.encode(reply)))
        guard case let .success(back) = decoded else { Issue.record("expected success"); return }
        #expect(back == reply)
        let failed = try JSONDecoder().decode(RPCResponse<EstimateResult>.self, from: Data(error.utf8))
        guard case let .failure(failure) = failed else { Issue.record("expected failure"); return }
        #expect(failure.error == .invalid("plan", "x"))
    }
}

@Suite("RPC request encoding (what AdapterClient sends)")
struct RPCEncodingTests {
    @Test func requestsRoundTripWithLowercaseIDs() throws {
        let id = try #require(UUID(uuidString: "6F1C1B7E-2F7A-4B43-9A55-3F1F0C0A8E11"))
        let optimize = PlanOptimizeRequest(domain: "d", goal: "g", executionID: id, plan: [RPCPlanPhase(name: "a", estimatedSeconds: 2)],
                                           options: .init(crossDomain: true))
        let body = RPCCodec.encode(optimize)
        #expect(String(decoding: body, as: UTF8.self).contains(#""execution_id":"6f1c1b7e-2f7a-4b43-9a55-3f1f0c0a8e11""#))
        #expect(try RPCCodec.decode(PlanOptimizeRequest.self, from: body) == optimize)
        let recovery = RecoveryStrategyRequest(domain: "d", phase: "p", message: "m", attempt: 2, elapsedSeconds: 1, executionID: id,
                                               failureType: .timeout)
        #expect(try RPCCodec.decode(RecoveryStrategyRequest.self, from: RPCCodec.encode(recovery)) == recovery)
        let estimate = EstimateRequest(domain: "d", plan: [RPCPlanPhase(name: "a", dependencies: nil)])
        #expect(try RPCCodec.decode(EstimateRequest.self, from: RPCCodec.encode(estimate)) == estimate)
    }
}
