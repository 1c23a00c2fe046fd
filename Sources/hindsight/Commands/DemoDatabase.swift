import Foundation
import HindsightStore
import Logging
import PostgresNIO

/// The demo's own database: recreated at every run (so the learning curve starts from no history) on the
/// server of the configured URL, never the database that URL names.
enum DemoDatabase {
    /// The URL of each part of the demo, all on the demo's database.
    struct URLs: Sendable {
        /// Where the demo database is created and dropped from (the configured owner URL, as given).
        let admin: DatabaseURL
        let owner: DatabaseURL
        let tracker: DatabaseURL
        let analyzer: DatabaseURL
        let adapter: DatabaseURL
        let analyst: DatabaseURL

        /// Each part's role (or the one URL given) on `database`.
        init(connection: ConnectionOptions, database: String) throws {
            admin = try connection.database(role: .owner)
            guard admin.database != database else {
                throw OneLineError("configuration: --database \(database) is the database of the URL; the demo recreates its database, give it another name")
            }
            owner = admin.withDatabase(database)
            tracker = try connection.database(role: .tracker).withDatabase(database)
            analyzer = try connection.database(role: .analyzer).withDatabase(database)
            adapter = try connection.database(role: .adapter).withDatabase(database)
            // Never the read replica (HINDSIGHT_READ_DATABASE_URL): the report reads insights written a
            // moment before, on a database the demo just created.
            analyst = try ConnectionOptions.database(flag: connection.databaseURL, role: .analyst, readReplica: false)
                .withDatabase(database)
        }
    }

    /// Names the demo accepts: a plain identifier (so it can be written into DDL, where bind parameters
    /// cannot go), and never one of the shared or system databases.
    static func isValidName(_ name: String) -> Bool {
        guard (1...63).contains(name.utf8.count), !["hindsight", "postgres", "template0", "template1"].contains(name),
              let first = name.unicodeScalars.first, first == "_" || ("a"..."z").contains(first)
        else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || ("a"..."z").contains($0) || ("0"..."9").contains($0) }
    }

    /// Drops the demo database when it exists, creates it and applies the migrations.
    static func recreate(_ urls: URLs, logger: Logger) async throws {
        let name = urls.owner.database
        guard isValidName(name) else { throw OneLineError("configuration: invalid demo database name \(name)") }
        try await StoreConnection.withClient(urls.admin, logger: logger) { client in
            // An identifier cannot be a bind parameter; `name` is validated to [a-z0-9_] above.
            try await client.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \"\(name)\" WITH (FORCE)"), logger: logger)
            try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \"\(name)\""), logger: logger)
        }
        try await StoreConnection.withClient(urls.owner, logger: logger) { client in
            _ = try await Migrator(client: client, logger: logger).migrate()
        }
    }
}
