import AMQP
import Foundation
import Logging
import Synchronization
import Testing

/// Shared helpers: the broker URL, unique names, and `rabbitmqctl` through `scripts/services`.
enum TestBroker {
    /// The project's local broker (`scripts/services up`); the client itself has no default URL.
    static let localURL = "amqp://hindsight:hindsight@127.0.0.1:5673/hindsight"

    /// `AMQP_URL`, else `HINDSIGHT_AMQP_URL` (the project's variable), else ``localURL``.
    static var url: String {
        let environment = ProcessInfo.processInfo.environment
        return environment["AMQP_URL"] ?? environment["HINDSIGHT_AMQP_URL"] ?? localURL
    }

    static var logger: Logger {
        var logger = Logger(label: "amqp-tests")
        logger.logLevel = ProcessInfo.processInfo.environment["HINDSIGHT_TEST_LOG"] == nil ? .warning : .trace
        return logger
    }

    static func configuration(name: String) throws -> AMQPConfiguration {
        var config = try AMQPConfiguration(url: url)
        config.connectionName = name
        config.connectTimeout = .seconds(3)
        return config
    }

    /// Connects, or fails the test with a message that says how to start the broker.
    static func connect(_ name: String = "amqp-tests", configure: (inout AMQPConfiguration) -> Void = { _ in })
        async throws -> AMQPConnection
    {
        var config = try configuration(name: name)
        configure(&config)
        do {
            return try await AMQPConnection.connect(config, logger: logger)
        } catch {
            Issue.record("RabbitMQ is not reachable at \(config.redactedURL): \(error). Start it with `scripts/services up` or set AMQP_URL.")
            throw error
        }
    }

    static func unique(_ prefix: String) -> String {
        "\(prefix).\(UUID().uuidString.prefix(8).lowercased())"
    }

    /// Queues also expire on the broker if a test dies before deleting them.
    static let expiring: AMQPTable = ["x-expires": 300_000]

    /// Runs `scripts/services rabbitmqctl ARGS…` and returns its standard output.
    static func rabbitmqctl(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = projectRoot.appendingPathComponent("scripts/services")
        process.arguments = ["rabbitmqctl"] + arguments
        let output = Pipe()
        process.standardOutput = output
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw AMQPError(.protocolError, "rabbitmqctl \(arguments.joined(separator: " ")) failed: \(String(decoding: errorData, as: UTF8.self))")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// The broker-side pids of the connections whose client properties mention `name`.
    static func connectionPids(named name: String) throws -> [String] {
        let listing = try rabbitmqctl(["list_connections", "-q", "--no-table-headers", "pid", "client_properties"])
        return listing.split(separator: "\n").filter { $0.contains("\"\(name)\"") }
            .compactMap { $0.split(separator: "\t").first.map(String.init) }
    }

    /// Closes, on the broker side, every connection whose client properties mention `name`.
    static func closeConnection(named name: String) throws -> Int {
        let pids = try connectionPids(named: name)
        for pid in pids {
            _ = try rabbitmqctl(["close_connection", pid, "closed by the AMQP reconnect test"])
        }
        return pids.count
    }

    static var projectRoot: URL {
        if let root = ProcessInfo.processInfo.environment["HINDSIGHT_PROJECT_DIR"] {
            return URL(fileURLWithPath: root)
        }
        return URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }
}

/// Fails with `AMQPError(.timeout)` instead of hanging a test forever.
func withDeadline<T: Sendable>(_ limit: Duration, _ what: String,
                               _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else {
            throw AMQPError(.timeout, "test step '\(what)' did not finish within \(limit)")
        }
        return value
    }
}

extension Array where Element == UInt8 {
    var text: String { String(decoding: self, as: UTF8.self) }
}

/// Records every state a connection goes through (``AMQPConnection/stateChanges()``).
final class StateLog: Sendable {
    private let recorded = Mutex<[AMQPConnection.State]>([])

    init(_ connection: AMQPConnection) {
        let stream = connection.stateChanges()
        Task { [self] in
            for await state in stream { recorded.withLock { $0.append(state) } }
        }
    }

    var states: [AMQPConnection.State] { recorded.withLock { $0 } }

    /// Waits until `count` states were recorded and returns them; throws after `limit`.
    @discardableResult
    func waitFor(_ count: Int, within limit: Duration, _ what: String) async throws -> [AMQPConnection.State] {
        let deadline = ContinuousClock.now + limit
        while true {
            let states = self.states
            if states.count >= count { return states }
            guard ContinuousClock.now < deadline else {
                throw AMQPError(.timeout, "test step '\(what)' saw only \(states) within \(limit)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
