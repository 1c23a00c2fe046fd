import ArgumentParser
import Foundation
import HindsightStore
import Logging
import PostgresNIO

/// `hindsight query …`: the seed's ExecutionDatabase queries, as table or JSON.
struct QueryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Query stored executions (by id, domain, time, status; domain statistics).",
        subcommands: [Execution.self, ByDomain.self, Recent.self, ByStatus.self, DomainStats.self])

    /// Options every query subcommand takes.
    struct Common: ParsableArguments {
        @OptionGroup var database: DatabaseOptions

        @Option(help: "Output format: table or json.")
        var format: OutputFormat = .table

        /// Sets up logging and runs `body` with a client; without a URL, as the read-only
        /// `hindsight_analyst` role.
        func withAnalystDatabase<Result: Sendable>(_ body: (PostgresClient) async throws -> Result) async throws -> Result {
            try Bootstrap.run(defaultLevel: .warning)
            return try await withDatabase(database, role: .analyst, logger: Logger(label: "hindsight.query"), body)
        }
    }

    struct Execution: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "An execution with its events, ordered by time and seq.")

        @Argument(help: "Execution UUID.") var id: String
        @OptionGroup var common: Common

        func run() async throws {
            guard let uuid = UUID(uuidString: id) else { throw ValidationError("'\(id)' is not a UUID") }
            let format = common.format
            let found = try await common.withAnalystDatabase { client in
                try await ExecutionQueries(client: client, logger: Logger(label: "hindsight.query")).execution(uuid)
            }
            guard let found else {
                FileHandle.standardError.write(Data("error: no execution \(uuid) is stored\n".utf8))
                throw ExitCode.failure
            }
            if format == .json { return try printJSON(found) }
            printExecutions([found.execution])
            print("")
            printTable(["seq", "ts", "type", "phase", "data"], found.events.map {
                [String($0.seq), formatTimestamp($0.timestamp), $0.type, $0.phase ?? "", $0.data]
            })
        }
    }

    struct ByDomain: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "by-domain", abstract: "Executions of a domain, newest first.")

        @Argument(help: "Goal domain.") var domain: String
        @Option(help: "Only this status (running, completed, failed, recovered).") var status: String?
        @Option(help: "At most this many rows.") var limit: Int = 100
        @OptionGroup var common: Common

        func validate() throws { try validateStatus(status); try validateLimit(limit) }

        func run() async throws {
            let (domain, status, limit) = (self.domain, self.status, self.limit)
            let rows = try await common.withAnalystDatabase { client in
                try await ExecutionQueries(client: client, logger: Logger(label: "hindsight.query"))
                    .executions(domain: domain, status: status, limit: limit)
            }
            try output(rows, common.format)
        }
    }

    struct Recent: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Executions started in the last --days days, newest first.")

        @Option(help: "Window in days.") var days: Int = 7
        @Option(help: "Only this status (running, completed, failed, recovered).") var status: String?
        @Option(help: "At most this many rows.") var limit: Int = 100
        @OptionGroup var common: Common

        func validate() throws {
            try validateStatus(status); try validateLimit(limit)
            guard days >= 1 else { throw ValidationError("--days must be at least 1") }
        }

        func run() async throws {
            let (days, status, limit) = (self.days, self.status, self.limit)
            let rows = try await common.withAnalystDatabase { client in
                try await ExecutionQueries(client: client, logger: Logger(label: "hindsight.query"))
                    .recentExecutions(days: days, status: status, limit: limit)
            }
            try output(rows, common.format)
        }
    }

    struct ByStatus: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "by-status",
            abstract: "Executions with a status, newest first; without a status, the count per status.")

        @Argument(help: "running, completed, failed or recovered.") var status: String?
        @Option(help: "At most this many rows.") var limit: Int = 100
        @OptionGroup var common: Common

        func validate() throws { try validateStatus(status); try validateLimit(limit) }

        func run() async throws {
            let (status, limit, format) = (self.status, self.limit, common.format)
            guard let status else {
                let counts = try await common.withAnalystDatabase { client in
                    try await ExecutionQueries(client: client, logger: Logger(label: "hindsight.query")).statusCounts()
                }
                if format == .json { return try printJSON(counts) }
                printTable(["status", "executions"], StoredExecution.statuses.map { [$0, String(counts[$0] ?? 0)] })
                return
            }
            let rows = try await common.withAnalystDatabase { client in
                try await ExecutionQueries(client: client, logger: Logger(label: "hindsight.query"))
                    .executions(status: status, limit: limit)
            }
            try output(rows, format)
        }
    }

    struct DomainStats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "domain-stats",
            abstract: "Statistics of a domain over the last --days days (counts, success rate, durations).")

        @Argument(help: "Goal domain.") var domain: String
        @Option(help: "Window in days.") var days: Int = 30
        @Flag(inversion: .prefixedNo, help: "Compute p50/p95 durations (scans the window's durations).")
        var percentiles = true
        @Option(help: "rollup (default) or scan.") var method: String = DomainStatisticsMethod.rollup.rawValue
        @OptionGroup var common: Common

        func validate() throws {
            guard days >= 1 else { throw ValidationError("--days must be at least 1") }
            guard DomainStatisticsMethod(rawValue: method) != nil else { throw ValidationError("--method must be rollup or scan") }
        }

        func run() async throws {
            let (domain, days, percentiles) = (self.domain, self.days, self.percentiles)
            let method = DomainStatisticsMethod(rawValue: self.method) ?? .rollup
            let stats = try await common.withAnalystDatabase { client in
                try await ExecutionQueries(client: client, logger: Logger(label: "hindsight.query"))
                    .domainStatistics(domain: domain, days: days, percentiles: percentiles, method: method)
            }
            if common.format == .json { return try printJSON(stats) }
            func seconds(_ value: Double?) -> String { value.map { String(format: "%.3f s", $0) } ?? "-" }
            printTable(["statistic", "value"], [
                ["domain", stats.domain],
                ["window", "\(stats.days) days since \(formatTimestamp(stats.windowStart))"],
                ["total", String(stats.totalExecutions)],
                ["completed", String(stats.completedCount)],
                ["failed", String(stats.failedCount)],
                ["recovered", String(stats.recoveredCount)],
                ["running", String(stats.runningCount)],
                ["success rate", String(format: "%.1f %%", stats.successRate * 100)],
                ["avg duration", seconds(stats.avgDurationSeconds)],
                ["p50 duration", seconds(stats.p50DurationSeconds)],
                ["p95 duration", seconds(stats.p95DurationSeconds)],
            ])
        }
    }
}

private func validateStatus(_ status: String?) throws {
    if let status, !StoredExecution.statuses.contains(status) {
        throw ValidationError("status must be one of \(StoredExecution.statuses.joined(separator: ", ")), not '\(status)'")
    }
}

private func validateLimit(_ limit: Int) throws {
    guard (1...100_000).contains(limit) else { throw ValidationError("--limit must be 1…100000") }
}

private func output(_ rows: [StoredExecution], _ format: OutputFormat) throws {
    if format == .json { return try printJSON(rows) }
    printExecutions(rows)
}

private func printExecutions(_ rows: [StoredExecution]) {
    printTable(["execution_id", "domain", "status", "started_at", "duration_s", "events", "errors", "tools"], rows.map {
        [$0.executionID.uuidString.lowercased(), $0.domain, $0.status, $0.startedAt.map(formatTimestamp) ?? "-",
         $0.durationSeconds.map { String(format: "%.3f", $0) } ?? "-",
         String($0.eventCount), String($0.errorCount), String($0.toolCallCount)]
    })
}
