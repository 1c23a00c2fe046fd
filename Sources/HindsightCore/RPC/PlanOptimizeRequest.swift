public import Foundation

/// `plan.optimize`: a plan with its domain and goal, to be adapted to the domain's history.
public struct PlanOptimizeRequest: Hashable, Codable, Sendable {
    /// Options of a ``PlanOptimizeRequest``.
    public struct Options: Hashable, Codable, Sendable {
        /// Error handling and checkpoints everywhere, plus `retry_logic` (the core's aggressive mode).
        public var aggressive: Bool
        /// Also list similar executions of other domains (labelled as such).
        public var crossDomain: Bool

        /// Creates options; both default to `false`.
        public init(aggressive: Bool = false, crossDomain: Bool = false) {
            self.aggressive = aggressive
            self.crossDomain = crossDomain
        }

        private enum CodingKeys: String, CodingKey {
            case aggressive
            case crossDomain = "cross_domain"
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            aggressive = try c.decodeIfPresent(Bool.self, forKey: .aggressive) ?? false
            crossDomain = try c.decodeIfPresent(Bool.self, forKey: .crossDomain) ?? false
        }
    }

    /// The goal domain whose history applies.
    public var domain: String
    /// The goal text (similar executions are found by it).
    public var goal: String
    /// The execution about to run; with it the adapter assigns an A/B variant.
    public var executionID: UUID?
    /// The plan as the agent made it.
    public var plan: [RPCPlanPhase]
    /// Options.
    public var options: Options

    /// Creates a request (not validated: the adapter validates what it decodes).
    public init(domain: String, goal: String, executionID: UUID? = nil, plan: [RPCPlanPhase], options: Options = Options()) {
        self.domain = domain
        self.goal = goal
        self.executionID = executionID
        self.plan = plan
        self.options = options
    }

    private enum CodingKeys: String, CodingKey {
        case domain, goal, plan, options
        case executionID = "execution_id"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        domain = try c.rpcName(.domain)
        goal = try c.decode(String.self, forKey: .goal)
        try RPCValidation.text(goal, RPCValidation.path(c.codingPath, CodingKeys.goal))
        executionID = try c.decodeIfPresent(UUID.self, forKey: .executionID)
        plan = try c.decode([RPCPlanPhase].self, forKey: .plan)
        try RPCPlanValidation.check(plan, field: RPCValidation.path(c.codingPath, CodingKeys.plan))
        options = try c.decodeIfPresent(Options.self, forKey: .options) ?? Options()
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(domain, forKey: .domain)
        try c.encode(goal, forKey: .goal)
        try c.encodeLowercased(executionID, forKey: .executionID)
        try c.encode(plan, forKey: .plan)
        try c.encode(options, forKey: .options)
    }
}

/// `estimate`: a plan → per-phase and total duration estimates with intervals.
public struct EstimateRequest: Hashable, Codable, Sendable {
    /// The goal domain whose history applies.
    public var domain: String
    /// The plan.
    public var plan: [RPCPlanPhase]

    /// Creates a request.
    public init(domain: String, plan: [RPCPlanPhase]) {
        self.domain = domain
        self.plan = plan
    }

    private enum CodingKeys: String, CodingKey { case domain, plan }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        domain = try c.rpcName(.domain)
        plan = try c.decode([RPCPlanPhase].self, forKey: .plan)
        try RPCPlanValidation.check(plan, field: RPCValidation.path(c.codingPath, CodingKeys.plan))
    }
}

/// `recovery.strategy`: a failed phase → what to do about it.
public struct RecoveryStrategyRequest: Hashable, Codable, Sendable {
    /// The goal domain whose recovery outcomes apply.
    public var domain: String
    /// The phase that failed.
    public var phase: String
    /// The error's type name (e.g. `TimeoutError`), used to classify the failure.
    public var errorType: String?
    /// The error message.
    public var message: String
    /// The number of the attempt that failed, from 1 (so `attempt - 1` retries were made).
    public var attempt: Int
    /// Seconds the phase has run so far, over all attempts.
    public var elapsedSeconds: Double
    /// The execution, mixed into the back-off jitter.
    public var executionID: UUID?
    /// Failures in a row in this execution; from ``RecoveryPolicy/Configuration/abortConsecutiveFailures`` on, abort.
    public var consecutiveFailures: Int?
    /// The phase's estimate in seconds (costs of retry and simplify).
    public var estimatedSeconds: Double?
    /// The failure type when the agent already classified it; otherwise the adapter classifies.
    public var failureType: FailureType?

    /// Creates a request.
    public init(
        domain: String, phase: String, errorType: String? = nil, message: String, attempt: Int, elapsedSeconds: Double,
        executionID: UUID? = nil, consecutiveFailures: Int? = nil, estimatedSeconds: Double? = nil,
        failureType: FailureType? = nil
    ) {
        self.domain = domain
        self.phase = phase
        self.errorType = errorType
        self.message = message
        self.attempt = attempt
        self.elapsedSeconds = elapsedSeconds
        self.executionID = executionID
        self.consecutiveFailures = consecutiveFailures
        self.estimatedSeconds = estimatedSeconds
        self.failureType = failureType
    }

    private enum CodingKeys: String, CodingKey {
        case domain, phase, message, attempt
        case errorType = "error_type"
        case elapsedSeconds = "elapsed_seconds"
        case executionID = "execution_id"
        case consecutiveFailures = "consecutive_failures"
        case estimatedSeconds = "estimated_seconds"
        case failureType = "failure_type"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func path(_ key: CodingKeys) -> String { RPCValidation.path(c.codingPath, key) }
        domain = try c.rpcName(.domain)
        phase = try c.rpcName(.phase)
        errorType = try c.decodeIfPresent(String.self, forKey: .errorType)
        if let errorType { try RPCValidation.name(errorType, path(.errorType)) }
        message = try c.decode(String.self, forKey: .message)
        try RPCValidation.text(message, path(.message))
        attempt = try c.decode(Int.self, forKey: .attempt)
        guard (1...1_000_000).contains(attempt) else { throw RPCError.invalid(path(.attempt), "must be between 1 and 1000000") }
        elapsedSeconds = try c.decode(Double.self, forKey: .elapsedSeconds)
        try RPCValidation.seconds(elapsedSeconds, path(.elapsedSeconds))
        executionID = try c.decodeIfPresent(UUID.self, forKey: .executionID)
        consecutiveFailures = try c.decodeIfPresent(Int.self, forKey: .consecutiveFailures)
        if let consecutiveFailures, !(0...1_000_000).contains(consecutiveFailures) {
            throw RPCError.invalid(path(.consecutiveFailures), "must be between 0 and 1000000")
        }
        estimatedSeconds = try c.rpcSeconds(.estimatedSeconds)
        if let raw = try c.decodeIfPresent(String.self, forKey: .failureType) {
            guard let type = FailureType(rawValue: raw) else {
                throw RPCError.invalid(path(.failureType), "'\(raw)' is not one of \(FailureType.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            failureType = type
        } else {
            failureType = nil
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(domain, forKey: .domain)
        try c.encode(phase, forKey: .phase)
        try c.encodeIfPresent(errorType, forKey: .errorType)
        try c.encode(message, forKey: .message)
        try c.encode(attempt, forKey: .attempt)
        try c.encode(elapsedSeconds, forKey: .elapsedSeconds)
        try c.encodeLowercased(executionID, forKey: .executionID)
        try c.encodeIfPresent(consecutiveFailures, forKey: .consecutiveFailures)
        try c.encodeIfPresent(estimatedSeconds, forKey: .estimatedSeconds)
        try c.encodeIfPresent(failureType, forKey: .failureType)
    }
}
