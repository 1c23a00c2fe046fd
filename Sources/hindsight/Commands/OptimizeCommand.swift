import ArgumentParser
import Foundation
import HindsightAgent
import HindsightCore
import Logging

/// `hindsight optimize plan.json`: ask a running adapter (`hindsight adapter`) to optimize a plan.
struct OptimizeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "optimize",
        abstract: "Ask the adapter to optimize a plan (plan.optimize); the file holds the request JSON.",
        discussion: """
            The file is a plan.optimize request: {"domain": ..., "goal": ..., "plan": [{"name": ..., \
            "estimated_seconds": ...}], "options": {...}}. Prints the adapted plan, every change with its \
            reason and evidence, similar executions and the A/B variant, or the whole reply with --format json.
            """)

    @OptionGroup var call: AdapterCallOptions

    func run() async throws {
        try Bootstrap.run(defaultLevel: .warning)
        let request = try call.request(PlanOptimizeRequest.self)
        let reply = try await call.withClient { client, timeout throws(AdapterClientError) in
            try await client.optimize(request, timeout: timeout)
        }
        if call.format == .json { return try printJSON(reply) }
        Self.print(reply, original: request)
    }

    static func print(_ reply: RPCReply<PlanOptimizeResult>, original: PlanOptimizeRequest) {
        let r = reply.result
        Swift.print("confidence \(String(format: "%.2f", r.confidence)), expected improvement \(String(format: "%.1f%%", r.expectedImprovement * 100))")
        if let reason = r.reason { Swift.print("unchanged: \(reason)") }
        Swift.print("\nplan")
        printTable(["#", "phase", "estimate s", "was s", "capabilities", "checkpoints"], r.phases.enumerated().map { i, phase in
            let was = original.plan.first { $0.name == phase.name }?.estimatedSeconds
            return [String(i + 1), phase.name, phase.estimatedSeconds.map(seconds) ?? "-", was.map(seconds) ?? "-",
                    (phase.requiredCapabilities ?? []).joined(separator: ","), String((phase.successIndicators ?? []).count)]
        })
        if !r.changes.isEmpty {
            Swift.print("\nchanges")
            printTable(["kind", "phase", "summary", "reason", "evidence"], r.changes.map {
                [$0.kind, $0.phase ?? "-", $0.summary, $0.reason,
                 "\($0.evidence.source) n=\($0.evidence.sampleSize)" + ($0.evidence.value.map { " value \(String(format: "%.2f", $0))" } ?? "")]
            })
        }
        if !r.similarExecutions.isEmpty {
            Swift.print("\nsimilar executions")
            printTable(["execution", "domain", "similarity", "status", "duration s", "runs", "goal"], r.similarExecutions.map {
                [$0.executionID.uuidString.lowercased(), $0.domain + ($0.crossDomain ? " (other domain)" : ""),
                 String(format: "%.2f", $0.similarity), $0.status, $0.durationSeconds.map(seconds) ?? "-", String($0.executions), $0.goal]
            })
        }
        if !r.bestPractices.isEmpty {
            Swift.print("\nbest practices")
            for practice in r.bestPractices { Swift.print("- \(practice)") }
        }
        if let variant = r.variant {
            Swift.print("\nA/B: \(variant.test) variant \(variant.variant.rawValue)\(variant.promoted ? " (promoted)" : "")")
        }
        Swift.print("")
        printEnvelope(reply)
    }
}
