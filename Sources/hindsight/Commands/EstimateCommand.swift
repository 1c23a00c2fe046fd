import ArgumentParser
import Foundation
import HindsightAgent
import HindsightCore
import Logging

/// `hindsight estimate plan.json`: ask a running adapter for per-phase and total duration estimates.
struct EstimateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "estimate",
        abstract: "Ask the adapter to estimate a plan's durations (estimate); the file holds the request JSON.",
        discussion: """
            The file is an estimate request: {"domain": ..., "plan": [{"name": ..., "estimated_seconds": ...}]}. \
            Prints each phase's estimate with its interval and basis (history, plan or default), or the whole \
            reply with --format json.
            """)

    @OptionGroup var call: AdapterCallOptions

    func run() async throws {
        try Bootstrap.run(defaultLevel: .warning)
        let request = try call.request(EstimateRequest.self)
        let reply = try await call.withClient { client, timeout throws(AdapterClientError) in
            try await client.estimate(request, timeout: timeout)
        }
        if call.format == .json { return try printJSON(reply) }
        let r = reply.result
        printTable(["phase", "estimate s", "low s", "high s", "basis", "runs"], r.phases.map {
            [$0.name, seconds($0.estimateSeconds), seconds($0.lowSeconds), seconds($0.highSeconds), $0.basis, String($0.sampleSize)]
        })
        print("total \(seconds(r.totalSeconds)) s (\(seconds(r.totalLowSeconds))–\(seconds(r.totalHighSeconds)) s), confidence \(String(format: "%.2f", r.confidence))")
        printEnvelope(reply)
    }
}
