public import Foundation

/// The answer to `plan.optimize`.
public struct PlanOptimizeResult: Hashable, Codable, Sendable {
    /// The plan this execution should run: the adapted plan, or the plan as sent for A/B variant A.
    public var phases: [RPCPlanPhase]
    /// Every change made, with its reason and evidence (empty when unchanged).
    public var changes: [RPCPlanChange]
    /// Expected improvement in percent (capped at 50), `0` when unchanged.
    public var expectedImprovement: Double
    /// Trust in the adaptation, `0...1`; `0` when unchanged.
    public var confidence: Double
    /// Why the plan is unchanged, `nil` when it changed.
    public var reason: String?
    /// The most similar past executions (same domain; others only with `cross_domain`, labelled).
    public var similarExecutions: [RPCSimilarExecution]
    /// The domain's recommendations the adaptation rests on.
    public var bestPractices: [String]
    /// The A/B variant assigned to the execution, `nil` without an execution id or without a test.
    public var variant: RPCVariantAssignment?

    /// Creates a result.
    public init(
        phases: [RPCPlanPhase], changes: [RPCPlanChange], expectedImprovement: Double, confidence: Double, reason: String?,
        similarExecutions: [RPCSimilarExecution], bestPractices: [String], variant: RPCVariantAssignment?
    ) {
        self.phases = phases
        self.changes = changes
        self.expectedImprovement = expectedImprovement
        self.confidence = confidence
        self.reason = reason
        self.similarExecutions = similarExecutions
        self.bestPractices = bestPractices
        self.variant = variant
    }

    private enum CodingKeys: String, CodingKey {
        case phases, changes, confidence, reason, variant
        case expectedImprovement = "expected_improvement"
        case similarExecutions = "similar_executions"
        case bestPractices = "best_practices"
    }
}

/// One change of a ``PlanOptimizeResult`` (the core's ``PlanChange`` with its evidence).
public struct RPCPlanChange: Hashable, Codable, Sendable {
    /// `reorder`, `duration`, `error_handling` or `checkpoint`.
    public var kind: String
    /// The phase changed, `nil` for plan-wide changes.
    public var phase: String?
    /// What changed.
    public var summary: String
    /// Why.
    public var reason: String
    /// Trust in this change, `0...1`.
    public var confidence: Double
    /// What the change rests on.
    public var evidence: RPCEvidence

    /// Creates a change.
    public init(kind: String, phase: String?, summary: String, reason: String, confidence: Double, evidence: RPCEvidence) {
        self.kind = kind
        self.phase = phase
        self.summary = summary
        self.reason = reason
        self.confidence = confidence
        self.evidence = evidence
    }
}

/// The evidence of a change: how many measurements, which stored insight, its value.
public struct RPCEvidence: Hashable, Codable, Sendable {
    /// Executions (or phase runs) the insight was computed from.
    public var sampleSize: Int
    /// The stored insight, `table.column`, e.g. `insight_phases.p90_s`.
    public var source: String
    /// The insight's value, when it is one number.
    public var value: Double?

    /// Creates evidence.
    public init(sampleSize: Int, source: String, value: Double? = nil) {
        self.sampleSize = sampleSize
        self.source = source
        self.value = value
    }

    private enum CodingKeys: String, CodingKey {
        case source, value
        case sampleSize = "sample_size"
    }
}

/// A past execution with a similar goal.
public struct RPCSimilarExecution: Hashable, Codable, Sendable {
    /// The execution.
    public var executionID: UUID
    /// Its goal text.
    public var goal: String
    /// Trigram similarity of the goals, `0...1`.
    public var similarity: Double
    /// Its status (`completed`, `failed`, …).
    public var status: String
    /// Its duration in seconds, when it finished.
    public var durationSeconds: Double?
    /// Its domain.
    public var domain: String
    /// `true` when it comes from another domain (only with `cross_domain`).
    public var crossDomain: Bool
    /// How many finished executions of this domain had exactly this goal text; this entry stands for all
    /// of them (the best one: the most recent completed, else the most recent). `1` when absent on the wire.
    public var executions: Int

    /// Creates a similar execution.
    public init(
        executionID: UUID, goal: String, similarity: Double, status: String, durationSeconds: Double?, domain: String,
        crossDomain: Bool, executions: Int = 1
    ) {
        self.executionID = executionID
        self.goal = goal
        self.similarity = similarity
        self.status = status
        self.durationSeconds = durationSeconds
        self.domain = domain
        self.crossDomain = crossDomain
        self.executions = executions
    }

    private enum CodingKeys: String, CodingKey {
        case goal, similarity, status, domain, executions
        case executionID = "execution_id"
        case durationSeconds = "duration_s"
        case crossDomain = "cross_domain"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        executionID = try c.decode(UUID.self, forKey: .executionID)
        goal = try c.decode(String.self, forKey: .goal)
        similarity = try c.decode(Double.self, forKey: .similarity)
        status = try c.decode(String.self, forKey: .status)
        durationSeconds = try c.decodeIfPresent(Double.self, forKey: .durationSeconds)
        domain = try c.decode(String.self, forKey: .domain)
        crossDomain = try c.decode(Bool.self, forKey: .crossDomain)
        // Optional on the wire: replies of adapters that did not group by goal carry one execution each.
        executions = try c.decodeIfPresent(Int.self, forKey: .executions) ?? 1
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeLowercased(executionID, forKey: .executionID)
        try c.encode(goal, forKey: .goal)
        try c.encode(similarity, forKey: .similarity)
        try c.encode(status, forKey: .status)
        try c.encodeIfPresent(durationSeconds, forKey: .durationSeconds)
        try c.encode(domain, forKey: .domain)
        try c.encode(crossDomain, forKey: .crossDomain)
        try c.encode(executions, forKey: .executions)
    }
}

/// The A/B variant an execution runs.
public struct RPCVariantAssignment: Hashable, Codable, Sendable {
    /// The test, `<domain>/adapted-v1`.
    public var test: String
    /// `A` (the plan as sent) or `B` (the adapted plan).
    public var variant: ABTest.Variant
    /// `true` when the variant won the test and every execution now gets it.
    public var promoted: Bool

    /// Creates an assignment.
    public init(test: String, variant: ABTest.Variant, promoted: Bool) {
        self.test = test
        self.variant = variant
        self.promoted = promoted
    }
}

/// The answer to `recovery.strategy`.
public struct RecoveryStrategyResult: Hashable, Codable, Sendable {
    /// `retry`, `simplify`, `skip`, `escalate` or `abort`.
    public var action: RecoveryAction
    /// Seconds to wait before retrying (`0` for other actions).
    public var delaySeconds: Double
    /// Why this action.
    public var reason: String
    /// The core's confidence in the strategy, `0...1`.
    public var confidence: Double
    /// The action's posterior mean success probability for this failure type in this domain
    /// (Beta(1, 1): `(successes + 1) / (attempts + 2)`, `0.5` without outcomes).
    public var successEstimate: Double
    /// The failure type (given or classified).
    public var failureType: FailureType
    /// The outcomes of the chosen action behind the estimate.
    public var evidence: Evidence
    /// The steps to carry out.
    public var steps: [String]

    /// The outcomes of one action.
    public struct Evidence: Hashable, Codable, Sendable {
        /// Attempts recorded.
        public var attempts: Int
        /// Attempts that worked.
        public var successes: Int

        /// Creates evidence.
        public init(attempts: Int, successes: Int) {
            self.attempts = attempts
            self.successes = successes
        }
    }

    /// Creates a result.
    public init(
        action: RecoveryAction, delaySeconds: Double, reason: String, confidence: Double, successEstimate: Double,
        failureType: FailureType, evidence: Evidence, steps: [String]
    ) {
        self.action = action
        self.delaySeconds = delaySeconds
        self.reason = reason
        self.confidence = confidence
        self.successEstimate = successEstimate
        self.failureType = failureType
        self.evidence = evidence
        self.steps = steps
    }

    private enum CodingKeys: String, CodingKey {
        case action, reason, confidence, evidence, steps
        case delaySeconds = "delay_seconds"
        case successEstimate = "success_estimate"
        case failureType = "failure_type"
    }
}

/// The answer to `estimate`.
public struct EstimateResult: Hashable, Codable, Sendable {
    /// Per phase, in plan order.
    public var phases: [Phase]
    /// Sum of the phases' point estimates.
    public var totalSeconds: Double
    /// Sum of the phases' lower bounds.
    public var totalLowSeconds: Double
    /// Sum of the phases' upper bounds (conservative: the phases' bounds are not combined statistically).
    public var totalHighSeconds: Double
    /// The domain's confidence times the share of phases estimated from history; `0` without history.
    public var confidence: Double

    /// One phase's estimate.
    public struct Phase: Hashable, Codable, Sendable {
        /// The phase.
        public var name: String
        /// Point estimate in seconds.
        public var estimateSeconds: Double
        /// Lower bound.
        public var lowSeconds: Double
        /// Upper bound.
        public var highSeconds: Double
        /// `history` (p50, interval p50…p90), `plan` (the plan's estimate ± 50 %) or `default` (60 s ± 50 %).
        public var basis: String
        /// Measured runs behind a `history` estimate, `0` otherwise.
        public var sampleSize: Int

        /// Creates a phase estimate.
        public init(name: String, estimateSeconds: Double, lowSeconds: Double, highSeconds: Double, basis: String, sampleSize: Int) {
            self.name = name
            self.estimateSeconds = estimateSeconds
            self.lowSeconds = lowSeconds
            self.highSeconds = highSeconds
            self.basis = basis
            self.sampleSize = sampleSize
        }

        private enum CodingKeys: String, CodingKey {
            case name, basis
            case estimateSeconds = "estimate_seconds"
            case lowSeconds = "low_seconds"
            case highSeconds = "high_seconds"
            case sampleSize = "sample_size"
        }
    }

    /// Creates a result.
    public init(phases: [Phase], totalSeconds: Double, totalLowSeconds: Double, totalHighSeconds: Double, confidence: Double) {
        self.phases = phases
        self.totalSeconds = totalSeconds
        self.totalLowSeconds = totalLowSeconds
        self.totalHighSeconds = totalHighSeconds
        self.confidence = confidence
    }

    private enum CodingKeys: String, CodingKey {
        case phases, confidence
        case totalSeconds = "total_seconds"
        case totalLowSeconds = "total_low_seconds"
        case totalHighSeconds = "total_high_seconds"
    }
}
