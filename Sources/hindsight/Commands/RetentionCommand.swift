import ArgumentParser
import HindsightStore
import Logging

/// `hindsight retention`: drops the daily event partitions older than the retention.
struct RetentionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retention",
        abstract: "Drop raw-event partitions older than --days days (the seed's cleanup_old_data).",
        discussion: """
            Drops every daily partition events_YYYYMMDD whose UTC day is before today minus --days, \
            and prints the dropped partitions. Consolidated executions, phases and tool usage are \
            kept. Needs the schema owner. Also creates the partitions for the coming days.
            """)

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Keep this many days of raw events.")
    var days: Int = PartitionMaintenance.defaultRetentionDays

    func validate() throws {
        guard days >= 1 else { throw ValidationError("--days must be at least 1") }
    }

    func run() async throws {
        try Bootstrap.run(defaultLevel: .warning)
        let logger = Logger(label: "hindsight.retention")
        let days = self.days
        try await withDatabase(database, role: .owner, logger: logger) { client in
            let maintenance = PartitionMaintenance(client: client, logger: logger)
            let dropped = try await maintenance.dropPartitions(olderThanDays: days)
            try await maintenance.ensurePartitions()
            if dropped.isEmpty {
                print("no partition older than \(days) days")
            } else {
                for name in dropped { print("dropped \(name)") }
            }
        }
    }
}
