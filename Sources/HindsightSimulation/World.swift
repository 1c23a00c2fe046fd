import Foundation

/// The world's hidden truth: how long phases really take, how they fail, what fixes a failure and
/// which phase order helps. The cluster never sees it; it only sees the events agents publish.
///
/// Every parameter is fixed in ``standard(seed:)`` and written down in docs/learning.md; the seed only
/// chooses the goal texts' numbers and is kept so a report says which world it ran on.
package struct World: Sendable, Codable, Hashable {
    /// The seed the world was made with.
    package var seed: UInt64
    /// Per domain: goals, phases, the starting plan and the order effect.
    package var domainTruths: [DomainTruth]
    /// Probability that an agent of any group swaps one pair of adjacent independent phases of the plan
    /// it was given (agents' planners are not strict); the only source of order variation to learn from.
    package var orderDeviation: Double
    /// Attempts per failure after which any agent gives up and fails the execution.
    package var maxAttemptsPerFailure: Int
    /// Seconds a human takes to look at an escalation (the execution then ends as failed: handed off).
    package var escalationSeconds: Double

    /// The names of the domains.
    package var domains: [String] { domainTruths.map(\.name) }

    package init(seed: UInt64, domainTruths: [DomainTruth], orderDeviation: Double, maxAttemptsPerFailure: Int, escalationSeconds: Double) {
        self.seed = seed
        self.domainTruths = domainTruths
        self.orderDeviation = orderDeviation
        self.maxAttemptsPerFailure = maxAttemptsPerFailure
        self.escalationSeconds = escalationSeconds
    }

    /// The truth of one domain.
    package func truth(of domain: String) -> DomainTruth? { domainTruths.first { $0.name == domain } }

    private enum CodingKeys: String, CodingKey {
        case seed, domains
        case orderDeviation = "order_deviation"
        case maxAttemptsPerFailure = "max_attempts_per_failure"
        case escalationSeconds = "escalation_seconds"
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        seed = try c.decode(UInt64.self, forKey: .seed)
        domainTruths = try c.decode([DomainTruth].self, forKey: .domains)
        orderDeviation = try c.decode(Double.self, forKey: .orderDeviation)
        maxAttemptsPerFailure = try c.decode(Int.self, forKey: .maxAttemptsPerFailure)
        escalationSeconds = try c.decode(Double.self, forKey: .escalationSeconds)
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(seed, forKey: .seed)
        try c.encode(domainTruths, forKey: .domains)
        try c.encode(orderDeviation, forKey: .orderDeviation)
        try c.encode(maxAttemptsPerFailure, forKey: .maxAttemptsPerFailure)
        try c.encode(escalationSeconds, forKey: .escalationSeconds)
    }
}

/// One domain's truth.
package struct DomainTruth: Sendable, Codable, Hashable {
    package var name: String
    /// The goal text family: agents' goals are these templates with a number filled in.
    package var goals: [String]
    /// The phases in the order of the plan agents start with.
    package var phases: [PhaseTruth]
    /// A pair of phases whose order changes the outcome.
    package var orderEffect: OrderEffect

    package init(name: String, goals: [String], phases: [PhaseTruth], orderEffect: OrderEffect) {
        self.name = name
        self.goals = goals
        self.phases = phases
        self.orderEffect = orderEffect
    }

    private enum CodingKeys: String, CodingKey {
        case name, goals, phases
        case orderEffect = "order_effect"
    }
}

/// One phase's truth: a log-normal duration, the estimate the starting plan gives it, failure modes.
package struct PhaseTruth: Sendable, Codable, Hashable {
    package var name: String
    package var capability: String
    /// Phases that must have finished before this one starts.
    package var dependencies: [String]
    /// Median of the log-normal duration, seconds.
    package var medianSeconds: Double
    /// σ of the log-normal (of the log of the duration).
    package var sigma: Double
    /// The starting plan's estimate (deliberately off for some phases).
    package var planEstimateSeconds: Double
    /// Whether the execution can still succeed with this phase skipped.
    package var optional: Bool
    /// Probability per phase run that each failure kind occurs (checked in ``FailureKind`` order).
    package var failureRates: [FailureKind: Double]

    package init(
        name: String, capability: String, dependencies: [String], medianSeconds: Double, sigma: Double,
        planEstimateSeconds: Double, optional: Bool, failureRates: [FailureKind: Double]
    ) {
        self.name = name
        self.capability = capability
        self.dependencies = dependencies
        self.medianSeconds = medianSeconds
        self.sigma = sigma
        self.planEstimateSeconds = planEstimateSeconds
        self.optional = optional
        self.failureRates = failureRates
    }

    /// The mean of the log-normal duration: median · e^(σ²/2).
    package var meanSeconds: Double { medianSeconds * exp(sigma * sigma / 2) }

    private enum CodingKeys: String, CodingKey {
        case name, capability, dependencies, sigma, optional
        case medianSeconds = "median_s"
        case planEstimateSeconds = "plan_estimate_s"
        case failureRates = "failure_rates"
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        capability = try c.decode(String.self, forKey: .capability)
        dependencies = try c.decode([String].self, forKey: .dependencies)
        medianSeconds = try c.decode(Double.self, forKey: .medianSeconds)
        sigma = try c.decode(Double.self, forKey: .sigma)
        planEstimateSeconds = try c.decode(Double.self, forKey: .planEstimateSeconds)
        optional = try c.decode(Bool.self, forKey: .optional)
        let rates = try c.decode([String: Double].self, forKey: .failureRates)
        failureRates = Dictionary(uniqueKeysWithValues: rates.compactMap { key, value in FailureKind(rawValue: key).map { ($0, value) } })
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(capability, forKey: .capability)
        try c.encode(dependencies, forKey: .dependencies)
        try c.encode(medianSeconds, forKey: .medianSeconds)
        try c.encode(sigma, forKey: .sigma)
        try c.encode(planEstimateSeconds, forKey: .planEstimateSeconds)
        try c.encode(optional, forKey: .optional)
        try c.encode(Dictionary(uniqueKeysWithValues: failureRates.map { ($0.key.rawValue, $0.value) }), forKey: .failureRates)
    }
}

/// When `first` starts before `second`, `second` runs `durationFactor` times as long and its
/// failure rates are multiplied by `failureFactor`.
package struct OrderEffect: Sendable, Codable, Hashable {
    package var first: String
    package var second: String
    package var durationFactor: Double
    package var failureFactor: Double

    package init(first: String, second: String, durationFactor: Double, failureFactor: Double) {
        self.first = first
        self.second = second
        self.durationFactor = durationFactor
        self.failureFactor = failureFactor
    }

    private enum CodingKeys: String, CodingKey {
        case first, second
        case durationFactor = "duration_factor"
        case failureFactor = "failure_factor"
    }
}
