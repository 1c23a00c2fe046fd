/// The seed's JSONL trace files (`trace_<execution_id>.jsonl`): one `trace_start` header, `event` lines,
/// `trace_end` footers, each a `json.dumps` object on its own line.
///
/// Pure: lines in, one ``SeedExecution`` and the lines it could not use out. Quirks kept from the seed's
/// `load_trace`: the last header wins (earlier ones are reported as ``SkipReason/supersededHeader``);
/// every footer is a completion (the seed wrote one per `complete()` call; the last decides). Quirks
/// fixed: a file without header is not a crash — its execution id comes from the file name when it has
/// the seed's form; blank lines are reported, not fatal; unknown `type` values are reported.
public enum SeedJSONL {
    /// Longest line read: the wire format's largest message (``WireLimits/maxMessageBytes``, 1 MiB).
    public static let maxLineBytes = 1_048_576

    /// Parses one file's lines.
    ///
    /// - Parameters:
    ///   - lines: The lines, in order (from ``LineSplitter``).
    ///   - path: The file's path, for locations.
    /// - Returns: The execution (nil when no line was usable or no execution id is known) and the issues.
    public static func parse(_ lines: [LineSplitter.Line], path: String) -> (execution: SeedExecution?, issues: [ImportIssue]) {
        var issues: [ImportIssue] = []
        var header: (id: String, location: SourceLocation, object: [String: SeedValue])?
        var records: [SeedRecord] = []
        var recordLocations: [SourceLocation] = []
        for line in lines {
            let location = SourceLocation(path: path, line: line.number)
            if line.tooLong {
                issues.append(ImportIssue(.lineTooLong, at: location, "longer than \(maxLineBytes) bytes"))
                continue
            }
            if line.bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) {
                issues.append(ImportIssue(.blankLine, at: location))
                continue
            }
            guard let value = SeedValue.parse(line.bytes) else {
                issues.append(ImportIssue(.malformedJSON, at: location))
                continue
            }
            guard case .object(let object) = value else {
                issues.append(ImportIssue(.notAnObject, at: location))
                continue
            }
            guard let type = object["type"] else {
                issues.append(ImportIssue(.missingField, at: location, "type"))
                continue
            }
            switch type {
            case .string("trace_start"):
                switch requiredString(object, "execution_id") {
                case .failure(let issue):
                    issues.append(ImportIssue(issue.reason, at: location, issue.detail))
                case .success(let id):
                    if let previous = header {
                        issues.append(ImportIssue(.supersededHeader, at: previous.location, "a later trace_start wins"))
                    }
                    header = (id, location, object)
                }
            case .string("event"):
                switch event(object, at: location) {
                case .success(let event):
                    records.append(.event(event))
                    recordLocations.append(location)
                case .failure(let issue): issues.append(ImportIssue(issue.reason, at: location, issue.detail))
                }
            case .string("trace_end"):
                switch completion(object, at: location) {
                case .success(let completion):
                    records.append(.completion(completion))
                    recordLocations.append(location)
                case .failure(let issue): issues.append(ImportIssue(issue.reason, at: location, issue.detail))
                }
            case .string:
                issues.append(ImportIssue(.unknownRecordType, at: location, "type"))
            default:
                issues.append(ImportIssue(.wrongType, at: location, "type: not a string"))
            }
        }
        var execution: SeedExecution
        if let header {
            // A header field of the wrong type is left out rather than losing the execution.
            let text = { (key: String) -> String? in header.object[key]?.string }
            execution = SeedExecution(
                executionID: header.id, agentBundleID: text("agent_bundle_id"), goal: text("goal"),
                domain: text("domain"), startTime: text("start_time"), startLocation: header.location, records: records)
            if execution.startTime == nil {
                issues.append(ImportIssue(.missingField, at: header.location, "start_time"))
            }
        } else if let id = executionID(fromFileName: path) {
            execution = SeedExecution(executionID: id, records: records)
        } else {
            for location in recordLocations {
                issues.append(ImportIssue(.missingHeader, at: location, "no trace_start and no trace_<id>.jsonl name"))
            }
            return (nil, issues)
        }
        if execution.startTime == nil && execution.records.isEmpty { return (nil, issues) }
        execution.records = records
        return (execution, issues)
    }

    /// The execution id in a seed trace file name, `trace_<id>.jsonl`.
    ///
    /// - Parameter path: The file's path.
    /// - Returns: `<id>`, or nil when the name has another form.
    public static func executionID(fromFileName path: String) -> String? {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard name.hasPrefix("trace_"), name.hasSuffix(".jsonl") else { return nil }
        let id = name.dropFirst("trace_".count).dropLast(".jsonl".count)
        return id.isEmpty ? nil : String(id)
    }

    struct FieldIssue: Error {
        var reason: SkipReason
        var detail: String
    }

    static func requiredString(_ object: [String: SeedValue], _ key: String) -> Result<String, FieldIssue> {
        switch object[key] {
        case nil, .null?: .failure(FieldIssue(reason: .missingField, detail: key))
        case .string(let value)?: .success(value)
        case _?: .failure(FieldIssue(reason: .wrongType, detail: "\(key): not a string"))
        }
    }

    static func optionalString(_ object: [String: SeedValue], _ key: String) -> Result<String?, FieldIssue> {
        switch object[key] {
        case nil, .null?: .success(nil)
        case .string(let value)?: .success(value)
        case _?: .failure(FieldIssue(reason: .wrongType, detail: "\(key): not a string"))
        }
    }

    /// An `event` line: `timestamp`, `event_type` required; `phase_name`, `data`, `duration_ms` optional.
    static func event(_ object: [String: SeedValue], at location: SourceLocation) -> Result<SeedEvent, FieldIssue> {
        let timestamp: String, type: String, phase: String?
        switch requiredString(object, "timestamp") {
        case .success(let value): timestamp = value
        case .failure(let issue): return .failure(issue)
        }
        switch requiredString(object, "event_type") {
        case .success(let value): type = value
        case .failure(let issue): return .failure(issue)
        }
        switch optionalString(object, "phase_name") {
        case .success(let value): phase = value
        case .failure(let issue): return .failure(issue)
        }
        let data: [String: SeedValue]
        switch object["data"] {
        case nil, .null?: data = [:]
        case .object(let value)?: data = value
        case _?: return .failure(FieldIssue(reason: .wrongType, detail: "data: not an object"))
        }
        let duration: Double?
        switch object["duration_ms"] {
        case nil, .null?: duration = nil
        case .number(let value)?: duration = value
        case _?: return .failure(FieldIssue(reason: .wrongType, detail: "duration_ms: not a number"))
        }
        return .success(SeedEvent(
            timestamp: timestamp, eventType: type, phaseName: phase, data: data, durationMs: duration, location: location))
    }

    /// A `trace_end` line: `end_time`, `status` required; `final_result` optional.
    static func completion(_ object: [String: SeedValue], at location: SourceLocation) -> Result<SeedCompletion, FieldIssue> {
        let end: String, status: String, result: String?
        switch requiredString(object, "end_time") {
        case .success(let value): end = value
        case .failure(let issue): return .failure(issue)
        }
        switch requiredString(object, "status") {
        case .success(let value): status = value
        case .failure(let issue): return .failure(issue)
        }
        switch optionalString(object, "final_result") {
        case .success(let value): result = value
        case .failure(let issue): return .failure(issue)
        }
        return .success(SeedCompletion(endTime: end, status: status, finalResult: result, location: location))
    }
}
