import Foundation

/// Answers `plan.optimize` from a domain's knowledge, with the core's ``AdaptationEngine``: no I/O, no clock.
///
/// Without knowledge the plan comes back unchanged with confidence 0 and the reason. With it, the plan is
/// `engine.adapt(plan, insights:aggressive:)` exactly, each change with the stored insight it rests on.
/// A/B: with an execution id and an adaptation that changed something, the execution gets the variant of
/// the domain's test (`<domain>/adapted-v1`, share 0.5, the core's stable hash); variant A runs the plan
/// as sent. Once a variant is promoted every execution gets the winner.
public struct PlanOptimizeHandler: Sendable {
    /// The engine (its defaults are the analyzer's).
    public var engine: AdaptationEngine
    /// Share of executions sent to the adapted plan while the test runs. Defaults to `0.5`.
    public var candidateShare: Double

    /// Creates a handler.
    public init(engine: AdaptationEngine = AdaptationEngine(), candidateShare: Double = 0.5) {
        self.engine = engine
        self.candidateShare = candidateShare
    }

    /// The goal id the core plan gets: the execution id, or the nil UUID (the plan is never stored).
    static func goalID(_ request: PlanOptimizeRequest) -> UUID {
        request.executionID ?? UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
    }

    /// The answer to `request`.
    ///
    /// - Parameters:
    ///   - knowledge: the domain's knowledge, `nil` without history.
    ///   - similar: similar executions found for the goal (passed through).
    /// - Throws: ``RPCErrorCode/invalidRequest`` when the core rejects the plan.
    public func handle(
        _ request: PlanOptimizeRequest, knowledge: DomainKnowledge?, similar: [RPCSimilarExecution] = []
    ) throws(RPCError) -> PlanOptimizeResult {
        let plan = try RPCPlanConversion.executionPlan(request.plan, goalID: Self.goalID(request))
        let unchangedPhases = RPCPlanConversion.rpcPhases(plan.phases, original: request.plan)
        guard let knowledge else {
            return PlanOptimizeResult(
                phases: unchangedPhases, changes: [], expectedImprovement: 0, confidence: 0,
                reason: "No history for domain '\(request.domain)': the plan is unchanged",
                similarExecutions: similar, bestPractices: [], variant: nil)
        }
        let insights = knowledge.insights
        let adapted = engine.adapt(plan, insights: insights, aggressive: request.options.aggressive)
        let practices = insights.recommendations
        let variant = assignment(request, knowledge: knowledge, adapted: adapted, plan: plan)
        if adapted.changes.isEmpty || variant?.variant == .a {
            let reason = variant?.variant == .a
                ? "A/B test '\(variant?.test ?? "")' \(variant?.promoted == true ? "promoted the control" : "assigned the control"): the plan as sent"
                : Self.unchangedReason(adapted)
            return PlanOptimizeResult(
                phases: unchangedPhases, changes: [], expectedImprovement: 0, confidence: 0, reason: reason,
                similarExecutions: similar, bestPractices: practices, variant: variant)
        }
        let changes = adapted.changes.map { change in
            RPCPlanChange(
                kind: Self.kindName(change.kind), phase: change.phaseName, summary: change.summary, reason: change.reason,
                confidence: change.confidence,
                evidence: evidence(for: change, insights: insights, aggressive: request.options.aggressive))
        }
        return PlanOptimizeResult(
            phases: RPCPlanConversion.rpcPhases(adapted.phases, original: request.plan), changes: changes,
            expectedImprovement: adapted.expectedImprovement, confidence: adapted.confidence, reason: nil,
            similarExecutions: similar, bestPractices: practices, variant: variant)
    }

    private func assignment(
        _ request: PlanOptimizeRequest, knowledge: DomainKnowledge, adapted: AdaptedExecutionPlan, plan: ExecutionPlan
    ) -> RPCVariantAssignment? {
        let name = knowledge.abTest?.test ?? DomainKnowledge.abTestName(domain: request.domain)
        if let winner = knowledge.abTest?.promotedWinner {
            return RPCVariantAssignment(test: name, variant: winner, promoted: true)
        }
        guard let id = request.executionID, !adapted.changes.isEmpty else { return nil }
        let test = ABTest(name: name, control: plan, candidate: adapted, candidateShare: candidateShare)
        return RPCVariantAssignment(test: name, variant: test.variant(for: id), promoted: false)
    }

    static func unchangedReason(_ adapted: AdaptedExecutionPlan) -> String {
        let prefix = "No adaptations applied: "
        let text = adapted.adaptations.first ?? "No beneficial adaptations found"
        return text.hasPrefix(prefix) ? String(text.dropFirst(prefix.count)) : text
    }

    /// The wire name of a change kind.
    public static func kindName(_ kind: PlanChange.Kind) -> String {
        switch kind {
        case .reorder: "reorder"
        case .duration: "duration"
        case .errorHandling: "error_handling"
        case .checkpoint: "checkpoint"
        }
    }

    /// The stored insight a change rests on, mirroring the engine's rules (see ``AdaptationEngine``).
    func evidence(for change: PlanChange, insights: PerformanceInsights, aggressive: Bool) -> RPCEvidence {
        let stats = change.phaseName.flatMap { insights.statistics(forPhase: $0) }
        switch change.kind {
        case .reorder:
            return RPCEvidence(sampleSize: insights.sampleSize, source: "insight_phase_order.phase_order")
        case .duration:
            if let stats, stats.sampleCount >= engine.minimumPhaseSamples {
                let percentile = engine.durationPercentile
                let value: Double = switch percentile {
                case .p75: stats.p75
                case .p90: stats.p90
                case .p95: stats.p95
                }
                return RPCEvidence(sampleSize: stats.sampleCount, source: "insight_phases.\(percentile.rawValue)_s", value: value)
            }
            let slow = insights.slowPhases.first { $0.phaseName == change.phaseName }
            return RPCEvidence(sampleSize: insights.sampleSize, source: "insight_phases.mean_s", value: slow?.averageDuration)
        case .errorHandling:
            if let stats, 1 - stats.successRate >= engine.failureRateThreshold {
                return RPCEvidence(sampleSize: stats.sampleCount, source: "insight_phases.success_rate", value: stats.successRate)
            }
            if let name = change.phaseName, insights.commonErrors.contains(where: { $0.phases.contains(name) }) {
                return RPCEvidence(sampleSize: insights.sampleSize, source: "insight_error_patterns.phases")
            }
            return aggressive
                ? RPCEvidence(sampleSize: 0, source: "options.aggressive")
                : RPCEvidence(sampleSize: insights.sampleSize, source: "insight_error_patterns")
        case .checkpoint:
            if let stats, stats.successRate < engine.lowSuccessThreshold {
                return RPCEvidence(sampleSize: stats.sampleCount, source: "insight_phases.success_rate", value: stats.successRate)
            }
            if aggressive, !(insights.successRate.map { $0 < engine.lowSuccessThreshold } ?? false) {
                return RPCEvidence(sampleSize: 0, source: "options.aggressive")
            }
            return RPCEvidence(sampleSize: insights.sampleSize, source: "insight_domains.success_rate", value: insights.successRate)
        }
    }
}
