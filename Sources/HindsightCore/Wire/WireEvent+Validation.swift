// The v1 value rules, shared by the fast decoder and the `Codable` path. Errors carry the member path
// relative to the event ("data.tool: …"); the batch decoder prefixes "events[i].".

extension WireEvent {
    /// Checks every v1 rule that does not depend on JSON syntax.
    ///
    /// - Parameters:
    ///   - limits: The limits to enforce.
    ///   - now: The receiver's clock in microseconds, or nil to skip the future-skew check.
    func validate(limits: WireLimits, now: Int64?) throws(WireError) {
        if WireUUID.isNil(eventID) { throw WireError(.invalidUUID, "event_id: must not be the nil UUID") }
        if WireUUID.isNil(executionID) {
            throw WireError(.invalidUUID, "execution_id: must not be the nil UUID")
        }
        guard seq >= 0, seq <= Int64(Int32.max) else {
            throw WireError(.invalidValue, "seq: must be in 0...2147483647")
        }
        guard timestampMicros >= limits.minTimestampMicros else {
            throw WireError(
                .timestampOutOfRange, "ts: before \(WireTimestamp.format(limits.minTimestampMicros))")
        }
        if let now, timestampMicros > now &+ limits.maxFutureSkew {
            throw WireError(
                .timestampOutOfRange, "ts: more than \(limits.maxFutureSkew / 1_000_000) s in the future")
        }
        guard type.isValid else {
            throw WireError(.invalidEventType, "type: must match ^[a-z][a-z0-9_.]{0,63}$")
        }
        let domainBytes = domain.utf8.count
        guard domainBytes >= 1, domainBytes <= WireLimits.maxDomainBytes else {
            throw WireError(.invalidDomain, "domain: must be 1...\(WireLimits.maxDomainBytes) UTF-8 bytes")
        }
        guard !Self.hasControlCharacter(domain) else {
            throw WireError(.invalidDomain, "domain: must not contain control characters")
        }
        if let phase { try Self.checkName(phase, "phase", max: WireLimits.maxNameBytes) }
        try checkRequiredMembers()
        try payload.validate(limits: limits)
    }

    /// The members each well-known type requires.
    private func checkRequiredMembers() throws(WireError) {
        func missing(_ path: String) -> WireError { WireError(.missingField, "\(path): required for \(type)") }
        switch type {
        case .phaseStarted, .phaseCompleted:
            if phase == nil { throw missing("phase") }
        case .toolUsed:
            if payload.tool == nil { throw missing("data.tool") }
            if payload.durationMs == nil { throw missing("data.duration_ms") }
        case .error:
            if payload.errorType == nil { throw missing("data.error_type") }
            if payload.message == nil { throw missing("data.message") }
        case .recoveryAttempted:
            if payload.strategy == nil { throw missing("data.strategy") }
        case .executionCompleted:
            if payload.status == nil { throw missing("data.status") }
        default:
            break
        }
    }

    /// A name: 1…`max` UTF-8 bytes, no control characters (C0, DEL, C1).
    static func checkName(_ s: String, _ path: String, max: Int) throws(WireError) {
        let count = s.utf8.count
        guard count >= 1 else { throw WireError(.invalidValue, "\(path): must not be empty") }
        guard count <= max else { throw WireError(.stringTooLong, "\(path): longer than \(max) UTF-8 bytes") }
        guard !hasControlCharacter(s) else {
            throw WireError(.invalidValue, "\(path): must not contain control characters")
        }
    }

    /// Free text: at most `max` UTF-8 bytes, no U+0000 (PostgreSQL text cannot store it).
    static func checkText(_ s: String, _ path: String, max: Int) throws(WireError) {
        guard s.utf8.count <= max else {
            throw WireError(.stringTooLong, "\(path): longer than \(max) UTF-8 bytes")
        }
        guard !s.utf8.contains(0) else { throw WireError(.invalidValue, "\(path): must not contain U+0000") }
    }

    /// Whether `s` holds U+0000…U+001F, U+007F or U+0080…U+009F.
    static func hasControlCharacter(_ s: String) -> Bool {
        var previous: UInt8 = 0
        for b in s.utf8 {
            if b < 0x20 || b == 0x7F || (previous == 0xC2 && b >= 0x80 && b <= 0x9F) { return true }
            previous = b
        }
        return false
    }
}

extension EventPayload {
    /// Checks lengths, ranges and enumerations of the members present.
    func validate(limits: WireLimits) throws(WireError) {
        let text = limits.maxStringBytes
        let name = WireLimits.maxNameBytes
        if let goal { try WireEvent.checkText(goal, "data.goal", max: text) }
        if let agentID { try WireEvent.checkName(agentID, "data.agent_id", max: name) }
        if let plan {
            guard plan.count <= WireLimits.maxPlanEntries else {
                throw WireError(.invalidValue, "data.plan: more than \(WireLimits.maxPlanEntries) entries")
            }
            for (i, entry) in plan.enumerated() { try WireEvent.checkName(entry, "data.plan[\(i)]", max: name) }
        }
        if let estimatedDurationSeconds {
            try Self.checkDuration(estimatedDurationSeconds, "data.estimated_duration_s")
        }
        if let error { try WireEvent.checkText(error, "data.error", max: text) }
        if let tool { try WireEvent.checkName(tool, "data.tool", max: WireLimits.maxToolBytes) }
        if let durationMs { try Self.checkDuration(durationMs, "data.duration_ms") }
        if let errorType { try WireEvent.checkName(errorType, "data.error_type", max: name) }
        if let message { try WireEvent.checkText(message, "data.message", max: text) }
        if let strategy, !Self.strategies.contains(strategy) {
            throw WireError(.invalidValue, "data.strategy: must be one of abort, escalate, retry, simplify, skip")
        }
        if let failureType { try WireEvent.checkName(failureType, "data.failure_type", max: name) }
        if let status, !Self.statuses.contains(status) {
            throw WireError(.invalidValue, "data.status: must be one of completed, failed, recovered")
        }
        if let result { try WireEvent.checkText(result, "data.result", max: text) }
        if let abTest { try WireEvent.checkName(abTest, "data.ab_test", max: name) }
        if let variant, !Self.variants.contains(variant) {
            throw WireError(.invalidValue, "data.variant: must be A or B")
        }
    }

    private static func checkDuration(_ value: Double, _ path: String) throws(WireError) {
        guard value.isFinite, value >= 0 else {
            throw WireError(.invalidValue, "\(path): must be a finite number ≥ 0")
        }
    }
}
