public import AMQP
public import HindsightCore

/// An error thrown by ``EventPublisher`` and its configuration.
///
/// Branch on ``code``; ``description`` is one line that is safe to log (it never contains event
/// payloads or passwords), ``debugDescription`` adds the underlying error.
///
/// ```swift
/// do {
///     try await publisher.publish(recorder.events)
/// } catch let error as EventPublisherError where error.code == .invalidEvent {
///     // A bug in the agent: fix the event. Nothing of this call was published or spooled.
///     logger.error("event rejected", metadata: ["error.reason": "\(error.wireError?.reason.rawValue ?? "")"])
/// } catch let error as EventPublisherError where error.code == .spoolFull {
///     // The broker is away and the spool is at its limit: keep the events or drop them knowingly.
/// }
/// ```
public struct EventPublisherError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The kind of failure: an extensible set of codes (new ones may be added; switch with a
    /// `default` case).
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Sendable {
            case invalidConfiguration, invalidEvent, brokerUnavailable, brokerRefused, spoolFull, spoolFailure
            case closed
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A configuration value is out of its documented range (thrown by the configuration
        /// initialisers).
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// An event breaks a wire-format v1 rule; ``EventPublisherError/eventIndex`` and
        /// ``EventPublisherError/wireError`` say which and why. Nothing of the call was published
        /// or spooled.
        public static let invalidEvent = Code(.invalidEvent)
        /// The broker could not be reached or did not confirm in time, and no spool is configured.
        /// The messages may or may not have arrived: publish them again (storage deduplicates by
        /// `event_id`).
        public static let brokerUnavailable = Code(.brokerUnavailable)
        /// The broker refused the connection or the publish for a reason retrying cannot fix
        /// (wrong credentials, missing permission, unknown exchange). Not spooled.
        public static let brokerRefused = Code(.brokerRefused)
        /// The broker is unavailable and the spool has no room for the call's messages
        /// (``EventPublisher/SpoolConfiguration/maxBytes`` or
        /// ``EventPublisher/SpoolConfiguration/maxMessages``). Nothing of the call was written.
        public static let spoolFull = Code(.spoolFull)
        /// Reading or writing the spool failed (permissions, disk full, …). Nothing of the call
        /// was written when thrown by a publish.
        public static let spoolFailure = Code(.spoolFailure)
        /// The publisher was closed with ``EventPublisher/close()``.
        public static let closed = Code(.closed)

        /// The code's name, e.g. `"invalidEvent"`.
        public var description: String { base.rawValue }
    }

    /// The kind of failure.
    public var code: Code
    /// One line: what is wrong and what to do. Never contains payloads or secrets.
    public var message: String
    /// For ``Code/invalidEvent``: the index, in the array given to the call, of the first event
    /// found invalid.
    public var eventIndex: Int?
    /// For ``Code/invalidEvent``: the wire-format rule that failed (its ``WireError/reason`` is the
    /// code the tracker would have dead-lettered the message with).
    public var wireError: WireError?
    /// The broker's error, for ``Code/brokerUnavailable`` and ``Code/brokerRefused``.
    public var amqpError: AMQPError?

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - code: The kind of failure.
    ///   - message: One line, without payloads or secrets.
    ///   - eventIndex: The offending event's index, for ``Code/invalidEvent``. Defaults to `nil`.
    ///   - wireError: The failed wire rule, for ``Code/invalidEvent``. Defaults to `nil`.
    ///   - amqpError: The broker's error. Defaults to `nil`.
    public init(
        _ code: Code, _ message: String, eventIndex: Int? = nil, wireError: WireError? = nil,
        amqpError: AMQPError? = nil
    ) {
        self.code = code
        self.message = message
        self.eventIndex = eventIndex
        self.wireError = wireError
        self.amqpError = amqpError
    }

    /// `"<code>: <message>"`.
    public var description: String { "\(code): \(message)" }

    /// The description followed by the wire rule and the broker's error, when present.
    public var debugDescription: String {
        var text = description
        if let eventIndex { text += " [event \(eventIndex)]" }
        if let wireError { text += " [wire: \(wireError)]" }
        if let amqpError { text += " [amqp \(amqpError.code): \(amqpError.message)]" }
        return text
    }
}
