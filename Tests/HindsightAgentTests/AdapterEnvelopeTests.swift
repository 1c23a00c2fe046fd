import AMQP
import Foundation
import HindsightAgent
import HindsightCore
import Testing

/// The envelope half of `AdapterClient`: request properties and reply decoding, no broker.
@Suite("AdapterClient envelope")
struct AdapterEnvelopeTests {
    @Test("request properties carry method, version, absolute deadline and the same TTL")
    func properties() {
        let properties = AdapterEnvelope.properties(method: .recoveryStrategy, timeout: .milliseconds(1500), nowMilliseconds: 1_000_000)
        #expect(properties.type == "recovery.strategy")
        #expect(properties.headers[RPCContract.Header.version] == .int(1))
        #expect(properties.headers[RPCContract.Header.deadline] == .int(1_001_500))
        #expect(properties.expiration == "1500")
        #expect(properties.contentType == "application/json")
        #expect(properties.deliveryMode == .transient)
        #expect(properties.replyTo == nil && properties.correlationID == nil)
    }

    @Test("a sub-millisecond timeout still gives a deadline in the future")
    func tinyTimeout() {
        let properties = AdapterEnvelope.properties(method: .estimate, timeout: .microseconds(10), nowMilliseconds: 5)
        #expect(properties.headers[RPCContract.Header.deadline] == .int(6))
        #expect(properties.expiration == "1")
    }

    @Test("the request body is the JSON the adapter decodes")
    func body() throws {
        let request = EstimateRequest(domain: "etl", plan: [RPCPlanPhase(name: "fetch", estimatedSeconds: 10)])
        let decoded = try RPCCodec.decode(EstimateRequest.self, from: AdapterEnvelope.body(request))
        #expect(decoded == request)
    }

    @Test("a success reply decodes to the result")
    func success() throws {
        let body = Array(#"{"adapter":"a1","database":"unavailable","insights_computed_at":null,"ok":true,"result":{"confidence":0,"phases":[{"basis":"plan","estimate_seconds":10,"high_seconds":15,"low_seconds":5,"name":"fetch","sample_size":0}],"total_high_seconds":15,"total_low_seconds":5,"total_seconds":10},"served_from":"cache"}"#.utf8)
        let reply = try AdapterEnvelope.decodeReply(EstimateResult.self, method: .estimate, from: body)
        #expect(reply.adapter == "a1")
        #expect(reply.database == .unavailable)
        #expect(reply.result.totalSeconds == 10)
        #expect(reply.result.phases.map(\.name) == ["fetch"])
    }

    @Test("an error reply becomes a typed server error")
    func serverError() {
        let body = Array(#"{"error":{"code":"invalid_request","message":"plan[1].name: required"},"ok":false}"#.utf8)
        #expect(throws: AdapterClientError.server(code: .invalidRequest, message: "plan[1].name: required")) {
            try AdapterEnvelope.decodeReply(EstimateResult.self, method: .estimate, from: body)
        }
    }

    @Test("bodies that are no reply envelope are undecodable", arguments: [
        "not json", "{}", #"{"ok":true}"#, #"{"ok":false,"error":{"code":"nope","message":"x"}}"#, "[1]",
    ])
    func undecodable(body: String) {
        #expect {
            try AdapterEnvelope.decodeReply(EstimateResult.self, method: .estimate, from: Array(body.utf8))
        } throws: { error in
            guard case let .undecodableReply(method, _) = error as? AdapterClientError else { return false }
            return method == .estimate
        }
    }

    @Test("errors describe themselves in one line")
    func descriptions() {
        let errors: [AdapterClientError] = [
            .timeout(method: .planOptimize, milliseconds: 2000), .server(code: .tooLarge, message: "m"),
            .undecodableReply(method: .estimate, reason: "not JSON"), .connection("refused"),
        ]
        for error in errors { #expect(!error.description.contains("\n")) }
        #expect(AdapterClientError.timeout(method: .planOptimize, milliseconds: 2000).description.contains("2000 ms"))
    }
}
