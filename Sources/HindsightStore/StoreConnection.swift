public import Logging
public import PostgresNIO

/// Opening the database for one-shot tools (CLI commands, tests, benchmarks) with errors a person
/// can act on.
///
/// A pooled `PostgresClient` retries failed connections in the background, so a query against an
/// unreachable server or with a wrong password would wait. ``check(_:logger:)`` opens one plain
/// connection first, bounded by the URL's connect timeout plus a few seconds, and turns the failure
/// into a one-line ``StoreError`` (unreachable, timeout, authentication, missing database, TLS).
public enum StoreConnection {
    /// Connects once to `url` and disconnects.
    ///
    /// - Throws: ``StoreError`` naming what is wrong and how to fix it.
    public static func check(_ url: DatabaseURL, logger: Logger) async throws {
        let deadline = url.connectTimeout + .seconds(5)
        do {
            try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask {
                    let connection = try await PostgresConnection.connect(
                        configuration: try url.connectionConfiguration(), id: 1, logger: logger)
                    try? await connection.close()
                    return true
                }
                group.addTask {
                    try await Task.sleep(for: deadline)
                    return false
                }
                let connected = try await group.next() ?? false
                group.cancelAll()
                if !connected {
                    throw StoreError(.timeout, "PostgreSQL at \(url.host):\(url.port) did not answer within \(deadline): check that it is running and reachable (scripts/services status)")
                }
            }
        } catch {
            throw StoreError.classify(error, url: url)
        }
    }

    /// Checks the connection, then runs `body` with a running `PostgresClient` for `url` and shuts
    /// the client down when `body` returns or throws.
    ///
    /// - Parameters:
    ///   - url: Where to connect.
    ///   - logger: Logger for the client's background events.
    ///   - body: The work to do with the client.
    /// - Returns: What `body` returns.
    /// - Throws: ``StoreError`` (classified with ``StoreError/classify(_:url:)``) for connection and
    ///   PostgreSQL errors; any other error of `body` unchanged.
    public static func withClient<Result: Sendable>(
        _ url: DatabaseURL, logger: Logger,
        _ body: (PostgresClient) async throws -> Result
    ) async throws -> Result {
        try await check(url, logger: logger)
        var configuration = url.clientConfiguration
        configuration.options.maximumConnections = 4
        // The pool warns when a lease races the start of run(); that race is harmless here.
        var backgroundLogger = logger
        backgroundLogger.logLevel = max(logger.logLevel, .error)
        let client = PostgresClient(configuration: configuration, backgroundLogger: backgroundLogger)
        do {
            return try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await client.run() }
                defer { group.cancelAll() }
                return try await body(client)
            }
        } catch let error as PSQLError {
            throw StoreError.classify(error, url: url)
        } catch let error as PostgresTransactionError {
            throw StoreError.classify(error, url: url)
        }
    }
}
