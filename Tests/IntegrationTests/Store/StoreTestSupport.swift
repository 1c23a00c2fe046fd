import Foundation
import HindsightStore
import Logging
import PostgresNIO
import Testing

/// Connection info and scratch databases for the store's integration tests.
///
/// Needs the PostgreSQL of `scripts/services up`. Every test that changes the schema gets its own
/// scratch database (created by the owner role, dropped afterwards), so tests never touch the
/// `hindsight` database's data.
enum StoreTestSupport {
    /// The one place tests read the environment. Keys: `HINDSIGHT_DATABASE_URL` (owner URL, default
    /// `postgres://hindsight_owner:hindsight_owner@127.0.0.1:5433/hindsight`) and
    /// `HINDSIGHT_<ROLE>_PASSWORD` for the other roles (default: the role name).
    static func env(_ key: String) -> String? {
        ProcessInfo.processInfo.environment[key]
    }

    static var ownerURL: DatabaseURL {
        get throws {
            try DatabaseURL(parsing: env("HINDSIGHT_DATABASE_URL")
                ?? "postgres://hindsight_owner:hindsight_owner@127.0.0.1:5433/hindsight")
        }
    }

    static var logger: Logger {
        var logger = Logger(label: "hindsight.tests.store")
        logger.logLevel = .warning
        return logger
    }

    /// The owner URL with another role's credentials (`hindsight_analyst`, …).
    static func url(_ base: DatabaseURL, role: String) -> DatabaseURL {
        let key = "HINDSIGHT_" + role.replacingOccurrences(of: "hindsight_", with: "").uppercased() + "_PASSWORD"
        return base.withCredentials(username: role, password: env(key) ?? role)
    }

    /// Runs `body` with a running client; an unreachable server fails the test with a clear message.
    @discardableResult
    static func withClient<Result: Sendable>(_ url: DatabaseURL, _ body: (PostgresClient) async throws -> Result) async throws -> Result {
        do {
            try await StoreConnection.check(url, logger: logger)
        } catch let error as StoreError {
            Issue.record("PostgreSQL is needed for the store tests (start it with scripts/services up): \(error.message)")
            throw error
        }
        return try await StoreConnection.withClient(url, logger: logger, body)
    }

    /// Creates an empty database, runs `body` with its owner URL, and drops it afterwards.
    static func withScratchDatabase<Result: Sendable>(_ body: (DatabaseURL) async throws -> Result) async throws -> Result {
        let owner = try ownerURL
        let name = "hs_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
        try await withClient(owner) { client in
            // The name is ours (hex digits only), hence the reviewed unsafe path.
            try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
        }
        let scratch = owner.withDatabase(String(name))
        do {
            let result = try await body(scratch)
            try await drop(name, owner: owner)
            return result
        } catch {
            try? await drop(name, owner: owner)
            throw error
        }
    }

    /// Creates a scratch database and applies the bundled migrations to it.
    static func withMigratedDatabase<Result: Sendable>(_ body: (DatabaseURL) async throws -> Result) async throws -> Result {
        try await withScratchDatabase { url in
            try await withClient(url) { client in
                try await Migrator(client: client, logger: logger).migrate()
            }
            return try await body(url)
        }
    }

    private static func drop(_ name: String, owner: DatabaseURL) async throws {
        try await withClient(owner) { client in
            try await client.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), logger: logger)
        }
    }

    /// The SQLSTATE of a PostgreSQL error, looking through StoreError and transaction wrappers.
    static func sqlState(of error: any Error) -> String? {
        if let error = error as? PSQLError { return error.serverInfo?[.sqlState] }
        if let error = error as? StoreError { return error.sqlState ?? error.underlying.flatMap(sqlState(of:)) }
        if let error = error as? PostgresTransactionError { return error.closureError.flatMap(sqlState(of:)) }
        return nil
    }

    /// Runs `query` and returns the SQLSTATE it failed with (nil if it succeeded).
    static func failureState(_ client: PostgresClient, _ query: PostgresQuery) async -> String? {
        do {
            try await client.query(query, logger: logger)
            return nil
        } catch {
            return sqlState(of: error) ?? "unknown: \(String(reflecting: error))"
        }
    }

    static let utcCalendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    /// `YYYYMMDD` of the UTC day of `date` (the suffix of its events partition).
    static func compactDay(_ date: Date) -> String {
        let parts = utcCalendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d%02d%02d", parts.year!, parts.month!, parts.day!)
    }

    /// A UTC instant from `yyyy-MM-dd'T'HH:mm:ss'Z'`.
    static func date(_ text: String) -> Date {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        guard let date = formatter.date(from: text) else { fatalError("bad test date \(text)") }
        return date
    }
}
