import Testing
@testable import HindsightCore

@Suite("FailureClassifier (seed detect_failure, pitfalls fixed)")
struct FailureClassifierTests {
    @Test(arguments: [
        ("Connection timeout occurred", FailureType.timeout),
        ("Permission denied accessing file", .permissionDenied),
        ("Network connection error", .networkError),
        ("File not found", .resourceNotFound),
        ("Something weird happened", .unknownError),
        ("Timeout parsing logs", .timeout),
        ("Connection timed out", .timeout),
        ("File not found: access.log", .resourceNotFound),
        ("No room left in the zoom bloom filter", .unknownError),
        ("Out of memory", .resourceExhaustion),
        ("Process OOMKilled", .resourceExhaustion),
        ("sparse matrix is singular", .unknownError),
        ("Parse error at line 3", .syntaxError),
        ("Invalid JSON in response", .syntaxError),
        ("HTTP 403 Forbidden", .permissionDenied),
        ("ECONNREFUSED 127.0.0.1:5432", .networkError),
        ("deadline exceeded", .timeout),
        ("429 Too Many Requests", .resourceExhaustion),
    ])
    func classifiesMessages(_ message: String, _ expected: FailureType) {
        #expect(FailureClassifier.classify(message: message) == expected)
    }

    @Test func errorTypeDecidesFirst() {
        #expect(FailureClassifier.classify(errorType: "TimeoutError", message: "") == .timeout)
        #expect(FailureClassifier.classify(errorType: "FileNotFoundError", message: "x") == .resourceNotFound)
        #expect(FailureClassifier.classify(errorType: "PermissionError", message: "network down") == .permissionDenied)
        #expect(FailureClassifier.classify(errorType: "JSONDecodeError", message: "") == .syntaxError)
        #expect(FailureClassifier.classify(errorType: "MemoryError", message: "") == .resourceExhaustion)
        #expect(FailureClassifier.classify(errorType: "RuntimeError", message: "Network connection error") == .networkError)
        #expect(FailureClassifier.classify(errorType: "ValueError", message: "") == .unknownError)
    }
}
