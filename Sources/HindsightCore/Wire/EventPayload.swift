/// The typed `data` object of an execution event.
///
/// Every member is optional on the wire; which ones an event type requires is listed on each
/// property and enforced by the decoder. Members not listed here are ignored when decoding and are not
/// re-encoded. Strings are limited in UTF-8 bytes; numbers must be finite.
public struct EventPayload: Sendable, Equatable, Hashable, Codable {
    /// `goal` — the execution's goal (`execution_started`); at most ``WireLimits/maxStringBytes`` bytes.
    public var goal: String?
    /// `agent_id` — the agent that runs the execution (`execution_started`); 1…256 bytes.
    public var agentID: String?
    /// `plan` — planned phase names in plan order (`execution_started`); at most 64 entries of
    /// 1…256 bytes each.
    public var plan: [String]?
    /// `estimated_duration_s` — the phase's estimated duration in seconds (`phase_started`); `≥ 0`.
    public var estimatedDurationSeconds: Double?
    /// `success` — whether the phase or recovery succeeded (`phase_completed`, `recovery_attempted`).
    ///
    /// The decoder sets it to `true` on `phase_completed` events that omit it, as the seed did.
    public var success: Bool?
    /// `error` — the phase's error text (`phase_completed`); at most ``WireLimits/maxStringBytes`` bytes.
    public var error: String?
    /// `tool` — the tool's name; required for `tool_used`; 1…128 bytes.
    public var tool: String?
    /// `duration_ms` — duration in milliseconds; required for `tool_used`, optional elsewhere; `≥ 0`.
    public var durationMs: Double?
    /// `error_type` — the error's class; required for `error`; 1…256 bytes.
    public var errorType: String?
    /// `message` — the error message; required for `error`; at most ``WireLimits/maxStringBytes`` bytes.
    public var message: String?
    /// `fatal` — whether the error ended the execution (`error`).
    public var fatal: Bool?
    /// `strategy` — `retry`, `skip`, `simplify`, `escalate` or `abort`; required for
    /// `recovery_attempted`.
    public var strategy: String?
    /// `failure_type` — the detected failure type (`recovery_attempted`); 1…256 bytes.
    public var failureType: String?
    /// `status` — `completed`, `failed` or `recovered`; required for `execution_completed`.
    public var status: String?
    /// `result` — the final result (`execution_completed`); at most ``WireLimits/maxStringBytes`` bytes.
    public var result: String?
    /// `ab_test` — the A/B test the execution takes part in (`execution_started`, from the adapter's
    /// `plan.optimize` answer, e.g. `<domain>/adapted-v1`); 1…256 bytes.
    public var abTest: String?
    /// `variant` — the variant of ``abTest`` the execution runs (`execution_started`): `A` or `B`.
    public var variant: String?

    /// The values accepted for ``strategy``.
    public static let strategies: Set<String> = ["retry", "skip", "simplify", "escalate", "abort"]
    /// The values accepted for ``status``.
    public static let statuses: Set<String> = ["completed", "failed", "recovered"]
    /// The values accepted for ``variant``.
    public static let variants: Set<String> = ["A", "B"]

    /// Creates a payload; every member defaults to absent.
    ///
    /// - Parameters: One per property, named after it.
    public init(
        goal: String? = nil,
        agentID: String? = nil,
        plan: [String]? = nil,
        estimatedDurationSeconds: Double? = nil,
        success: Bool? = nil,
        error: String? = nil,
        tool: String? = nil,
        durationMs: Double? = nil,
        errorType: String? = nil,
        message: String? = nil,
        fatal: Bool? = nil,
        strategy: String? = nil,
        failureType: String? = nil,
        status: String? = nil,
        result: String? = nil,
        abTest: String? = nil,
        variant: String? = nil
    ) {
        self.goal = goal
        self.agentID = agentID
        self.plan = plan
        self.estimatedDurationSeconds = estimatedDurationSeconds
        self.success = success
        self.error = error
        self.tool = tool
        self.durationMs = durationMs
        self.errorType = errorType
        self.message = message
        self.fatal = fatal
        self.strategy = strategy
        self.failureType = failureType
        self.status = status
        self.result = result
        self.abTest = abTest
        self.variant = variant
    }

    /// Whether no member is present.
    public var isEmpty: Bool { self == EventPayload() }

    enum CodingKeys: String, CodingKey {
        case goal
        case agentID = "agent_id"
        case plan
        case estimatedDurationSeconds = "estimated_duration_s"
        case success
        case error
        case tool
        case durationMs = "duration_ms"
        case errorType = "error_type"
        case message
        case fatal
        case strategy
        case failureType = "failure_type"
        case status
        case result
        case abTest = "ab_test"
        case variant
    }
}
