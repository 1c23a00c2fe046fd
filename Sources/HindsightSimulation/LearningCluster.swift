package import Foundation

/// What the fleet needs from the cluster between rounds (the barrier of a round).
package protocol LearningCluster: Sendable {
    /// Returns when every execution in `executionIDs` is stored with a final status.
    func waitUntilStored(_ executionIDs: [UUID]) async throws
    /// Analyses everything stored so far and returns once the adapter answers from those insights.
    func learn() async throws
}

/// Where a learning run is, for a progress line.
package struct LearningProgress: Sendable, Hashable {
    /// 1-based round being run.
    package var round: Int
    package var rounds: Int
    /// Executions finished (all groups, all rounds so far).
    package var executionsDone: Int
    package var executionsTotal: Int
    /// `running`, `storing` or `learning`.
    package var phase: String

    package init(round: Int, rounds: Int, executionsDone: Int, executionsTotal: Int, phase: String) {
        self.round = round
        self.rounds = rounds
        self.executionsDone = executionsDone
        self.executionsTotal = executionsTotal
        self.phase = phase
    }
}
