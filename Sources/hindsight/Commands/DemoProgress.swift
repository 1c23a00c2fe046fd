import Foundation
import HindsightSimulation
import Synchronization

/// The demo's progress: one line per round, printed when the round's executions are stored and the
/// analyzer starts learning from them (the fleet reports from its agents' tasks, hence the lock).
final class DemoProgress: Sendable {
    private struct State {
        var printedRound = 0
        var last: LearningProgress?
    }

    private let rounds: Int
    private let started: ContinuousClock.Instant
    private let state = Mutex(State())

    init(rounds: Int, started: ContinuousClock.Instant) {
        self.rounds = rounds
        self.started = started
    }

    func update(_ progress: LearningProgress) {
        state.withLock { state in
            state.last = progress
            guard progress.phase == "learning", progress.round > state.printedRound else { return }
            state.printedRound = progress.round
            print(line(progress, learning: true))
        }
    }

    /// Prints the last round's line if the fleet never reported it learning (it may stop after storing).
    func finish() {
        state.withLock { state in
            guard let last = state.last, last.round > state.printedRound else { return }
            state.printedRound = last.round
            print(line(last, learning: false))
        }
    }

    private func line(_ progress: LearningProgress, learning: Bool) -> String {
        let seconds = Int((ContinuousClock.now - started) / .seconds(1))
        let what = learning ? "stored; the analyzer learns from them" : "stored"
        return "  round \(progress.round)/\(progress.rounds): \(progress.executionsDone) of \(progress.executionsTotal) executions \(what)  [\(seconds / 60):\(String(format: "%02d", seconds % 60))]"
    }
}
