import PostgresNIO

/// An error from the store: a code to switch on and a one-line message that says what is wrong and
/// how to fix it.
///
/// ``description`` is the one-line message (never a password or a row's payload); details of the
/// underlying error, if any, are in ``debugDescription``.
public struct StoreError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// What kind of failure this is. Extensible: switch with a `default`.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case invalidURL, unreachable, timeout, authenticationFailed, databaseMissing, tls,
                 permissionDenied, server, invalidMigration, checksumMismatch, migrationFailed, other
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The database URL could not be parsed.
        public static let invalidURL = Self(.invalidURL)
        /// Nothing accepts connections at the host and port (refused, unknown host, unreachable).
        public static let unreachable = Self(.unreachable)
        /// The server did not answer in time.
        public static let timeout = Self(.timeout)
        /// Wrong user name or password (SQLSTATE 28P01 / 28000).
        public static let authenticationFailed = Self(.authenticationFailed)
        /// The database does not exist (SQLSTATE 3D000).
        public static let databaseMissing = Self(.databaseMissing)
        /// TLS could not be set up as the URL's `sslmode` asks.
        public static let tls = Self(.tls)
        /// The role lacks a privilege (SQLSTATE 42501).
        public static let permissionDenied = Self(.permissionDenied)
        /// Another error reported by the server.
        public static let server = Self(.server)
        /// A bundled migration file is malformed (name, numbering).
        public static let invalidMigration = Self(.invalidMigration)
        /// An applied migration's file changed since it was applied.
        public static let checksumMismatch = Self(.checksumMismatch)
        /// A migration failed while being applied (rolled back).
        public static let migrationFailed = Self(.migrationFailed)
        /// Anything else.
        public static let other = Self(.other)

        /// The code's name, e.g. `authenticationFailed`.
        public var description: String { base.rawValue }
    }

    /// The kind of failure.
    public var code: Code
    /// One line: what is wrong and how to fix it.
    public var message: String
    /// The SQLSTATE the server reported, if any.
    public var sqlState: String?
    /// The error this one was made from, if any.
    public var underlying: (any Error)?

    /// Creates an error.
    public init(_ code: Code, _ message: String, sqlState: String? = nil, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.sqlState = sqlState
        self.underlying = underlying
    }

    /// The one-line ``message``.
    public var description: String { message }

    /// Whether retrying the same work later may succeed: lost or refused connections, timeouts,
    /// deadlocks (`40P01`), serialization failures (`40001`), a server shutting down or starting
    /// (`57P01`–`57P03`), too many connections (`53300`) and other connection exceptions (`08…`).
    /// Authentication, missing databases, permissions, bad SQL and refused data are not transient.
    ///
    /// The same answer as ``classifyFailure(_:)`` gives for this error.
    public var isTransient: Bool { Self.classifyFailure(self).failureClass == .transient }

    /// The message with the code, SQLSTATE and the underlying error, for logs and debugging.
    public var debugDescription: String {
        var text = "StoreError(\(code)): \(message)"
        if let sqlState { text += " [SQLSTATE \(sqlState)]" }
        if let underlying { text += " underlying: \(String(reflecting: underlying))" }
        return text
    }

    /// Turns any error from PostgresNIO into a ``StoreError`` with a message that names the problem
    /// and the fix, for the server `url` points at.
    ///
    /// - Parameters:
    ///   - error: The error thrown by a connection, client or query.
    ///   - url: The URL that was used (its password is never shown).
    /// - Returns: `error` itself if it is already a ``StoreError``, else the classified error.
    public static func classify(_ error: any Error, url: DatabaseURL) -> StoreError {
        if let error = error as? StoreError { return error }
        if let error = error as? PostgresTransactionError {
            if let inner = error.closureError ?? error.beginError ?? error.commitError {
                return classify(inner, url: url)
            }
        }
        let server = "\(url.host):\(url.port)"
        guard let psql = error as? PSQLError else {
            let text = String(describing: error)
            if text.lowercased().contains("timeout") || text.lowercased().contains("timed out") {
                return StoreError(.timeout, "PostgreSQL at \(server) did not answer in time: check that it is running and reachable (scripts/services status)", underlying: error)
            }
            return StoreError(.other, "database error: \(text)", underlying: error)
        }
        if let state = psql.serverInfo?[.sqlState] {
            let serverMessage = psql.serverInfo?[.message] ?? "no message"
            switch state {
            case "28P01", "28000":
                return StoreError(.authenticationFailed, "PostgreSQL at \(server) rejected user '\(url.username)' (\(serverMessage)): check the user name and password in HINDSIGHT_DATABASE_URL / --database-url", sqlState: state, underlying: error)
            case "3D000":
                return StoreError(.databaseMissing, "database '\(url.database)' does not exist on \(server): create it (scripts/services up creates 'hindsight') or fix the database name in the URL", sqlState: state, underlying: error)
            case "42501":
                return StoreError(.permissionDenied, "permission denied for user '\(url.username)' (\(serverMessage)): use a role with the needed grants (see docs/sql-schema.md, Roles)", sqlState: state, underlying: error)
            case "42P01", "3F000", "42883":
                return StoreError(.server, "the Hindsight schema is missing or out of date in database '\(url.database)' (\(serverMessage)): run hindsight migrate", sqlState: state, underlying: error)
            case "57P03", "53300":
                return StoreError(.unreachable, "PostgreSQL at \(server) is not accepting connections now (\(serverMessage)): retry later", sqlState: state, underlying: error)
            default:
                return StoreError(.server, "PostgreSQL error \(state): \(serverMessage)", sqlState: state, underlying: error)
            }
        }
        let detail = psql.underlying.map { String(describing: $0) } ?? ""
        let lower = detail.lowercased()
        switch psql.code {
        case .connectionError where lower.contains("timeout") || lower.contains("timedout"):
            return StoreError(.timeout, "connecting to PostgreSQL at \(server) timed out: check the host and port, and that the server is running (scripts/services up)", underlying: error)
        case .connectionError:
            let why = lower.contains("refused") ? "connection refused"
                : lower.contains("reset") ? "connection reset: is this PostgreSQL's port?"
                : (lower.contains("resolve") || lower.contains("dns") ? "host name not found" : "cannot connect")
            return StoreError(.unreachable, "PostgreSQL at \(server) is unreachable (\(why)): start it with scripts/services up, or fix host/port in HINDSIGHT_DATABASE_URL / --database-url", underlying: error)
        case .sslUnsupported:
            return StoreError(.tls, "PostgreSQL at \(server) does not support TLS but sslmode=\(url.sslMode.rawValue) requires it: use sslmode=prefer or disable, or enable ssl on the server", underlying: error)
        case .failedToAddSSLHandler, .receivedUnencryptedDataAfterSSLRequest:
            return StoreError(.tls, "TLS setup with PostgreSQL at \(server) failed: check sslmode and the server's certificate", underlying: error)
        case .unsupportedAuthMechanism, .authMechanismRequiresPassword, .saslError:
            return StoreError(.authenticationFailed, "PostgreSQL at \(server) asks for a password for user '\(url.username)' that was not accepted: put user:password in the URL", underlying: error)
        case .serverClosedConnection, .messageDecodingFailure, .unexpectedBackendMessage:
            return StoreError(.unreachable, "the server at \(server) closed the connection or does not speak the PostgreSQL protocol: check the port (PostgreSQL is 5433 locally)", underlying: error)
        default:
            return StoreError(.other, "database error (\(psql.code)) talking to \(server)", underlying: error)
        }
    }
}

// MARK: - Failure classes

extension StoreError {
    /// What retrying a failed database operation can achieve: the one classification every worker uses.
    public enum FailureClass: String, Sendable, Hashable, CustomStringConvertible {
        /// The database is unavailable or the transaction lost a race (connection lost, deadlock,
        /// serialization failure, shutdown, too many connections, a timeout): the same work may succeed
        /// later; back off and retry.
        case transient
        /// The data itself was refused (data exception `22…`, integrity violation `23…`, program limit
        /// `54…`): the same data can never succeed; find the culprit and set it aside.
        case rejectedData
        /// The setup is wrong (authentication, a missing database or schema, a privilege, bad SQL, TLS):
        /// nothing succeeds until an operator acts.
        case permanent

        /// The class's name, e.g. `rejectedData`.
        public var description: String { rawValue }
    }

    /// A classified failure: its class, the SQLSTATE when the server sent one, and a one-line summary
    /// for logs (no row data).
    public struct Failure: Sendable, Hashable, CustomStringConvertible {
        /// What retrying can achieve.
        public var failureClass: FailureClass
        /// The SQLSTATE the server reported, if any.
        public var sqlState: String?
        /// One line naming the failure, e.g. `SQLSTATE 40P01: deadlock detected`.
        public var summary: String

        /// Creates a classified failure.
        public init(_ failureClass: FailureClass, sqlState: String? = nil, summary: String) {
            self.failureClass = failureClass
            self.sqlState = sqlState
            self.summary = summary
        }

        /// The class and the summary.
        public var description: String { "\(failureClass): \(summary)" }
    }

    /// The class of a SQLSTATE, by its two-character class (and a few exact codes).
    ///
    /// | SQLSTATE | class |
    /// |---|---|
    /// | `08` connection, `40` rollback (deadlock, serialization), `53` resources, `55` object state (lock not available), `57` operator intervention, `58` system, `25` transaction state, `XX` internal | transient |
    /// | `22` data exception, `23` integrity violation, `54` program limit | rejected data |
    /// | anything else (`28` authentication, `3D` database, `3F` schema, `42` syntax or privilege, `0A` unsupported…) | permanent |
    ///
    /// - Parameter sqlState: A five-character SQLSTATE, e.g. `40P01`.
    /// - Returns: What retrying can achieve.
    public static func failureClass(sqlState: String) -> FailureClass {
        switch sqlState.prefix(2) {
        case "08", "40", "53", "55", "57", "58", "25", "XX": .transient
        case "22", "23", "54": .rejectedData
        default: .permanent
        }
    }

    /// Classifies any error thrown by PostgresNIO, by a transaction or by the store.
    ///
    /// A transaction's first error is its cause (begin, then the closure, then the commit). A
    /// ``StoreError`` is classified by its SQLSTATE, else by its code (unreachable and timeout are
    /// transient; URL, TLS, authentication, missing database, permission and migration errors are
    /// permanent). A PostgresNIO error without a server answer (connection refused, closed, timed out)
    /// is transient; with one, its SQLSTATE decides. Any other error is transient: retrying loses
    /// nothing, and the retry is logged and counted.
    ///
    /// - Parameter error: The error to classify.
    /// - Returns: Its class, SQLSTATE and a one-line summary.
    public static func classifyFailure(_ error: any Error) -> Failure {
        if let wrapped = error as? PostgresTransactionError {
            if let cause = wrapped.beginError ?? wrapped.closureError ?? wrapped.commitError {
                return classifyFailure(cause)
            }
            return Failure(.transient, summary: "transaction failed")
        }
        if let error = error as? StoreError {
            if let sqlState = error.sqlState {
                return Failure(failureClass(sqlState: sqlState), sqlState: sqlState, summary: "SQLSTATE \(sqlState): \(error.message)")
            }
            switch error.code {
            case .unreachable, .timeout, .other: return Failure(.transient, summary: error.message)
            default: return Failure(.permanent, summary: error.message)
            }
        }
        guard let psql = error as? PSQLError else { return Failure(.transient, summary: "\(type(of: error))") }
        guard let sqlState = psql.serverInfo?[.sqlState] else {
            // No server answer: connection refused, closed, timed out.
            return Failure(.transient, summary: "\(psql.code)")
        }
        return Failure(failureClass(sqlState: sqlState), sqlState: sqlState,
                       summary: "SQLSTATE \(sqlState): \(psql.serverInfo?[.message] ?? "no message")")
    }
}
