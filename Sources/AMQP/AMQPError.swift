/// An error raised by the AMQP client.
///
/// The ``description`` is one line that says what is wrong and how to fix it; it never contains
/// passwords or message payloads, so it is safe to log and to print as a command's final error.
/// Branch on ``code`` rather than on the text.
public struct AMQPError: Error, CustomStringConvertible, Sendable {
    /// The kind of failure. An extensible set of codes (new ones may be added).
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Sendable {
            case invalidConfiguration, connectionRefused, authenticationFailed, accessRefused, notFound
            case preconditionFailed, resourceLocked, timeout, connectionClosed, channelClosed, protocolError
            case publishNacked, consumerCancelled, tlsFailed
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The configuration or URL is malformed.
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// The TCP connection could not be opened (broker down, wrong host or port, DNS failure).
        public static let connectionRefused = Code(.connectionRefused)
        /// The broker refused the user name or password.
        public static let authenticationFailed = Code(.authenticationFailed)
        /// The user may not use the virtual host or resource (AMQP 403 / 530).
        public static let accessRefused = Code(.accessRefused)
        /// The exchange or queue does not exist (AMQP 404).
        public static let notFound = Code(.notFound)
        /// A declaration conflicts with the existing entity, or an invalid ack (AMQP 406).
        public static let preconditionFailed = Code(.preconditionFailed)
        /// An exclusive queue is held by another connection (AMQP 405).
        public static let resourceLocked = Code(.resourceLocked)
        /// An operation did not complete in time (connect, handshake, RPC call).
        public static let timeout = Code(.timeout)
        /// The connection was lost or closed; operations in flight have an unknown outcome.
        public static let connectionClosed = Code(.connectionClosed)
        /// The broker closed a channel for a reason not covered by a more specific code.
        public static let channelClosed = Code(.channelClosed)
        /// The broker or the library reported a protocol violation.
        public static let protocolError = Code(.protocolError)
        /// The broker answered a published message with basic.nack.
        public static let publishNacked = Code(.publishNacked)
        /// The broker cancelled a consumer (for example because its queue was deleted).
        public static let consumerCancelled = Code(.consumerCancelled)
        /// The TLS handshake or certificate verification failed.
        public static let tlsFailed = Code(.tlsFailed)

        public var description: String { base.rawValue }
    }

    /// The kind of failure.
    public var code: Code
    /// One line: what is wrong and how to fix it. Never contains secrets.
    public var message: String
    /// The AMQP reply code sent by the broker (e.g. `404`), when the broker reported the error.
    public var replyCode: UInt16?

    /// Creates an error.
    public init(_ code: Code, _ message: String, replyCode: UInt16? = nil) {
        self.code = code
        self.message = message
        self.replyCode = replyCode
    }

    public var description: String { message }
}

extension AMQPError {
    /// Maps a broker reply code (from channel.close / connection.close) to an error.
    static func fromReply(code: UInt16, text: String, context: String) -> AMQPError {
        let mapped: Code
        let hint: String
        switch code {
        case 403: (mapped, hint) = (.accessRefused, "check the user's permissions on the virtual host")
        case 404: (mapped, hint) = (.notFound, "declare it first or check the name")
        case 405: (mapped, hint) = (.resourceLocked, "another connection holds this exclusive queue")
        case 406: (mapped, hint) = (.preconditionFailed, "the arguments differ from the existing declaration, or a delivery tag was acked twice")
        case 530: (mapped, hint) = (.accessRefused, "check that the virtual host exists and the user may use it")
        case 320: (mapped, hint) = (.connectionClosed, "the broker or an operator closed the connection; it reconnects automatically")
        case 501...505, 540: (mapped, hint) = (.protocolError, "this is a client bug; please report it")
        default: (mapped, hint) = (.channelClosed, "see the broker log")
        }
        return AMQPError(mapped, "\(context) failed: broker replied \(code) \(text) — \(hint)", replyCode: code)
    }
}
