package import Foundation
package import HindsightCore

/// A phase as an agent was told to run it.
package struct PlannedPhase: Sendable, Hashable, Codable {
    package var name: String
    package var estimatedSeconds: Double

    package init(name: String, estimatedSeconds: Double) {
        self.name = name
        self.estimatedSeconds = estimatedSeconds
    }
}

/// What an agent knows when a phase fails: what the error says, never the world's failure kind.
package struct RecoveryQuestion: Sendable, Hashable {
    package var domain: String
    package var phase: String
    package var errorType: String
    package var message: String
    /// 1 for the first recovery of this failure.
    package var attempt: Int
    package var elapsedSeconds: Double
    package var consecutiveFailures: Int
    package var estimatedSeconds: Double
    /// Errors recorded so far in the execution.
    package var errorsSoFar: Int

    package init(
        domain: String, phase: String, errorType: String, message: String, attempt: Int, elapsedSeconds: Double,
        consecutiveFailures: Int, estimatedSeconds: Double, errorsSoFar: Int
    ) {
        self.domain = domain
        self.phase = phase
        self.errorType = errorType
        self.message = message
        self.attempt = attempt
        self.elapsedSeconds = elapsedSeconds
        self.consecutiveFailures = consecutiveFailures
        self.estimatedSeconds = estimatedSeconds
        self.errorsSoFar = errorsSoFar
    }
}

/// What the agent decided to do about a failure.
package struct RecoveryAnswer: Sendable, Hashable {
    package var action: RecoveryAction
    package var delaySeconds: Double
    /// The failure type as the advisor classified it (sent in `recovery_attempted`).
    package var failureType: String

    package init(action: RecoveryAction, delaySeconds: Double, failureType: String) {
        self.action = action
        self.delaySeconds = delaySeconds
        self.failureType = failureType
    }
}

/// One recovery attempt and whether the world let it work.
package struct RecoveryRecord: Sendable, Hashable, Codable {
    package var phase: String
    package var action: RecoveryAction
    package var success: Bool

    package init(phase: String, action: RecoveryAction, success: Bool) {
        self.phase = phase
        self.action = action
        self.success = success
    }
}

/// The measured result of one execution (what the figures are computed from).
package struct ExecutionOutcome: Sendable, Hashable, Codable {
    package var group: AgentGroup
    package var round: Int
    package var index: Int
    package var executionID: UUID
    package var domain: String
    /// The agent reached its goal (every required phase finished).
    package var finished: Bool
    /// Simulated wall time from start to completion, seconds.
    package var durationSeconds: Double
    /// The total the group believed before running.
    package var estimatedSeconds: Double
    /// The confidence the group was given with its plan.
    package var confidence: Double
    package var transientFailures: Int
    package var transientRecovered: Int
    package var recoveries: [RecoveryRecord]
    /// Seconds each finished phase took, from its first start to its end.
    package var phaseSeconds: [String: Double]
    /// The order the phases started in.
    package var startOrder: [String]

    package init(
        group: AgentGroup, round: Int, index: Int, executionID: UUID, domain: String, finished: Bool, durationSeconds: Double,
        estimatedSeconds: Double, confidence: Double, transientFailures: Int, transientRecovered: Int, recoveries: [RecoveryRecord],
        phaseSeconds: [String: Double], startOrder: [String]
    ) {
        self.group = group
        self.round = round
        self.index = index
        self.executionID = executionID
        self.domain = domain
        self.finished = finished
        self.durationSeconds = durationSeconds
        self.estimatedSeconds = estimatedSeconds
        self.confidence = confidence
        self.transientFailures = transientFailures
        self.transientRecovered = transientRecovered
        self.recoveries = recoveries
        self.phaseSeconds = phaseSeconds
        self.startOrder = startOrder
    }
}
