import PostgresNIO

/// How the tracker treats a failed batch transaction.
enum StorageFailure {
    /// The database is unavailable or the transaction lost a race (deadlock, serialization failure,
    /// shutdown, too many connections…): keep the deliveries unacknowledged, back off, try again.
    case transient(String)
    /// The data itself was refused (data exception, integrity violation): find the message(s) responsible
    /// and dead-letter them; retrying the same data can never succeed.
    case rejectedData(sqlState: String)

    static func classify(_ error: any Error) -> StorageFailure {
        if let wrapped = error as? PostgresTransactionError {
            // The first error of the transaction is the cause; rollback errors follow from it.
            if let cause = wrapped.beginError ?? wrapped.closureError ?? wrapped.commitError {
                return classify(cause)
            }
            return .transient("transaction failed")
        }
        guard let error = error as? PSQLError else { return .transient("\(type(of: error))") }
        guard let sqlState = error.serverInfo?[.sqlState] else {
            // No server answer: connection refused, closed, timed out.
            return .transient("\(error.code)")
        }
        switch sqlState.prefix(2) {
        case "22", "23":
            return .rejectedData(sqlState: sqlState)
        default:
            // 08 connection, 40 rollback (deadlock/serialization), 53 resources, 57 operator intervention,
            // and anything unexpected (a missing migration, a privilege): retrying loses nothing; the log
            // and the retry metric make it visible.
            return .transient("SQLSTATE \(sqlState): \(error.serverInfo?[.message] ?? "")")
        }
    }
}
