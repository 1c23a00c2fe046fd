import ArgumentParser
import Foundation
import HindsightStore
import HindsightWorkers
import Logging

/// `hindsight retention`: one full retention pass, as the analyzer runs it every hour.
struct RetentionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retention",
        abstract: "Run one retention pass: drop old raw-event partitions, delete old executions in batches.",
        discussion: """
            Creates the event partitions ahead, drops every daily partition events_YYYYMMDD whose UTC \
            day is before today minus --raw-days, then deletes executions started more than \
            --execution-days ago (with their phases, tool usage, errors and recovery attempts) in \
            batches of --batch-size, one short transaction each, and prints what it did. The daily \
            rollups are kept. Runs as hindsight_analyzer by default; skipped (exit 0) while another \
            analyzer or command runs a pass. Defaults come from HINDSIGHT_RETENTION_*.
            """)

    @OptionGroup var database: DatabaseOptions

    @Option(name: [.customLong("raw-days"), .customLong("days")], help: "Keep this many days of raw events (default: HINDSIGHT_RETENTION_RAW_DAYS, else 30).")
    var rawDays: Int?

    @Option(help: "Keep this many days of executions and their consolidated rows (default: HINDSIGHT_RETENTION_EXECUTION_DAYS, else 365).")
    var executionDays: Int?

    @Option(help: "Executions deleted per transaction (default: HINDSIGHT_RETENTION_BATCH_SIZE, else 1000).")
    var batchSize: Int?

    @Option(help: "Output format: table or json.")
    var format: OutputFormat = .table

    func run() async throws {
        try Bootstrap.run(defaultLevel: .warning)
        let logger = Logger(label: "hindsight.retention")
        var configuration: RetentionRunner.Configuration
        do {
            configuration = try RetentionRunner.Configuration(environment: EnvironmentReader())
        } catch {
            throw ExitMessage.line(for: error)
        }
        if let rawDays { configuration.rawDays = rawDays }
        if let executionDays { configuration.executionDays = executionDays }
        if let batchSize { configuration.batchSize = batchSize }
        do {
            try configuration.validate()
        } catch {
            throw OneLineError("configuration: \(error.description)")
        }
        let report = try await withDatabase(database, role: .analyzer, logger: logger) { client in
            try await RetentionRunner(configuration: configuration, client: client, logger: logger).runPass()
        }
        switch format {
        case .json:
            try printJSON(report)
        case .table:
            if report.skipped {
                print("skipped: another session is running retention (advisory lock \(RetentionRunner.advisoryLockKey))")
                return
            }
            print("raw window \(configuration.rawDays) days, executions window \(configuration.executionDays) days, batch \(configuration.batchSize)")
            printTable(["step", "result"], [
                ["partitions created", "\(report.partitionsCreated)"],
                ["partitions dropped", report.partitionsDropped.isEmpty ? "0" : "\(report.partitionsDropped.count) (\(report.partitionsDropped.joined(separator: ", ")))"],
                ["executions deleted", "\(report.executionsDeleted)"],
                ["delete batches", "\(report.batches)"],
                ["longest batch", String(format: "%.1f ms", report.longestBatchMilliseconds)],
                ["total", String(format: "%.1f ms", report.totalMilliseconds)],
            ])
        }
    }
}
