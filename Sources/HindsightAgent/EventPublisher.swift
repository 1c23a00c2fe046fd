public import AMQP
import Foundation
public import HindsightCore
public import Logging
import Synchronization

/// Publishes an agent's events to the `hindsight.events` exchange with publisher confirms.
///
/// Events of one call go out as single-event messages or as batch messages of at most
/// ``Configuration/eventsPerMessage`` events (`{"schema":1,"events":[…]}`), routed by
/// `<domain>.<event_type>` (of the first event, for a batch). When the broker is unreachable the
/// messages are appended to a local JSONL spool (one message body per line) and republished by
/// ``flushSpool()``: delivery stays at least once, and storage deduplicates by `event_id`.
public final class EventPublisher: Sendable {
    public struct Configuration: Sendable {
        /// Events per message: `1` publishes single-event messages. Defaults to `100`.
        public var eventsPerMessage: Int = 100
        /// The exchange. Defaults to `"hindsight.events"`.
        public var exchange: String = "hindsight.events"
        /// Where undeliverable messages are kept; `nil` disables spooling (errors are thrown).
        /// Defaults to `nil`.
        public var spoolPath: String?

        public init(eventsPerMessage: Int = 100, exchange: String = "hindsight.events", spoolPath: String? = nil) {
            self.eventsPerMessage = max(1, min(eventsPerMessage, 1000))
            self.exchange = exchange
            self.spoolPath = spoolPath
        }
    }

    private let connection: AMQPConnection
    private let configuration: Configuration
    private let logger: Logger
    // Serialises the spool file's appends and hand-overs between concurrent publishes.
    private let spoolLock = Mutex(())

    public init(connection: AMQPConnection, configuration: Configuration = .init(), logger: Logger) {
        self.connection = connection
        self.configuration = configuration
        self.logger = logger
    }

    /// The messages `events` are published as (exposed for benchmarks that pre-build them).
    public func messages(for events: [WireEvent]) -> [AMQPMessage] {
        var messages: [AMQPMessage] = []
        messages.reserveCapacity(events.count / configuration.eventsPerMessage + 1)
        var start = 0
        while start < events.count {
            let end = min(start + configuration.eventsPerMessage, events.count)
            let chunk = Array(events[start..<end])
            let body = chunk.count == 1 && configuration.eventsPerMessage == 1
                ? WireFormat.encode(chunk[0]) : WireFormat.encodeBatch(chunk)
            messages.append(Self.message(body: body, first: chunk[0], exchange: configuration.exchange))
            start = end
        }
        return messages
    }

    static func message(body: [UInt8], first: WireEvent, exchange: String) -> AMQPMessage {
        var properties = AMQPProperties()
        properties.contentType = "application/json"
        properties.deliveryMode = .persistent
        properties.headers = ["hindsight-schema": .int(1)]
        properties.messageID = first.eventID.uuidString.lowercased()
        return AMQPMessage(
            exchange: exchange, routingKey: "\(first.domain).\(first.type.rawValue)", body: body, properties: properties)
    }

    /// Publishes the events and returns once the broker confirmed every message (or they were spooled).
    public func publish(_ events: [WireEvent]) async throws {
        guard !events.isEmpty else { return }
        let batch = messages(for: events)
        do {
            try await connection.publishBatch(batch)
        } catch let error as AMQPError {
            guard let spoolPath = configuration.spoolPath else { throw error }
            logger.warning("broker unavailable, spooling events", metadata: [
                "error": "\(error)", "spool.path": "\(spoolPath)", "batch.size": "\(batch.count)"])
            try spoolLock.withLock { _ in try EventSpool(path: spoolPath).append(batch.map(\.body)) }
        }
    }

    /// Republishes what the spool holds; the spool is emptied only after every message is confirmed.
    /// - Returns: The number of messages republished.
    @discardableResult
    public func flushSpool() async throws -> Int {
        guard let spoolPath = configuration.spoolPath else { return 0 }
        // Take the spool over atomically (rename), so events spooled meanwhile go to a new file.
        let taken = EventSpool(path: spoolPath + ".flushing")
        try spoolLock.withLock { _ in
            if !FileManager.default.fileExists(atPath: taken.path), FileManager.default.fileExists(atPath: spoolPath) {
                try FileManager.default.moveItem(atPath: spoolPath, toPath: taken.path)
            }
        }
        let bodies = try taken.read()
        guard !bodies.isEmpty else { return 0 }
        var messages: [AMQPMessage] = []
        for body in bodies {
            // A spooled body decoded with generous limits only to find its routing key.
            guard let first = try? WireFormat.decode(body, now: .max / 2).first else { continue }
            messages.append(Self.message(body: body, first: first, exchange: configuration.exchange))
        }
        // On failure the taken file stays and the next flush retries it.
        try await connection.publishBatch(messages)
        try FileManager.default.removeItem(atPath: taken.path)
        return messages.count
    }
}

/// A JSONL file of message bodies waiting for the broker.
struct EventSpool {
    var path: String

    func append(_ bodies: [[UInt8]]) throws {
        var data = Data()
        for body in bodies {
            data.append(contentsOf: body)
            data.append(0x0A)
        }
        if !FileManager.default.fileExists(atPath: path) {
            FileManager.default.createFile(atPath: path, contents: nil)
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: data)
        try handle.synchronize()
    }

    func read() throws -> [[UInt8]] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        return data.split(separator: 0x0A).map { Array($0) }
    }
}
