/// First start, last end and final outcome of each phase of one trace, gathered in one pass.
struct PhaseSpans {
    struct Span {
        var firstStart: Timestamp?
        var lastEnd: Timestamp?
        var lastSuccess = true
        var lastError: String?
        var starts = 0
        var retryEvents = 0
        var order = 0
        var retries: Int { Swift.max(retryEvents, starts - 1) }
    }

    private var spans: [String: Span] = [:]

    subscript(name: String) -> Span? { spans[name] }

    mutating func add(_ event: ExecutionEvent) {
        guard let name = event.phaseName else { return }
        switch event.kind {
        case .phaseStart:
            let order = spans.count
            spans[name, default: Span(order: order)].recordStart(event.timestamp)
        case .phaseEnd:
            let order = spans.count
            spans[name, default: Span(order: order)].recordEnd(event)
        case .retry:
            let order = spans.count
            spans[name, default: Span(order: order)].retryEvents += 1
        default:
            break
        }
    }

    func namesInStartOrder() -> [String] {
        spans.filter { $0.value.firstStart != nil }
            .sorted { ($0.value.firstStart!, $0.value.order) < ($1.value.firstStart!, $1.value.order) }
            .map(\.key)
    }
}

extension PhaseSpans.Span {
    mutating func recordStart(_ time: Timestamp) {
        starts += 1
        if firstStart == nil || time < firstStart! { firstStart = time }
    }

    mutating func recordEnd(_ event: ExecutionEvent) {
        guard lastEnd == nil || event.timestamp >= lastEnd! else { return }
        lastEnd = event.timestamp
        lastSuccess = event.success ?? true
        lastError = event.message
    }
}
