import ArgumentParser
import HindsightStore
import Logging

/// `hindsight migrate`: applies pending schema migrations and creates the coming days' partitions.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply pending database migrations (safe to run from several processes at once).",
        discussion: """
            Applies the numbered SQL migrations shipped with Hindsight, each in its own transaction, \
            under an advisory lock; re-running is a no-op. Then makes sure the daily partitions of \
            hindsight.events exist from yesterday to --days-ahead days ahead. Run it as the schema \
            owner (hindsight_owner locally).
            """)

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Create event partitions this many days ahead.")
    var daysAhead: Int = 7

    @Flag(help: "Only list applied and pending migrations.")
    var status = false

    func run() async throws {
        try Bootstrap.run(defaultLevel: .warning)
        let logger = Logger(label: "hindsight.migrate")
        let daysAhead = self.daysAhead
        let statusOnly = self.status
        try await withDatabase(database, role: .owner, logger: logger) { client in
            let migrator = try Migrator(client: client, logger: logger)
            if statusOnly {
                let applied = Dictionary(try await migrator.appliedMigrations().map { ($0.version, $0) }, uniquingKeysWith: { a, _ in a })
                for migration in migrator.migrations {
                    let state = applied[migration.version].map { "applied \(formatTimestamp($0.appliedAt))" } ?? "pending"
                    print("\(migration.fileName)  \(state)")
                }
                return
            }
            let report = try await migrator.migrate()
            let created = try await PartitionMaintenance(client: client, logger: logger).ensurePartitions(daysAhead: daysAhead)
            if report.applied.isEmpty {
                print("database is up to date (\(report.alreadyApplied) migrations applied)")
            } else {
                for entry in report.applied { print("applied \(entry.version) \(entry.name)") }
            }
            if created > 0 { print("created \(created) event partitions") }
        }
    }
}
