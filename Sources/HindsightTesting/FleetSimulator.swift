package import Foundation
package import HindsightCore
import HindsightAgent
import Synchronization

/// Generates realistic executions of a fleet of agents, deterministically from a seed.
///
/// Each domain has a plan of phases with typical durations, tools and failure modes; some phases are
/// slow, some fail in recognisable ways (timeouts, missing resources, rate limits…), and agents recover
/// some failures. The generated history is what the demo and the benchmarks feed through the cluster,
/// and what the integration tests compare against.
package struct FleetSimulator: Sendable {
    /// A domain's typical plan.
    package struct DomainProfile: Sendable {
        package var domain: String
        package var goals: [String]
        /// (phase, mean seconds, failure probability)
        package var phases: [(name: String, meanSeconds: Double, failure: Double)]
        package var tools: [String]
        package var errors: [(type: String, template: String)]
    }

    package static let defaultProfiles: [DomainProfile] = [
        DomainProfile(
            domain: "data-processing",
            goals: ["Clean and aggregate sales data", "Deduplicate customer records", "Build the weekly revenue report"],
            phases: [("analysis", 20, 0.02), ("extraction", 60, 0.05), ("transformation", 140, 0.12),
                     ("validation", 30, 0.04), ("loading", 45, 0.06), ("reporting", 25, 0.02)],
            tools: ["sql", "python", "llm", "http"],
            errors: [("TimeoutError", "Query timed out after %d seconds"),
                     ("FileNotFoundError", "File not found: /data/in/batch-%d.csv"),
                     ("MemoryError", "Out of memory while sorting %d rows")]),
        DomainProfile(
            domain: "security-analysis",
            goals: ["Analyze logs for intrusion attempts", "Audit IAM permissions", "Scan dependencies for CVEs"],
            phases: [("analysis", 30, 0.03), ("collection", 90, 0.08), ("scanning", 200, 0.10),
                     ("triage", 60, 0.05), ("reporting", 30, 0.02), ("review", 20, 0.01)],
            tools: ["grep", "llm", "scanner", "http"],
            errors: [("PermissionError", "Access denied reading /var/log/auth-%d.log"),
                     ("ConnectionError", "Connection refused by 10.0.%d.7:443"),
                     ("TimeoutError", "Scanner timeout after %d s")]),
        DomainProfile(
            domain: "automation",
            goals: ["Automate the release checklist", "Provision a staging environment", "Rotate service credentials"],
            phases: [("analysis", 15, 0.02), ("planning", 25, 0.03), ("implementation", 120, 0.10),
                     ("testing", 90, 0.15), ("deployment", 60, 0.07), ("verification", 20, 0.03)],
            tools: ["shell", "git", "llm", "http"],
            errors: [("SyntaxError", "Parse error in deploy.yaml line %d"),
                     ("HTTPError", "Rate limit exceeded (429) after %d requests"),
                     ("TimeoutError", "Health check timed out after %d seconds")]),
    ]

    package var profiles: [DomainProfile]
    private var rng: SplitMix64

    package init(seed: UInt64, profiles: [DomainProfile] = FleetSimulator.defaultProfiles) {
        self.profiles = profiles
        self.rng = SplitMix64(seed: seed)
    }

    /// The events of one simulated execution starting at `startMicros`, in the order the agent emits them.
    package mutating func execution(startingAt startMicros: Int64, domainIndex: Int? = nil) -> [WireEvent] {
        let profile = profiles[domainIndex ?? Int(rng.next() % UInt64(profiles.count))]
        let idSeed = rng.next()
        let executionID = UUID.deterministic(idSeed, 0)
        let counter = Counter()
        var recorder = ExecutionRecorder(executionID: executionID, domain: profile.domain) {
            UUID.deterministic(idSeed, counter.next())
        }
        var now = startMicros
        let plan = profile.phases.map(\.name)
        recorder.start(goal: profile.goals[Int(rng.next() % UInt64(profile.goals.count))], plan: plan,
                       agentID: "agent-\(rng.next() % 16)", at: now)
        var failed = false
        var recovered = false
        for (phaseIndex, phase) in profile.phases.enumerated() {
            now += 1_000
            recorder.startPhase(phase.name, estimatedSeconds: phase.meanSeconds, at: now)
            let seconds = phase.meanSeconds * (0.6 + rng.unit() * 0.8) * (rng.unit() < 0.1 ? 2.5 : 1.0)
            let toolCalls = 1 + Int(rng.next() % 3)
            for _ in 0..<toolCalls {
                let ms = (seconds * 1000 / Double(toolCalls + 1) * (0.5 + rng.unit())).rounded()
                now += Int64(ms * 1000 / 2)
                recorder.toolUsed(profile.tools[Int(rng.next() % UInt64(profile.tools.count))], durationMs: ms, phase: phase.name, at: now)
            }
            now += Int64(seconds * 1_000_000 / 2)
            if rng.unit() < phase.failure * 2 {
                // Each failure mode belongs to a phase, as in real plans (timeouts where the heavy work is…).
                let error = profile.errors[(phaseIndex + Int(rng.next() % 2)) % profile.errors.count]
                let message = error.template.replacingOccurrences(of: "%d", with: String(10 + rng.next() % 990))
                recorder.error(type: error.type, message: message, phase: phase.name, at: now)
                if rng.unit() < 0.6 {
                    now += 2_000_000
                    recorder.recoveryAttempted(strategy: "retry", failureType: nil, success: true, phase: phase.name, at: now)
                    recovered = true
                } else {
                    recorder.endPhase(phase.name, success: false, error: message, at: now)
                    failed = true
                    break
                }
            }
            recorder.endPhase(phase.name, success: true, at: now)
        }
        now += 1_000
        let status = failed ? "failed" : (recovered && rng.unit() < 0.3 ? "recovered" : "completed")
        recorder.complete(status: status, result: failed ? "aborted" : "done", at: now)
        return recorder.events
    }
}

/// A small, fast, seedable generator (SplitMix64) so simulations repeat exactly.
package struct SplitMix64: Sendable {
    private var state: UInt64

    package init(seed: UInt64) { state = seed }

    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform value in [0, 1).
    package mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}

extension UUID {
    /// A version-4-shaped UUID derived from two integers (stable across runs and platforms).
    package static func deterministic(_ a: UInt64, _ b: UInt64) -> UUID {
        var mixer = SplitMix64(seed: a ^ (b &* 0x9E37_79B9_7F4A_7C15))
        let hi = mixer.next(), lo = mixer.next()
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in 0..<8 { bytes[i] = UInt8(truncatingIfNeeded: hi >> (8 * i)); bytes[8 + i] = UInt8(truncatingIfNeeded: lo >> (8 * i)) }
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }
}

/// A counter shared by a recorder's id factory.
final class Counter: Sendable {
    private let value = Atomic<UInt64>(0)
    func next() -> UInt64 { value.add(1, ordering: .relaxed).newValue }
}
