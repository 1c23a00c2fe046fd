package import Foundation
package import HindsightStore
package import Logging
package import PostgresNIO

/// Connection info and scratch databases for the integration tests and the benchmarks.
///
/// Needs the PostgreSQL of `scripts/services up`. Every test that changes the schema gets its own
/// scratch database (created by the owner role, dropped afterwards), so tests never touch the
/// `hindsight` database's data.
package enum StoreTestSupport {
    /// Reads the environment (see ``TestEnvironment``).
    package static func env(_ key: String) -> String? {
        TestEnvironment.value(key)
    }

    /// The schema owner's URL: ``TestEnvironment/databaseURL``.
    package static var ownerURL: DatabaseURL {
        get throws { try DatabaseURL(parsing: TestEnvironment.databaseURL) }
    }

    package static var logger: Logger {
        var logger = Logger(label: "hindsight.tests.store")
        logger.logLevel = .warning
        return logger
    }

    /// The owner URL with another role's credentials (`hindsight_analyst`, …).
    package static func url(_ base: DatabaseURL, role: String) -> DatabaseURL {
        let key = "HINDSIGHT_" + role.replacingOccurrences(of: "hindsight_", with: "").uppercased() + "_PASSWORD"
        return base.withCredentials(username: role, password: env(key) ?? role)
    }

    /// Runs `body` with a running client; an unreachable server fails the test with a clear message.
    @discardableResult
    package static func withClient<Result: Sendable>(_ url: DatabaseURL, _ body: (PostgresClient) async throws -> Result) async throws -> Result {
        do {
            try await StoreConnection.check(url, logger: logger)
        } catch let error as StoreError {
            throw HarnessError("PostgreSQL is needed (start it with scripts/services up): \(error.message)")
        }
        return try await StoreConnection.withClient(url, logger: logger, body)
    }

    /// Creates an empty database, runs `body` with its owner URL, and drops it afterwards.
    package static func withScratchDatabase<Result: Sendable>(_ body: (DatabaseURL) async throws -> Result) async throws -> Result {
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
    package static func withMigratedDatabase<Result: Sendable>(_ body: (DatabaseURL) async throws -> Result) async throws -> Result {
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
    package static func sqlState(of error: any Error) -> String? {
        if let error = error as? PSQLError { return error.serverInfo?[.sqlState] }
        if let error = error as? StoreError { return error.sqlState ?? error.underlying.flatMap(sqlState(of:)) }
        if let error = error as? PostgresTransactionError { return error.closureError.flatMap(sqlState(of:)) }
        return nil
    }

    /// Runs `query` and returns the SQLSTATE it failed with (nil if it succeeded).
    package static func failureState(_ client: PostgresClient, _ query: PostgresQuery) async -> String? {
        do {
            try await client.query(query, logger: logger)
            return nil
        } catch {
            return sqlState(of: error) ?? "unknown: \(String(reflecting: error))"
        }
    }

    package static let utcCalendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0) ?? calendar.timeZone
        return calendar
    }()

    /// `YYYYMMDD` of the UTC day of `date` (the suffix of its events partition).
    package static func compactDay(_ date: Date) -> String {
        let parts = utcCalendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d%02d%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }

    /// A UTC instant from `yyyy-MM-dd'T'HH:mm:ss'Z'`.
    package static func date(_ text: String) -> Date {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        // Only literal dates written in the tests reach here.
        guard let date = formatter.date(from: text) else { preconditionFailure("bad test date \(text)") }
        return date
    }
}

/// The one place the tests and the benchmarks read the environment, with the local services' defaults.
///
/// | variable | default |
/// |---|---|
/// | `HINDSIGHT_AMQP_URL` | `amqp://hindsight:hindsight@127.0.0.1:5673/hindsight` |
/// | `HINDSIGHT_DATABASE_URL` | `postgres://hindsight_owner:hindsight_owner@127.0.0.1:5433/hindsight` (the schema owner) |
/// | `HINDSIGHT_<ROLE>_PASSWORD` | the role name (see ``StoreTestSupport/url(_:role:)``) |
package enum TestEnvironment {
    /// The broker of `scripts/services up`.
    package static let localAMQPURL = "amqp://hindsight:hindsight@127.0.0.1:5673/hindsight"
    /// The schema owner on the PostgreSQL of `scripts/services up`.
    package static let localDatabaseURL = "postgres://hindsight_owner:hindsight_owner@127.0.0.1:5433/hindsight"

    /// A variable of this process's environment.
    package static func value(_ key: String) -> String? {
        ProcessInfo.processInfo.environment[key]
    }

    /// `HINDSIGHT_AMQP_URL`, else ``localAMQPURL``.
    package static var amqpURL: String { value("HINDSIGHT_AMQP_URL") ?? localAMQPURL }

    /// `HINDSIGHT_DATABASE_URL`, else ``localDatabaseURL``.
    package static var databaseURL: String { value("HINDSIGHT_DATABASE_URL") ?? localDatabaseURL }
}

/// A harness step that failed, with the line to show.
package struct HarnessError: Error, CustomStringConvertible {
    package let description: String
    package init(_ description: String) { self.description = description }
}
