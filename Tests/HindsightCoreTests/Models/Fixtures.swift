import Foundation
@testable import HindsightCore

/// Shared builders for the learning-core tests. Deterministic: ids come from a counter, times from a fixed epoch.
enum Fixtures {
    static let epoch = Timestamp(microsecondsSinceEpoch: 1_762_887_901_000_000) // 2025-11-11T19:05:01Z

    static func id(_ n: Int) -> UUID {
        UUID(uuidString: String(format: "00000000-0000-4000-8000-%012d", n))!
    }

    static func phase(
        _ name: String, _ estimate: String = "1 minute", dependencies: [String] = [],
        parallelSafe: Bool = true, indicators: [String] = [], capabilities: [String] = ["test"]
    ) -> PlanPhase {
        try! PlanPhase(name: name, description: name, requiredCapabilities: capabilities, estimatedDuration: estimate,
                       dependencies: dependencies, parallelSafe: parallelSafe, successIndicators: indicators)
    }

    static func plan(_ phases: [PlanPhase], total: String = "3 minutes", goal: Int = 1) -> ExecutionPlan {
        try! ExecutionPlan(goalID: id(goal), phases: phases, totalEstimatedDuration: total)
    }

    static func goal(_ text: String = "Test goal", domain: String = "testing", complexity: GoalDefinition.Complexity = .moderate) -> GoalDefinition {
        try! GoalDefinition(rawPrompt: "Test", goal: text, domain: domain, complexity: complexity)
    }

    /// A trace whose phases run back to back for the given seconds; `failed` phases end unsuccessfully.
    static func trace(
        _ n: Int, domain: String = "testing", goal: GoalDefinition? = nil, plan: ExecutionPlan? = nil,
        phases: [(String, Double)], failed: Set<String> = [], status: ExecutionStatus = .completed,
        errors: [(String, String?)] = [], start: Timestamp = epoch, total: Double? = nil, tools: [String] = []
    ) -> ExecutionTrace {
        var events: [ExecutionEvent] = []
        var t = start
        for (name, seconds) in phases {
            events.append(.phaseStart(name, at: t))
            t = t.adding(seconds: seconds)
            events.append(.phaseEnd(name, at: t, success: !failed.contains(name)))
        }
        for tool in tools { events.append(.toolCall(tool, at: start.adding(seconds: 1), durationMs: 50)) }
        for (message, phase) in errors {
            events.append(.error(type: "RuntimeError", message: message, at: start.adding(seconds: 2), phase: phase))
        }
        let end = start.adding(seconds: total ?? phases.reduce(0) { $0 + $1.1 })
        return try! ExecutionTrace(
            executionID: id(n), agentBundleID: id(100_000 + n), domain: domain, goal: goal, plan: plan,
            events: events, startTime: start, endTime: status == .running ? nil : end, status: status)
    }
}
