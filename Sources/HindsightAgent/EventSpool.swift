import Dispatch
import HindsightCore
import Logging
import Synchronization

extension EventPublisher {
    /// What the spool holds: a snapshot returned by ``EventPublisher/spoolStatus()``.
    public struct SpoolStatus: Sendable, Equatable {
        /// Messages waiting to be replayed (the spool file plus the part being replayed).
        public var messages: Int
        /// Their size on disk, in bytes.
        public var bytes: Int
        /// Entries kept aside in `<path>.rejected` because they could not be read back (a corrupt
        /// or truncated line), including those from earlier runs.
        public var rejectedEntries: Int

        /// Creates a status.
        ///
        /// - Parameters:
        ///   - messages: Messages waiting.
        ///   - bytes: Their size in bytes.
        ///   - rejectedEntries: Entries kept aside.
        public init(messages: Int, bytes: Int, rejectedEntries: Int) {
            self.messages = messages
            self.bytes = bytes
            self.rejectedEntries = rejectedEntries
        }
    }
}

/// One spooled message read back: its body and the first event (for the routing key).
struct SpoolEntry: Sendable {
    var body: [UInt8]
    var first: WireEvent
}

/// The JSONL spool: message bodies waiting for the broker.
///
/// Every file operation runs on one serial dispatch queue, so blocking I/O never occupies the
/// cooperative thread pool and operations apply in the order they were asked for (an append that
/// returned is always seen by the next ``takeSegment()``). The counters are mirrored under a lock so
/// the publisher can read them without I/O.
final class EventSpool: Sendable {
    let configuration: EventPublisher.SpoolConfiguration
    private let logger: Logger
    private let queue = DispatchQueue(label: "hindsight.agent.spool")
    private let counters = Mutex(Counters())

    private struct Counters {
        var loaded = false
        var messages = 0
        var bytes = 0
        var rejected = 0
    }

    init(configuration: EventPublisher.SpoolConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Messages waiting, or nil before the spool was first read.
    var pendingMessages: Int? {
        counters.withLock { $0.loaded ? $0.messages : nil }
    }

    /// Reads the existing files once (counts what an earlier run left behind).
    func status() async throws(EventPublisherError) -> EventPublisher.SpoolStatus {
        try await run { () throws(EventPublisherError) -> EventPublisher.SpoolStatus in
            try self.loadIfNeeded()
            return self.counters.withLock {
                EventPublisher.SpoolStatus(messages: $0.messages, bytes: $0.bytes, rejectedEntries: $0.rejected)
            }
        }
    }

    /// Appends message bodies, one line each, and flushes them to disk.
    ///
    /// - Throws: ``EventPublisherError/Code/spoolFull`` past a limit (nothing written),
    ///   ``EventPublisherError/Code/spoolFailure`` when the write fails (nothing kept).
    func append(_ bodies: [[UInt8]]) async throws(EventPublisherError) {
        try await run { () throws(EventPublisherError) -> Void in
            try self.loadIfNeeded()
            var data: [UInt8] = []
            data.reserveCapacity(bodies.reduce(0) { $0 + $1.count + 1 })
            for body in bodies {
                data.append(contentsOf: body)
                data.append(0x0A)
            }
            let (messages, bytes) = self.counters.withLock { ($0.messages, $0.bytes) }
            // One byte more than the lines: a torn last line gets a newline first.
            guard messages + bodies.count <= self.configuration.maxMessages,
                bytes + data.count + 1 <= self.configuration.maxBytes
            else {
                throw EventPublisherError(
                    .spoolFull,
                    "the spool holds \(messages) messages, \(bytes) bytes; \(bodies.count) more messages "
                        + "(\(data.count) bytes) would pass its limits (\(self.configuration.maxMessages) messages, "
                        + "\(self.configuration.maxBytes) bytes)")
            }
            let grown = try SpoolFile.append(data, to: self.configuration.path)
            self.counters.withLock {
                $0.messages += bodies.count
                $0.bytes += grown
            }
        }
    }

    /// Takes the oldest spooled messages for replay: the part left from an interrupted replay, or
    /// else the whole spool file (renamed, so appends meanwhile start a new file). Unreadable lines
    /// are moved to the rejected file and reported.
    ///
    /// - Returns: The entries in spool order, or nil when nothing is spooled.
    func takeSegment() async throws(EventPublisherError) -> [SpoolEntry]? {
        try await run { () throws(EventPublisherError) -> [SpoolEntry]? in
            try self.loadIfNeeded()
            let path = self.configuration.path
            let replaying = self.configuration.replayingPath
            while true {
                if !SpoolFile.exists(replaying) {
                    guard try SpoolFile.size(path) > 0 else { return nil }
                    try SpoolFile.move(path, to: replaying)
                }
                let entries = try self.readSegment(replaying)
                if !entries.isEmpty { return entries }
                try SpoolFile.remove(replaying)
                try self.recountBytes()
            }
        }
    }

    /// Records that the first `confirmed` entries of the segment reached the broker: the segment
    /// file is removed, or rewritten with the entries still unconfirmed.
    func finishSegment(_ entries: [SpoolEntry], confirmed: Int) async throws(EventPublisherError) {
        try await run { () throws(EventPublisherError) -> Void in
            let replaying = self.configuration.replayingPath
            if confirmed >= entries.count {
                try SpoolFile.remove(replaying)
            } else if confirmed > 0 {
                try SpoolFile.replace(replaying, with: Self.lines(entries[confirmed...].map(\.body)))
            }
            self.counters.withLock { $0.messages -= min(confirmed, entries.count) }
            try self.recountBytes()
        }
    }

    // MARK: On the queue

    private func run<T: Sendable>(
        _ body: @escaping @Sendable () throws(EventPublisherError) -> T
    ) async throws(EventPublisherError) -> T {
        let result: Result<T, EventPublisherError> = await withCheckedContinuation { continuation in
            queue.async {
                continuation.resume(returning: Result { () throws(EventPublisherError) -> T in try body() })
            }
        }
        return try result.get()
    }

    private func loadIfNeeded() throws(EventPublisherError) {
        guard !counters.withLock({ $0.loaded }) else { return }
        try SpoolFile.createParent(of: configuration.path)
        var messages = 0
        for path in [configuration.path, configuration.replayingPath] {
            if let bytes = try SpoolFile.read(path) { messages += Self.lineCount(bytes) }
        }
        let rejected = try SpoolFile.read(configuration.rejectedPath).map(Self.lineCount) ?? 0
        counters.withLock {
            $0.messages = messages
            $0.rejected = rejected
            $0.loaded = true
        }
        try recountBytes()
        if messages > 0 {
            logger.info("agent.spool.found", metadata: [
                "spool.path": "\(configuration.path)", "spool.messages": "\(messages)"])
        }
    }

    private func recountBytes() throws(EventPublisherError) {
        let bytes = try SpoolFile.size(configuration.path) + SpoolFile.size(configuration.replayingPath)
        counters.withLock { $0.bytes = bytes }
    }

    /// Reads a segment; lines that do not decode as wire-format messages are appended to the
    /// rejected file (then removed from the segment), counted and logged. Never dropped silently.
    private func readSegment(_ path: String) throws(EventPublisherError) -> [SpoolEntry] {
        let bytes = try SpoolFile.read(path) ?? []
        var entries: [SpoolEntry] = []
        var rejected: [(line: ArraySlice<UInt8>, reason: WireError.Reason)] = []
        for line in bytes.split(separator: 0x0A, omittingEmptySubsequences: true) {
            do throws(WireError) {
                // The tracker's own decoder: a line that passes is a message the tracker accepts.
                let events = try WireFormat.decode(line)
                if let first = events.first { entries.append(SpoolEntry(body: Array(line), first: first)) }
            } catch {
                rejected.append((line, error.reason))
            }
        }
        guard !rejected.isEmpty else { return entries }
        var aside: [UInt8] = []
        for item in rejected {
            aside.append(contentsOf: item.line)
            aside.append(0x0A)
        }
        // Kept aside first, then removed from the segment: a crash in between repeats the entries
        // in the rejected file rather than losing them.
        try SpoolFile.append(aside, to: configuration.rejectedPath)
        try SpoolFile.replace(path, with: Self.lines(entries.map(\.body)))
        let total = counters.withLock {
            $0.messages -= rejected.count
            $0.rejected += rejected.count
            return $0.rejected
        }
        try recountBytes()
        var reasons: [String: Int] = [:]
        for item in rejected { reasons[item.reason.rawValue, default: 0] += 1 }
        logger.warning("agent.spool.rejected", metadata: [
            "spool.path": "\(configuration.path)",
            "spool.rejected.path": "\(configuration.rejectedPath)",
            "spool.rejected.count": "\(rejected.count)",
            "spool.rejected.total": "\(total)",
            "error.reason": "\(reasons.keys.sorted().map { "\($0)=\(reasons[$0] ?? 0)" }.joined(separator: ","))",
        ])
        return entries
    }

    private static func lines(_ bodies: [[UInt8]]) -> [UInt8] {
        var data: [UInt8] = []
        for body in bodies {
            data.append(contentsOf: body)
            data.append(0x0A)
        }
        return data
    }

    /// Non-empty lines, counting a last line without its newline.
    private static func lineCount(_ bytes: [UInt8]) -> Int {
        bytes.split(separator: 0x0A, omittingEmptySubsequences: true).count
    }
}
