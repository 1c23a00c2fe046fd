import Foundation
import HindsightTesting
import Synchronization

/// One `hindsight tracker` child process under a supervisor that restarts it whenever it ends (as
/// systemd's `Restart=always` or an orchestrator would), after `restartDelay`. Records its process id,
/// restarts and resident memory.
final class ChaosTrackerSlot: Sendable {
    struct Figures: Sendable, Codable {
        var index: Int
        var restarts: Int
        var exits: [String]
        /// RSS of the first process once warmed up, and of the process running at the end (MiB).
        var startRSSMiB: Double?
        var endRSSMiB: Double?
    }

    private struct State {
        var pid: Int32?
        var started: ContinuousClock.Instant?
        var restarts = 0
        var exits: [String] = []
        var startRSSMiB: Double?
        var endRSSMiB: Double?
        var stopping = false
    }

    let index: Int
    private let binary: String
    private let environment: [String: String]
    private let restartDelay: Duration
    private let state = Mutex(State())

    init(index: Int, binary: String, environment: [String: String], restartDelay: Duration = .seconds(1)) {
        self.index = index
        self.binary = binary
        self.environment = environment
        self.restartDelay = restartDelay
    }

    /// The running process, if any.
    var pid: Int32? { state.withLock { $0.pid } }

    /// Runs (and restarts) the tracker until ``stop()``.
    func supervise() async {
        while !state.withLock({ $0.stopping }) {
            do {
                let (_, termination) = try await ChildProcess.withRunning(binary, ["tracker"], environment: environment) { pid in
                    state.withLock {
                        $0.pid = pid
                        $0.started = .now
                    }
                    while !state.withLock({ $0.stopping }), Self.alive(pid) {
                        try? await Task.sleep(for: .milliseconds(100))
                    }
                    // The last figure of a process that is being stopped.
                    if let rss = Self.rssMiB(pid) { state.withLock { $0.endRSSMiB = rss } }
                }
                let stopping = state.withLock { state -> Bool in
                    state.pid = nil
                    if !state.stopping { state.exits.append("\(termination)") }
                    return state.stopping
                }
                if stopping { return }
            } catch {
                state.withLock { $0.exits.append("could not start: \(error)") }
            }
            try? await Task.sleep(for: restartDelay)
            state.withLock { $0.restarts += 1 }
        }
    }

    /// Samples RSS: the first sample of the first process at least `warmUp` after its start is its
    /// start figure.
    func sample(warmUp: Duration) {
        guard let (pid, started) = state.withLock({ state in state.pid.flatMap { pid in state.started.map { (pid, $0) } } }),
              let rss = Self.rssMiB(pid)
        else { return }
        state.withLock {
            if $0.startRSSMiB == nil, $0.restarts == 0, ContinuousClock.now - started >= warmUp { $0.startRSSMiB = rss }
            $0.endRSSMiB = rss
        }
    }

    /// `kill -9` of the running process; the supervisor restarts it. Returns the killed pid.
    func kill9() -> Int32? {
        guard let pid = pid else { return nil }
        kill(pid, SIGKILL)
        return pid
    }

    /// Asks the supervisor to stop the process (SIGTERM, graceful) and not to restart it.
    func stop() {
        state.withLock { $0.stopping = true }
    }

    var figures: Figures {
        state.withLock {
            Figures(index: index, restarts: $0.restarts, exits: $0.exits, startRSSMiB: $0.startRSSMiB, endRSSMiB: $0.endRSSMiB)
        }
    }

    /// Whether `pid` runs (not a zombie).
    static func alive(_ pid: Int32) -> Bool {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return false }
        return !status.contains("\nState:\tZ")
    }

    /// Resident memory of `pid` in MiB (`VmRSS`).
    static func rssMiB(_ pid: Int32) -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return Double(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "").map { $0 / 1024 }
        }
        return nil
    }
}
