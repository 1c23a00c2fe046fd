import HindsightCore

/// The control group: the original plan and a fixed default recovery — one retry after 5 seconds,
/// then give up.
package enum ControlRules {
    /// The fixed wait before the one retry (a common default; the seed's template also says 5 seconds).
    package static let retryDelaySeconds = 5.0

    package static func advise(_ question: RecoveryQuestion) -> RecoveryAnswer {
        let failure = FailureClassifier.classify(errorType: question.errorType, message: question.message).rawValue
        return question.attempt == 1
            ? RecoveryAnswer(action: .retry, delaySeconds: retryDelaySeconds, failureType: failure)
            : RecoveryAnswer(action: .abort, delaySeconds: 0, failureType: failure)
    }
}
