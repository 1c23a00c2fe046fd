import Foundation
public import PostgresNIO

/// A PostgreSQL connection URL: `postgres://user:password@host:port/database?sslmode=…`.
///
/// The form every Hindsight process reads from `HINDSIGHT_DATABASE_URL` (or `--database-url`).
/// `postgresql://` is accepted too; user, password and database may be percent-encoded; the port
/// defaults to `5432`. `sslmode` follows libpq: `disable`, `allow`/`prefer` (the default: TLS when
/// the server offers it), `require` (TLS, certificate not verified), `verify-ca` (certificate
/// verified, host name not) and `verify-full`. `connect_timeout` (seconds) is honoured as well.
///
/// ``description`` never shows the password, so the value is safe to log.
public struct DatabaseURL: Sendable, Hashable, CustomStringConvertible {
    /// How the connection uses TLS, after libpq's `sslmode`.
    public enum SSLMode: String, Sendable, Hashable, CaseIterable {
        case disable, allow, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    /// The role to log in as.
    public var username: String
    /// The password, if any.
    public var password: String?
    /// The server's host name or IP address.
    public var host: String
    /// The server's TCP port. Defaults to `5432`.
    public var port: Int
    /// The database name.
    public var database: String
    /// The TLS mode. Defaults to ``SSLMode/prefer``.
    public var sslMode: SSLMode
    /// How long to wait for a connection before giving up. Defaults to 10 seconds.
    public var connectTimeout: Duration

    /// Creates a URL from its parts.
    public init(
        username: String, password: String?, host: String, port: Int = 5432, database: String,
        sslMode: SSLMode = .prefer, connectTimeout: Duration = .seconds(10)
    ) {
        self.username = username
        self.password = password
        self.host = host
        self.port = port
        self.database = database
        self.sslMode = sslMode
        self.connectTimeout = connectTimeout
    }

    /// Parses a `postgres://` URL.
    ///
    /// - Parameter string: The URL text.
    /// - Throws: ``StoreError`` with code ``StoreError/Code/invalidURL`` naming the part that is
    ///   wrong; the message never contains the password.
    public init(parsing string: String) throws {
        func invalid(_ why: String) -> StoreError {
            StoreError(.invalidURL, "invalid database URL: \(why) (expected postgres://user:password@host:5432/database)")
        }
        let trimmed = string.trimmingWhitespace()
        guard let schemeEnd = trimmed.range(of: "://") else { throw invalid("missing postgres:// scheme") }
        let scheme = trimmed[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "postgres" || scheme == "postgresql" else {
            throw invalid("scheme must be postgres or postgresql, not \(scheme)")
        }
        var rest = Substring(trimmed[schemeEnd.upperBound...])
        var query = Substring("")
        if let q = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: q)...]
            rest = rest[..<q]
        }
        var path = Substring("")
        if let slash = rest.firstIndex(of: "/") {
            path = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
        }
        var userInfo: Substring?
        if let at = rest.lastIndex(of: "@") {
            userInfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
        }
        guard let userInfo, !userInfo.isEmpty else { throw invalid("missing user name") }
        if let colon = userInfo.firstIndex(of: ":") {
            self.username = try Self.decode(userInfo[..<colon], invalid("bad percent-encoding in user name"))
            self.password = try Self.decode(userInfo[userInfo.index(after: colon)...], invalid("bad percent-encoding in password"))
        } else {
            self.username = try Self.decode(userInfo, invalid("bad percent-encoding in user name"))
            self.password = nil
        }
        // Host: [v6]:port, host:port or host.
        var hostPart = rest
        var portPart: Substring?
        if hostPart.hasPrefix("[") {
            guard let close = hostPart.firstIndex(of: "]") else { throw invalid("unterminated [IPv6] host") }
            let after = hostPart[hostPart.index(after: close)...]
            if after.hasPrefix(":") { portPart = after.dropFirst() } else if !after.isEmpty { throw invalid("junk after ]") }
            hostPart = hostPart[hostPart.index(after: hostPart.startIndex)..<close]
        } else if let colon = hostPart.lastIndex(of: ":") {
            portPart = hostPart[hostPart.index(after: colon)...]
            hostPart = hostPart[..<colon]
        }
        guard !hostPart.isEmpty else { throw invalid("missing host") }
        self.host = String(hostPart)
        if let portPart {
            guard let port = Int(portPart), (1...65535).contains(port) else { throw invalid("port must be 1…65535") }
            self.port = port
        } else {
            self.port = 5432
        }
        guard !path.isEmpty else { throw invalid("missing database name") }
        self.database = try Self.decode(path, invalid("bad percent-encoding in database name"))
        self.sslMode = .prefer
        self.connectTimeout = .seconds(10)
        for item in query.split(separator: "&") where !item.isEmpty {
            let pair = item.split(separator: "=", maxSplits: 1)
            let key = String(pair[0])
            let value = pair.count > 1 ? String(pair[1]) : ""
            switch key {
            case "sslmode":
                guard let mode = SSLMode(rawValue: value) else {
                    throw invalid("sslmode must be one of \(SSLMode.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                self.sslMode = mode
            case "connect_timeout":
                guard let seconds = Int(value), seconds > 0 else { throw invalid("connect_timeout must be a positive number of seconds") }
                self.connectTimeout = .seconds(seconds)
            case "application_name", "target_session_attrs":
                continue  // accepted for libpq compatibility, not used
            default:
                throw invalid("unknown parameter \(key)")
            }
        }
    }

    /// The URL with the password replaced by `***`.
    public var description: String {
        let user = password == nil ? username : "\(username):***"
        let hostText = host.contains(":") ? "[\(host)]" : host
        let query = sslMode == .prefer ? "" : "?sslmode=\(sslMode.rawValue)"
        return "postgres://\(user)@\(hostText):\(port)/\(database)\(query)"
    }

    /// A copy pointing at another database on the same server (tests use it for scratch databases).
    public func withDatabase(_ name: String) -> DatabaseURL {
        var copy = self
        copy.database = name
        return copy
    }

    /// A copy logging in as another role.
    public func withCredentials(username: String, password: String?) -> DatabaseURL {
        var copy = self
        copy.username = username
        copy.password = password
        return copy
    }

    /// The configuration for a pooled `PostgresClient`.
    public var clientConfiguration: PostgresClient.Configuration {
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: username, password: password, database: database,
            tls: clientTLS)
        configuration.options.connectTimeout = connectTimeout
        return configuration
    }

    /// The configuration for a single `PostgresConnection`.
    public func connectionConfiguration() throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS
        switch tlsConfiguration {
        case nil: tls = .disable
        case let config?:
            let context = try NIOSSLContext(configuration: config)
            tls = sslMode == .allow || sslMode == .prefer ? .prefer(context) : .require(context)
        }
        var configuration = PostgresConnection.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: tls)
        configuration.options.connectTimeout = .seconds(connectTimeout.components.seconds)
        return configuration
    }

    private var clientTLS: PostgresClient.Configuration.TLS {
        guard let config = tlsConfiguration else { return .disable }
        return sslMode == .allow || sslMode == .prefer ? .prefer(config) : .require(config)
    }

    private var tlsConfiguration: TLSConfiguration? {
        var config = TLSConfiguration.makeClientConfiguration()
        switch sslMode {
        case .disable: return nil
        case .allow, .prefer, .require: config.certificateVerification = .none
        case .verifyCA: config.certificateVerification = .noHostnameVerification
        case .verifyFull: config.certificateVerification = .fullVerification
        }
        return config
    }

    private static func decode(_ part: Substring, _ error: StoreError) throws -> String {
        guard let decoded = String(part).removingPercentEncodingStrict() else { throw error }
        return decoded
    }
}

extension String {
    func trimmingWhitespace() -> String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }

    /// Percent-decoding without Foundation; nil on a malformed escape or invalid UTF-8.
    func removingPercentEncodingStrict() -> String? {
        var bytes: [UInt8] = []
        var iterator = utf8.makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = iterator.next(), let low = iterator.next(),
                      let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) else { return nil }
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }
}
