/// One pass over a domain's traces that gathers everything the analyzer needs.
///
/// Linear in the number of events: per-phase totals live in arrays indexed by an interned phase id, error
/// messages are normalized once per distinct message, and each trace's phase order is packed into one
/// integer key. No `Date`, no regular expressions, no per-trace dictionaries.
struct DomainAccumulator {
    struct PhaseTotals {
        var durations: [Double] = []
        var durationSum = 0.0
        var estimateSum = 0.0
        var estimateCount = 0
        var successes = 0
        var retries = 0
    }

    struct PatternTotals {
        var pattern: String
        var example: String
        var count = 0
        var executions = 0
        var lastTrace = -1
        var phaseIDs: [Int] = []
    }

    /// One execution: its duration (`nil` while running), whether it completed, and its phase order.
    struct Run {
        var duration: Double?
        var completed: Bool
        var sequence: Int32
    }

    private struct Slot {
        var phaseID: Int
        var name: String
        var nameLength: Int
        var firstStart = Int64.max
        var lastEnd = Int64.min
        var lastSuccess = true
        var starts = 0
        var retryEvents = 0
        var order: Int
    }

    var phaseNames = NameInterner()
    var phases: [PhaseTotals] = []
    var toolNames = NameInterner()
    var toolCounts: [Int] = []
    var patterns: [PatternTotals] = []
    var sequences: [[Int]] = []
    var runs: [Run] = []
    var completedCount = 0
    var durationSum = 0.0
    var accuracySum = 0.0
    var phaseSuccessSum = 0.0

    private var estimateTexts = NameInterner()
    private var estimateValues: [Double] = []
    private var messageCache: [UInt64: Int32] = [:]
    private var cachedMessages: [String] = []
    private var cachedPatternIDs: [Int32] = []
    private var patternByHash: [UInt64: Int] = [:]
    private var scanner = PatternScanner()
    private var packedSequences: [UInt64: Int32] = [:]
    private var longSequences: [[Int]: Int32] = [:]
    private var slots: [Slot] = []
    private var lastSlot = 0
    private var lastPlan = ResolvedPlan(address: 0)

    struct ResolvedPlan {
        var address: UInt
        var phaseIDs: [Int] = []
        var estimates: [Double] = []
    }
    private var startOrder: [(start: Int64, order: Int, phaseID: Int)] = []

    var sampleSize: Int { runs.count }

    mutating func add(_ trace: ExecutionTrace) {
        let traceIndex = runs.count
        slots.removeAll(keepingCapacity: true)
        lastSlot = 0
        // Read fields in place through the buffer: copying whole events would retain and release every
        // string they hold.
        trace.events.withUnsafeBufferPointer { events in
            for i in events.indices {
                switch events[i].kind {
                case .phaseStart:
                    guard let s = slotIndex(events[i].phaseName) else { continue }
                    let t = events[i].timestamp.microsecondsSinceEpoch
                    slots[s].starts += 1
                    if t < slots[s].firstStart { slots[s].firstStart = t }
                case .phaseEnd:
                    guard let s = slotIndex(events[i].phaseName) else { continue }
                    let t = events[i].timestamp.microsecondsSinceEpoch
                    if t >= slots[s].lastEnd {
                        slots[s].lastEnd = t
                        slots[s].lastSuccess = events[i].success ?? true
                    }
                case .retry:
                    guard let s = slotIndex(events[i].phaseName) else { continue }
                    slots[s].retryEvents += 1
                case .toolCall:
                    guard let tool = events[i].tool, !tool.isEmpty else { continue }
                    let id = toolNames.id(of: tool)
                    if id == toolCounts.count { toolCounts.append(0) }
                    toolCounts[id] += 1
                case .error:
                    recordError(message: events[i].message, phase: events[i].phaseName, traceIndex: traceIndex)
                default:
                    continue
                }
            }
        }
        measurePhases(of: trace)
        let duration = trace.durationSeconds
        durationSum += duration ?? 0
        if trace.status == .completed { completedCount += 1 }
        runs.append(Run(duration: duration, completed: trace.status == .completed, sequence: sequenceOfThisTrace()))
    }

    private mutating func slotIndex(_ name: String?) -> Int? {
        guard let name else { return nil }
        return slot(for: name)
    }

    private mutating func slot(for name: String) -> Int {
        // A phase's end usually follows its start: try the last slot first, then compare lengths
        // (O(1)) before contents, since failed string comparisons are the expensive ones.
        if lastSlot < slots.count, slots[lastSlot].name == name { return lastSlot }
        let length = name.utf8.count
        for i in slots.indices where slots[i].nameLength == length && slots[i].name == name {
            lastSlot = i
            return i
        }
        let id = phaseID(name)
        slots.append(Slot(phaseID: id, name: name, nameLength: length, order: slots.count))
        lastSlot = slots.count - 1
        return lastSlot
    }

    private mutating func phaseID(_ name: String) -> Int {
        let id = phaseNames.id(of: name)
        if id == phases.count { phases.append(PhaseTotals()) }
        return id
    }

    private mutating func recordError(message raw: String?, phase: String?, traceIndex: Int) {
        let message = raw ?? "Unknown error"
        let id: Int
        // Cache per distinct raw message, keyed by a 64-bit hash of its bytes (integer keys rehash
        // cheaply as the cache grows); the stored message confirms the hit, so a collision only costs a
        // normalization.
        let rawHash = message.utf8.withContiguousStorageIfAvailable { StableHash.fnv1a($0) } ?? StableHash.fnv1a(message.utf8)
        if let slot = messageCache[rawHash], cachedMessages[Int(slot)] == message {
            id = Int(cachedPatternIDs[Int(slot)])
        } else {
            scanner.normalize(message)
            let hash = StableHash.fnv1a(scanner.output)
            if let existing = patternByHash[hash], patterns[existing].pattern.utf8.elementsEqual(scanner.output) {
                id = existing
            } else {
                id = patterns.count
                patterns.append(PatternTotals(pattern: scanner.pattern, example: message))
                if patternByHash[hash] == nil { patternByHash[hash] = id }
            }
            if messageCache[rawHash] == nil {
                messageCache[rawHash] = Int32(cachedMessages.count)
                cachedMessages.append(message)
                cachedPatternIDs.append(Int32(id))
            }
        }
        patterns[id].count += 1
        if patterns[id].lastTrace != traceIndex {
            patterns[id].lastTrace = traceIndex
            patterns[id].executions += 1
        }
        if let phase {
            let pid = phaseID(phase)
            if !patterns[id].phaseIDs.contains(pid) { patterns[id].phaseIDs.append(pid) }
        }
    }

    private mutating func measurePhases(of trace: ExecutionTrace) {
        var measured = 0, succeeded = 0
        var accuracy = 0.0
        if let planPhases = trace.plan?.phases {
            let plan = resolvePlan(planPhases)
            for j in plan.phaseIDs.indices {
                let pid = plan.phaseIDs[j]
                guard let s = slots.firstIndex(where: { $0.phaseID == pid }), isMeasurable(slots[s]) else { continue }
                let estimate = plan.estimates[j]
                record(slots[s], estimate: estimate)
                let actual = Double(slots[s].lastEnd - slots[s].firstStart) / 1_000_000
                accuracy += estimate > 0 ? actual / estimate : 1
                measured += 1
                if slots[s].lastSuccess { succeeded += 1 }
            }
        } else {
            for slot in slots where isMeasurable(slot) {
                record(slot, estimate: 0)
                accuracy += 1
                measured += 1
                if slot.lastSuccess { succeeded += 1 }
            }
        }
        accuracySum += measured > 0 ? accuracy / Double(measured) : 1
        phaseSuccessSum += measured > 0
            ? Double(succeeded) / Double(measured)
            : (trace.status == .completed ? 1 : 0)
    }

    // Updates the totals in place: copying a PhaseTotals out would copy its durations array (quadratic).
    private mutating func record(_ slot: Slot, estimate: Double) {
        let actual = Double(slot.lastEnd - slot.firstStart) / 1_000_000
        let id = slot.phaseID
        phases[id].durations.append(actual)
        phases[id].durationSum += actual
        if estimate > 0 {
            phases[id].estimateSum += estimate
            phases[id].estimateCount += 1
        }
        if slot.lastSuccess { phases[id].successes += 1 }
        phases[id].retries += Swift.max(slot.retryEvents, slot.starts - 1)
    }

    private func isMeasurable(_ slot: Slot) -> Bool {
        slot.starts > 0 && slot.lastEnd != Int64.min && slot.lastEnd >= slot.firstStart
    }

    /// Phase ids and parsed estimates of a trace's plan. Traces of one plan share the phases array's
    /// storage, so the last resolution is reused when the storage is the same (all traces stay alive
    /// during one analysis, so an address cannot be reused by another plan meanwhile).
    private mutating func resolvePlan(_ phases: [PlanPhase]) -> ResolvedPlan {
        let address = phases.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
        if address != 0, address == lastPlan.address { return lastPlan }
        var resolved = ResolvedPlan(address: address)
        for phase in phases {
            resolved.phaseIDs.append(phaseID(phase.name))
            resolved.estimates.append(estimateSeconds(phase.estimatedDuration))
        }
        lastPlan = resolved
        return resolved
    }

    private mutating func estimateSeconds(_ text: String) -> Double {
        let id = estimateTexts.id(of: text)
        if id == estimateValues.count {
            estimateValues.append(DurationParser.seconds(in: text) ?? MetricsCollector.defaultEstimateSeconds)
        }
        return estimateValues[id]
    }

    /// Interns the order in which this trace's phases first started; `-1` when none started.
    private mutating func sequenceOfThisTrace() -> Int32 {
        startOrder.removeAll(keepingCapacity: true)
        for slot in slots where slot.starts > 0 {
            startOrder.append((slot.firstStart, slot.order, slot.phaseID))
        }
        guard !startOrder.isEmpty else { return -1 }
        // insertion sort: a handful of phases, usually already in order
        for i in 1..<startOrder.count {
            let item = startOrder[i]
            var j = i - 1
            while j >= 0, (startOrder[j].start, startOrder[j].order) > (item.start, item.order) {
                startOrder[j + 1] = startOrder[j]
                j -= 1
            }
            startOrder[j + 1] = item
        }
        if startOrder.count <= 8, startOrder.allSatisfy({ $0.phaseID < 255 }) {
            var key: UInt64 = 0
            for entry in startOrder { key = key << 8 | UInt64(entry.phaseID + 1) }
            if let id = packedSequences[key] { return id }
            let id = Int32(sequences.count)
            sequences.append(startOrder.map(\.phaseID))
            packedSequences[key] = id
            return id
        }
        let ids = startOrder.map(\.phaseID)
        if let id = longSequences[ids] { return id }
        let id = Int32(sequences.count)
        sequences.append(ids)
        longSequences[ids] = id
        return id
    }
}
