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
    /// Authentication, missing databases, permissions and bad SQL are not transient.
    public var isTransient: Bool {
        if code == .unreachable || code == .timeout { return true }
        guard let sqlState else { return false }
        return sqlState.hasPrefix("08") || sqlState.hasPrefix("40")
            || ["57P01", "57P02", "57P03", "53300", "55P03"].contains(sqlState)
    }

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
