import AMQP
import ArgumentParser
import Foundation
import HindsightCore
import HindsightStore
import HindsightWorkers
import Logging
import PostgresNIO

/// `hindsight status`: whether the primary database, the read replica and each broker node answer, how
/// far the replica's replay is behind the primary, and the depth of Hindsight's queues.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Reachability of the primary, the read replica and each broker node; replica lag; queue depths.",
        discussion: """
            The primary is --database-url / HINDSIGHT_DATABASE_URL (default: hindsight_analyst on the local \
            server), the replica --read-database-url / HINDSIGHT_READ_DATABASE_URL (not checked when unset), \
            the brokers every URL of --amqp-url / HINDSIGHT_AMQP_URL (a comma-separated list for a cluster). \
            Replica lag: bytes = the primary's current WAL position − the replica's replayed position; \
            seconds = 0 when nothing is left to replay, else the age of the last replayed transaction. \
            Exits 1 when the primary, a configured replica or every broker node is unreachable.
            """)

    @Option(name: .customLong("database-url"), help: "The primary (default: $HINDSIGHT_DATABASE_URL, else hindsight_analyst locally).")
    var databaseURL: String?

    @Option(name: .customLong("read-database-url"), help: "The read replica (default: $HINDSIGHT_READ_DATABASE_URL).")
    var readDatabaseURL: String?

    @Option(name: .customLong("amqp-url"), help: "Broker URL or comma-separated node URLs (default: $HINDSIGHT_AMQP_URL, else the local broker).")
    var amqpURL: String?

    @Option(help: "Output format: table or json.")
    var format: OutputFormat = .table

    struct Database: Codable, Sendable {
        var url: String
        var reachable: Bool
        var error: String?
        var inRecovery: Bool?
        /// The primary's current WAL position, or the replica's replayed one.
        var walPosition: String?
        var replayLagBytes: Int64?
        var replayLagSeconds: Double?
    }

    struct Broker: Codable, Sendable {
        var url: String
        var reachable: Bool
        var error: String?
    }

    struct Queue: Codable, Sendable {
        var name: String
        var ready: Int?
        var consumers: Int?
        var error: String?
    }

    struct Report: Codable, Sendable {
        var primary: Database
        var replica: Database?
        var brokers: [Broker]
        var queues: [Queue]
    }

    func run() async throws {
        try Bootstrap.run(defaultLevel: .error)
        var logger = Logger(label: "hindsight.status")
        logger.logLevel = .critical
        let primaryURL = try ConnectionOptions.database(flag: databaseURL, role: .analyst, readReplica: false)
        let replicaURL = try (readDatabaseURL ?? EnvironmentReader().string(ConnectionOptions.readDatabaseKey)).map {
            try ConnectionOptions.database(flag: $0, role: .analyst)
        }
        let brokerText = amqpURL ?? EnvironmentReader().string("amqp.url") ?? HindsightDefaults.amqpURL

        var primary = await Self.probe(primaryURL, logger: logger)
        var replica = await replicaURL.asyncMap { await Self.probe($0, logger: logger) }
        if var standby = replica, let replayed = standby.walPosition.flatMap(Self.lsn),
           let current = primary.walPosition.flatMap(Self.lsn), primary.inRecovery == false {
            standby.replayLagBytes = max(0, current - replayed)
            if standby.replayLagBytes == 0 { standby.replayLagSeconds = 0 }
            replica = standby
        }
        if primary.inRecovery == true { primary.error = "the primary URL names a server in recovery (a standby)" }

        var brokers: [Broker] = []
        var queues: [Queue] = []
        for url in Self.splitURLs(brokerText) {
            do {
                var configuration = try AMQPConfiguration(url: url)
                configuration.connectionName = "hindsight-status"
                let redacted = configuration.redactedURL
                do {
                    let connection = try await AMQPConnection.connect(configuration, logger: logger)
                    brokers.append(Broker(url: redacted, reachable: true))
                    if queues.isEmpty {
                        for name in [WireContract.trackerQueue, WireContract.deadLetterQueue, WireContract.adapterQueue] {
                            do {
                                let state = try await connection.inspectQueue(name)
                                queues.append(Queue(name: name, ready: Int(state.messageCount), consumers: Int(state.consumerCount)))
                            } catch {
                                queues.append(Queue(name: name, error: "\(error)"))
                            }
                        }
                    }
                    await connection.closeAndWait()
                } catch {
                    brokers.append(Broker(url: redacted, reachable: false, error: "\(error)"))
                }
            } catch {
                throw OneLineError("configuration: invalid broker URL: \(error)")
            }
        }

        let report = Report(primary: primary, replica: replica, brokers: brokers, queues: queues)
        if format == .json { try printJSON(report) } else { Self.printReport(report) }
        let healthy = primary.reachable && primary.error == nil && (replica?.reachable ?? true) && brokers.contains(where: \.reachable)
        if !healthy { throw ExitCode.failure }
    }

    /// Connects and reads the server's role and WAL position.
    static func probe(_ url: DatabaseURL, logger: Logger) async -> Database {
        var result = Database(url: url.description, reachable: false)
        do {
            try await StoreConnection.withClient(url, logger: logger) { client in
                let rows = try await client.query(
                    """
                    SELECT pg_is_in_recovery(),
                           CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn()::text ELSE pg_current_wal_lsn()::text END,
                           CASE WHEN pg_is_in_recovery() THEN extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8 END,
                           CASE WHEN pg_is_in_recovery() THEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() END
                    """, logger: logger)
                for try await (recovery, position, age, caughtUp) in rows.decode((Bool, String?, Double?, Bool?).self) {
                    result.reachable = true
                    result.inRecovery = recovery
                    result.walPosition = position
                    if recovery { result.replayLagSeconds = caughtUp == true ? nil : age }
                }
            }
        } catch let error as StoreError {
            result.error = error.message
        } catch {
            result.error = "\(error)"
        }
        return result
    }

    /// `16/B374D848` as a byte position.
    static func lsn(_ text: String) -> Int64? {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let high = Int64(parts[0], radix: 16), let low = Int64(parts[1], radix: 16) else { return nil }
        return high << 32 | low
    }

    /// A comma-separated URL list split where a comma is followed by a scheme (a comma inside a password
    /// stays).
    static func splitURLs(_ text: String) -> [String] {
        var urls: [String] = []
        var current = ""
        var rest = Substring(text)
        while let comma = rest.firstIndex(of: ",") {
            let after = rest[rest.index(after: comma)...]
            current += rest[..<comma]
            if after.hasPrefix("amqp://") || after.hasPrefix("amqps://") {
                urls.append(current)
                current = ""
            } else {
                current += ","
            }
            rest = after
        }
        urls.append(current + rest)
        return urls.filter { !$0.isEmpty }
    }

    static func printReport(_ report: Report) {
        func database(_ role: String, _ db: Database) -> [String] {
            let state = db.reachable ? (db.error ?? "reachable") : "UNREACHABLE: \(db.error ?? "?")"
            var lag = ""
            if db.inRecovery == true {
                let bytes = db.replayLagBytes.map { "\($0) bytes" } ?? "? bytes"
                let seconds = db.replayLagSeconds.map { String(format: "%.3f s", $0) } ?? (db.replayLagBytes == 0 ? "0 s" : "? s")
                lag = "replay lag \(bytes), \(seconds)"
            }
            return [role, db.url, state, db.walPosition.map { "wal \($0)" } ?? "", lag]
        }
        var rows = [database("primary", report.primary)]
        if let replica = report.replica { rows.append(database("replica", replica)) } else {
            rows.append(["replica", "-", "not configured (HINDSIGHT_READ_DATABASE_URL)", "", ""])
        }
        for broker in report.brokers {
            rows.append(["broker", broker.url, broker.reachable ? "reachable" : "UNREACHABLE: \(broker.error ?? "?")", "", ""])
        }
        for queue in report.queues {
            rows.append(["queue", queue.name, queue.error ?? "\(queue.ready ?? 0) ready", queue.consumers.map { "\($0) consumers" } ?? "", ""])
        }
        printTable(["component", "address", "state", "position", "lag"], rows)
    }
}

extension Optional {
    fileprivate func asyncMap<T>(_ transform: (Wrapped) async -> T) async -> T? {
        switch self {
        case .some(let value): await transform(value)
        case .none: nil
        }
    }
}
