public import Foundation
public import Logging
public import PostgresNIO

/// Applies the numbered SQL migrations to a database, once each, safely from many processes at once.
///
/// A run leases **one** connection and holds `pg_advisory_lock(`` Migrator/advisoryLockKey ``)` on it
/// for the whole run, so concurrent runs (several workers starting together) queue up: the first
/// applies what is pending, the others then find nothing to do. Each pending migration runs in its
/// own transaction together with the insert of its `hindsight.schema_migrations` row (version, name,
/// SHA-256, applied_at), so a failing migration leaves no trace and the next run retries it.
///
/// Migration files may hold many statements; PostgresNIO runs one statement per query (extended
/// protocol), so the migrator splits each file on `;` outside quotes, comments and dollar-quoted
/// bodies and runs the statements in order inside the transaction.
///
/// Re-running is a no-op. A migration whose file changed after it was applied (checksum differs)
/// stops the run with ``StoreError/Code/checksumMismatch`` before anything is applied. Versions in the
/// database that this binary does not know (a newer binary migrated it) are reported and ignored.
public struct Migrator: Sendable {
    /// The advisory lock key every migrator takes: the ASCII bytes of "hsmigrat" as a `bigint`.
    public static let advisoryLockKey: Int64 = 0x68_73_6D_69_67_72_61_74

    /// The migrations this migrator applies, ordered by version.
    public let migrations: [Migration]
    private let client: PostgresClient
    private let logger: Logger

    /// Creates a migrator.
    ///
    /// - Parameters:
    ///   - client: A running `PostgresClient` connected as the schema owner.
    ///   - migrations: What to apply. Defaults to ``Migration/bundled()``.
    ///   - logger: Where progress is logged (info per applied migration).
    /// - Throws: ``StoreError`` if the bundled migrations cannot be loaded.
    public init(client: PostgresClient, migrations: [Migration]? = nil, logger: Logger) throws {
        self.client = client
        self.migrations = try migrations.map { $0.sorted { $0.version < $1.version } } ?? Migration.bundled()
        self.logger = logger
    }

    /// Applies every pending migration in order.
    ///
    /// - Returns: What was applied and what already was.
    /// - Throws: ``StoreError``: ``StoreError/Code/checksumMismatch`` if an applied file changed,
    ///   ``StoreError/Code/migrationFailed`` (naming the file and statement) if a migration fails,
    ///   or a connection error.
    @discardableResult
    public func migrate() async throws -> MigrationReport {
        try await client.withConnection { connection in
            try await connection.query("SELECT pg_advisory_lock(\(Self.advisoryLockKey))", logger: logger)
            do {
                let report = try await migrateLocked(connection)
                try await connection.query("SELECT pg_advisory_unlock(\(Self.advisoryLockKey))", logger: logger)
                return report
            } catch {
                // Best effort: if the connection is broken the server frees the lock anyway.
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.advisoryLockKey))", logger: logger)
                throw error
            }
        }
    }

    /// The migrations recorded in `hindsight.schema_migrations`, ordered by version (empty if the
    /// table does not exist yet).
    public func appliedMigrations() async throws -> [AppliedMigration] {
        try await client.withConnection { connection in
            let exists = try await connection.query(
                "SELECT to_regclass('hindsight.schema_migrations') IS NOT NULL", logger: logger
            ).collect().first?.decode(Bool.self) ?? false
            guard exists else { return [] }
            return try await Self.readApplied(connection, logger: logger)
        }
    }

    private func migrateLocked(_ connection: PostgresConnection) async throws -> MigrationReport {
        try await connection.query("CREATE SCHEMA IF NOT EXISTS hindsight", logger: logger)
        try await connection.query("""
            CREATE TABLE IF NOT EXISTS hindsight.schema_migrations (
                version integer PRIMARY KEY,
                name text NOT NULL,
                checksum text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now())
            """, logger: logger)
        let applied = try await Self.readApplied(connection, logger: logger)
        let appliedByVersion = Dictionary(applied.map { ($0.version, $0) }, uniquingKeysWith: { a, _ in a })
        let known = Set(migrations.map(\.version))

        for migration in migrations {
            if let record = appliedByVersion[migration.version], record.checksum != migration.checksum {
                throw StoreError(
                    .checksumMismatch,
                    "migration \(migration.fileName) was changed after it was applied (checksum \(record.checksum.prefix(12))… in the database, \(migration.checksum.prefix(12))… now): restore the file and put the change in a new migration")
            }
        }
        for record in applied where !known.contains(record.version) {
            logger.info("store.migration.unknown", metadata: [
                "migration.version": "\(record.version)", "migration.name": "\(record.name)",
            ])
        }

        var report = MigrationReport(applied: [], alreadyApplied: applied.filter { known.contains($0.version) }.count)
        for migration in migrations where appliedByVersion[migration.version] == nil {
            try await apply(migration, on: connection)
            report.applied.append(MigrationReport.Entry(version: migration.version, name: migration.name))
        }
        return report
    }

    private func apply(_ migration: Migration, on connection: PostgresConnection) async throws {
        let statements = migration.statements
        let started = ContinuousClock.now
        do {
            try await connection.withTransaction(logger: logger) { connection in
                for (index, statement) in statements.enumerated() {
                    do {
                        try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                    } catch let error as PSQLError {
                        let message = error.serverInfo?[.message] ?? "\(error.code)"
                        let state = error.serverInfo?[.sqlState]
                        throw StoreError(
                            .migrationFailed,
                            "migration \(migration.fileName) failed at statement \(index + 1) of \(statements.count): \(message)",
                            sqlState: state, underlying: error)
                    }
                }
                try await connection.query("""
                    INSERT INTO hindsight.schema_migrations (version, name, checksum)
                    VALUES (\(migration.version), \(migration.name), \(migration.checksum))
                    """, logger: logger)
            }
        } catch let error as PostgresTransactionError {
            if let inner = error.closureError as? StoreError { throw inner }
            throw StoreError(.migrationFailed, "migration \(migration.fileName) could not be committed", underlying: error)
        }
        logger.info("store.migration.applied", metadata: [
            "migration.version": "\(migration.version)", "migration.name": "\(migration.name)",
            "migration.statements": "\(statements.count)",
            "migration.duration": "\(ContinuousClock.now - started)",
        ])
    }

    private static func readApplied(_ connection: PostgresConnection, logger: Logger) async throws -> [AppliedMigration] {
        let rows = try await connection.query(
            "SELECT version, name, checksum, applied_at FROM hindsight.schema_migrations ORDER BY version",
            logger: logger)
        var result: [AppliedMigration] = []
        for try await (version, name, checksum, appliedAt) in rows.decode((Int, String, String, Date).self) {
            result.append(AppliedMigration(version: version, name: name, checksum: checksum, appliedAt: appliedAt))
        }
        return result
    }
}

/// A row of `hindsight.schema_migrations`.
public struct AppliedMigration: Sendable, Hashable, Codable {
    /// The migration's number.
    public var version: Int
    /// The migration's name.
    public var name: String
    /// SHA-256 of the file when it was applied.
    public var checksum: String
    /// When it was applied.
    public var appliedAt: Date
}

/// What a ``Migrator/migrate()`` run did.
public struct MigrationReport: Sendable, Hashable, Codable {
    /// A migration applied by the run.
    public struct Entry: Sendable, Hashable, Codable {
        /// The migration's number.
        public var version: Int
        /// The migration's name.
        public var name: String
    }

    /// Migrations applied by this run, in order (empty when the database was up to date).
    public var applied: [Entry]
    /// How many known migrations were already applied before the run.
    public var alreadyApplied: Int
}
