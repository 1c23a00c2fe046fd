import Foundation
package import HindsightCore

/// How a phase fails in the world, and which recovery actions fix it.
package enum FailureKind: String, Codable, Sendable, CaseIterable, Hashable {
    /// A rate limit: a retry works once the window has cleared, so waiting longer helps.
    case rateLimit = "rate_limit"
    /// A slow dependency: a retry often works, a smaller scope nearly always.
    case timeout
    /// A dropped connection: a retry usually works whatever the wait.
    case network
    /// A missing input: retrying never helps; a simplified phase (other input) or skipping does.
    case missingResource = "missing_resource"
    /// Missing permissions: nothing the agent does helps (skipping works only for an optional phase).
    case permission

    /// Whether a retry can ever fix it (the denominator of `recovered_share`).
    package var isTransient: Bool {
        switch self {
        case .rateLimit, .timeout, .network: true
        case .missingResource, .permission: false
        }
    }

    /// The error type agents report.
    package var errorType: String {
        switch self {
        case .rateLimit: "HTTPError"
        case .timeout: "TimeoutError"
        case .network: "ConnectionError"
        case .missingResource: "FileNotFoundError"
        case .permission: "PermissionError"
        }
    }

    /// The error message agents report, with a varying number as real messages have.
    package func message(number: Int) -> String {
        switch self {
        case .rateLimit: "Rate limit exceeded (429) after \(number) requests"
        case .timeout: "Query timed out after \(number) seconds"
        case .network: "Connection reset by peer 10.0.\(number % 256).7:443"
        case .missingResource: "File not found: /data/in/batch-\(number).csv"
        case .permission: "Access denied reading /var/lib/app/secret-\(number).key"
        }
    }

    /// Probability that `action` (with `delaySeconds` for a retry) turns this failure into a finished
    /// phase. Skip is decided by the phase being optional, escalate and abort never finish it.
    package func successProbability(of action: RecoveryAction, delaySeconds: Double) -> Double {
        switch (self, action) {
        case (.rateLimit, .retry): 1 - exp(-max(0, delaySeconds) / 15)
        case (.rateLimit, .simplify): 0.5
        case (.timeout, .retry): 0.6
        case (.timeout, .simplify): 0.9
        case (.network, .retry): 0.8
        case (.network, .simplify): 0.3
        case (.missingResource, .retry): 0
        case (.missingResource, .simplify): 0.8
        case (.permission, _): 0
        case (_, .skip), (_, .escalate), (_, .abort): 0
        }
    }
}
