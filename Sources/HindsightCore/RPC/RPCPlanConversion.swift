public import Foundation

/// Converts plans between the RPC shape and the core's ``ExecutionPlan``.
///
/// The core needs at least one capability per phase; a phase sent without any gets
/// ``placeholderCapability``, which is removed again on the way back.
public enum RPCPlanConversion {
    /// The capability given to phases sent without any (never returned).
    public static let placeholderCapability = "general"

    /// The core plan of `phases` (estimates travel exactly, as ``DurationFormatter/exactText(seconds:)``).
    ///
    /// - Throws: ``RPCErrorCode/invalidRequest`` when the core rejects a phase (e.g. a blank name).
    public static func executionPlan(_ phases: [RPCPlanPhase], goalID: UUID) throws(RPCError) -> ExecutionPlan {
        var core: [PlanPhase] = []
        for (i, phase) in phases.enumerated() {
            do {
                let capabilities = phase.requiredCapabilities ?? []
                core.append(try PlanPhase(
                    name: phase.name, description: phase.description ?? "",
                    requiredCapabilities: capabilities.isEmpty ? [placeholderCapability] : capabilities,
                    estimatedDuration: phase.estimatedSeconds.map(DurationFormatter.exactText(seconds:)) ?? "",
                    dependencies: phase.dependencies ?? [], successIndicators: phase.successIndicators ?? []))
            } catch {
                throw .invalid("plan[\(i)]", "\(error)")
            }
        }
        do {
            return try ExecutionPlan(goalID: goalID, phases: core, totalEstimatedDuration: AdaptationEngine.totalDuration(of: core))
        } catch {
            throw .invalid("plan", "\(error)")
        }
    }

    /// The RPC phases of core `phases`, estimates in seconds (60 s where the text has none), without the
    /// placeholder capability unless the caller sent it.
    public static func rpcPhases(_ phases: [PlanPhase], original: [RPCPlanPhase]) -> [RPCPlanPhase] {
        phases.map { phase in
            let sent = original.first { $0.name == phase.name }
            let sentCapabilities = sent?.requiredCapabilities ?? []
            let capabilities = sentCapabilities.contains(placeholderCapability)
                ? phase.requiredCapabilities
                : phase.requiredCapabilities.filter { $0 != placeholderCapability }
            return RPCPlanPhase(
                name: phase.name, estimatedSeconds: phase.estimatedSeconds ?? MetricsCollector.defaultEstimateSeconds,
                description: sent?.description, dependencies: phase.dependencies.isEmpty ? nil : phase.dependencies,
                requiredCapabilities: capabilities.isEmpty ? nil : capabilities,
                successIndicators: phase.successIndicators.isEmpty ? nil : phase.successIndicators)
        }
    }
}
