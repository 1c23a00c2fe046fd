/// Why an import stopped (a record that cannot be imported is not an error: it is skipped and counted).
public struct ImportError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public enum Code: String, Sendable {
        /// A path given does not exist.
        case notFound = "not_found"
        /// A file or directory cannot be read.
        case unreadable
        /// An SQLite file is not a seed database (no `executions`/`events` tables) or is corrupt.
        case notASeedDatabase = "not_a_seed_database"
        /// Publishing failed (broker unreachable, refused, no confirmation); nothing after it was sent.
        case publishFailed = "publish_failed"
    }

    /// The kind.
    public var code: Code
    /// The file concerned, if any.
    public var path: String?
    /// What happened, without record content or credentials.
    public var message: String

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - code: The kind.
    ///   - path: The file concerned.
    ///   - message: What happened.
    public init(_ code: Code, path: String? = nil, _ message: String) {
        self.code = code
        self.path = path
        self.message = message
    }

    /// `import: <path>: <message>`.
    public var description: String {
        if let path { return "import: \(path): \(message)" }
        return "import: \(message)"
    }
}
