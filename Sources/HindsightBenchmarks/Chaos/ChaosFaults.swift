import Foundation
import HindsightTesting

/// The faults of the run and how they are injected and undone, through `scripts/services` (cluster nodes,
/// the run's private PostgreSQL) and `ss -K` (connections). Only the run's own processes and the cluster's
/// single nodes are touched; every node killed or stopped is brought back (`cluster up` starts the missing
/// node and waits until the tracker queue has three online members again).
enum ChaosFault: String, CaseIterable, Sendable, Codable {
    case leaderKill = "kill -9 of the queue leader's node"
    case trackerKill = "kill -9 of a tracker"
    case nodeRestart = "restart of one node"
    case postgresStop = "PostgreSQL stopped 10 s"
    case connectionsCut = "connections cut"

    /// The order of the schedule.
    static let schedule: [ChaosFault] = [.leaderKill, .trackerKill, .nodeRestart, .postgresStop, .connectionsCut]
}

struct ChaosFaultInjector: Sendable {
    struct ServicesError: Error, CustomStringConvertible {
        var description: String
    }

    var queue: String
    var clusterDirectory: String
    var clusterPorts: [Int]
    var databasePort: Int
    var trackers: [ChaosTrackerSlot]
    /// How long a killed node stays down before it is started again.
    var nodeDownTime: Duration = .seconds(5)
    var postgresDownTime: Duration = .seconds(10)

    static var servicesScript: String { TrackerHarness.projectRoot.appendingPathComponent("scripts/services").path }

    /// Runs `scripts/services ARGS…`; its standard output.
    @discardableResult
    static func services(_ arguments: [String]) async throws -> String {
        let run = try await ChildProcess.run(servicesScript, arguments)
        let output = String(decoding: run.output, as: UTF8.self)
        guard run.termination.isSuccess else {
            throw ServicesError(description: "scripts/services \(arguments.joined(separator: " ")): \(run.termination)")
        }
        return output
    }

    /// `scripts/services cluster up` after `done`; a failure names what was done before it.
    static func restart(_ done: String) async throws {
        do {
            try await services(["cluster", "up"])
        } catch {
            throw ServicesError(description: "\(done); then \(error)")
        }
    }

    /// Injects `fault` and undoes it; returns a line saying what was done. Returns once the system is
    /// whole again (node back in the cluster, PostgreSQL accepting, tracker restarted).
    func inject(_ fault: ChaosFault, index: Int, restored: @Sendable () -> Void) async throws -> String {
        switch fault {
        case .leaderKill:
            let leader = try await leaderNode()
            let pid = try nodePID(leader)
            kill(pid, SIGKILL)
            try await Task.sleep(for: nodeDownTime)
            try await Self.restart("node \(leader) (leader of \(queue)) killed, pid \(pid)")
            restored()
            return "node \(leader) (leader of \(queue)) killed, pid \(pid); back after cluster up"
        case .nodeRestart:
            let leader = try await leaderNode()
            let node = leader % 3 + 1  // a follower: the leader's successor
            let pid = try nodePID(node)
            kill(pid, SIGTERM)
            while ChaosTrackerSlot.alive(pid) { try await Task.sleep(for: .milliseconds(200)) }
            try await Self.restart("node \(node) stopped (SIGTERM)")
            restored()
            return "node \(node) stopped (SIGTERM, clean) and started again"
        case .trackerKill:
            let slot = trackers[index % trackers.count]
            guard let pid = slot.kill9() else { throw ServicesError(description: "tracker \(slot.index) is not running") }
            while slot.pid == pid || slot.pid == nil { try await Task.sleep(for: .milliseconds(50)) }
            restored()
            return "tracker \(slot.index) (pid \(pid)) killed; restarted by its supervisor as pid \(slot.pid ?? 0)"
        case .postgresStop:
            try await Self.services(["chaos-postgres", "stop", "immediate"])
            try await Task.sleep(for: postgresDownTime)
            try await Self.services(["chaos-postgres", "start"])
            restored()
            return "PostgreSQL stopped (immediate: a crash) for \(postgresDownTime), started again"
        case .connectionsCut:
            let cut = try await cutConnections()
            restored()
            return "\(cut) TCP connections of the agents and trackers reset (ss -K: brokers and PostgreSQL)"
        }
    }

    /// The node (1…3) leading the run's queue.
    func leaderNode() async throws -> Int {
        for node in 1...3 where Self.nodeRunning(clusterDirectory, node) {
            guard let output = try? await Self.services(
                ["cluster", "rabbitmqctl", "\(node)", "-q", "list_queues", "-p", "hindsight", "name", "leader", "--formatter", "json"]),
                let rows = try? JSONSerialization.jsonObject(with: Data(output.utf8)) as? [[String: Any]]
            else { continue }
            for row in rows where row["name"] as? String == queue {
                if let leader = row["leader"] as? String, let match = leader.firstMatch(of: /hindsight-c(\d)@/),
                   let number = Int(match.1) {
                    return number
                }
            }
        }
        throw ServicesError(description: "no node names a leader of \(queue)")
    }

    func nodePID(_ node: Int) throws -> Int32 {
        let path = "\(clusterDirectory)/c\(node)/rabbitmq.pid"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
        else { throw ServicesError(description: "no pid in \(path)") }
        return pid
    }

    static func nodeRunning(_ directory: String, _ node: Int) -> Bool {
        guard let text = try? String(contentsOfFile: "\(directory)/c\(node)/rabbitmq.pid", encoding: .utf8),
              let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
        else { return false }
        return ChaosTrackerSlot.alive(pid)
    }

    /// Resets (`ss -K`) every established TCP connection of this process (the agents) and of the tracker
    /// processes to a cluster node or the run's PostgreSQL. Other processes' connections are left alone:
    /// the sockets are picked by owner pid and killed by their local port.
    func cutConnections() async throws -> Int {
        var pids: Set<Int32> = [getpid()]
        for slot in trackers { if let pid = slot.pid { pids.insert(pid) } }
        let ports = Set(clusterPorts + [databasePort])
        let listing = try await ChildProcess.run("ss", ["-Htnp", "state", "established"])
        var localPorts: [Int] = []
        for line in String(decoding: listing.output, as: UTF8.self).split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            // Recv-Q Send-Q Local:Port Peer:Port users:(("name",pid=N,fd=M),…)
            guard fields.count >= 5,
                  let local = fields[2].split(separator: ":").last.flatMap({ Int($0) }),
                  let peer = fields[3].split(separator: ":").last.flatMap({ Int($0) }),
                  ports.contains(peer)
            else { continue }
            let owners = fields[4...].joined(separator: " ").matches(of: /pid=(\d+)/).compactMap { Int32($0.1) }
            if owners.contains(where: pids.contains) { localPorts.append(local) }
        }
        guard !localPorts.isEmpty else { return 0 }
        let filter = localPorts.map { "sport = :\($0)" }.joined(separator: " or ")
        let run = try await ChildProcess.run("ss", ["-K", "-tn", "state", "established", "( \(filter) )"])
        guard run.termination.isSuccess else { throw ServicesError(description: "ss -K: \(run.termination)") }
        return localPorts.count
    }
}
