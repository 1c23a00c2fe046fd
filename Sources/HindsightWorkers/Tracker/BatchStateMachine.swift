import AMQP
import HindsightCore
import HindsightStore

/// Every decision about one batch — write, retry, isolate refused messages, dead-letter, acknowledge,
/// give up or exit — as a pure value: each `mutating` method takes what just happened and returns the
/// next ``Action``; ``TrackerService`` only performs the actions and reports their outcome.
///
/// The life of a batch: write its events in one transaction (retried with back-off while the failure is
/// transient or permanent, immediately after a timeout, up to ``Configuration/maxStalledWrites``); when
/// the database refuses the data, write each message alone to find the refused ones; publish the batch's
/// dead letters together (retried with back-off) — before waiting for its turn, so the publishes of the
/// batches in flight overlap (a flood of bad messages is bound by the broker's confirm latency otherwise);
/// then wait until the batch before it was acknowledged (a `multiple` ack covers every earlier delivery);
/// acknowledge the last delivery with `multiple`. During shutdown a failure ends the batch
/// unacknowledged (the broker redelivers it; a dead letter already confirmed may then be published a
/// second time — dead letters are at least once, like every delivery).
///
/// No I/O, no clock, no tasks: the same pattern as PostgresNIO's `ConnectionStateMachine`.
struct BatchStateMachine {
    /// The retry settings (a subset of ``TrackerService/Configuration``).
    struct Configuration: Sendable, Equatable {
        var initialBackoff: Duration
        var maxBackoff: Duration
        var writeTimeout: Duration
        var maxStalledWrites: Int

        init(initialBackoff: Duration, maxBackoff: Duration, writeTimeout: Duration, maxStalledWrites: Int) {
            self.initialBackoff = initialBackoff
            self.maxBackoff = max(initialBackoff, maxBackoff)
            self.writeTimeout = writeTimeout
            self.maxStalledWrites = max(1, maxStalledWrites)
        }

        init(_ tracker: TrackerService.Configuration) {
            self.init(initialBackoff: tracker.initialBackoff, maxBackoff: tracker.maxBackoff,
                      writeTimeout: tracker.writeTimeout, maxStalledWrites: tracker.maxStalledWrites)
        }
    }

    /// What the service does next.
    enum Action {
        /// Write these events in one transaction (under the write deadline), then report
        /// ``writeSucceeded()``, ``writeFailed(_:shuttingDown:)`` or ``writeTimedOut(shuttingDown:)``.
        case write([WireEvent])
        /// Write the events of one accepted message alone (isolating refused data), then report as
        /// for ``write(_:)``.
        case writeAlone(message: Int, [WireEvent])
        /// Sleep, then report ``retryDue()``. `failure` says why, for the log.
        case retry(after: Duration, failure: Failure)
        /// Wait until the previous batch passed its turn, then report ``predecessorFinished(acknowledged:)``.
        case waitForPredecessor
        /// Publish these dead letters together with one confirm wait, then report
        /// ``deadLettersPublished()`` or ``deadLettersFailed(_:shuttingDown:)``.
        case deadLetter([EventBatch.Rejected])
        /// Acknowledge (`multiple` covers the whole batch), then report ``acknowledged()``.
        case ack(DeliveryTag, multiple: Bool)
        /// The batch is done: pass the turn on with `acknowledged` (false: no later batch may ack).
        case finish(acknowledged: Bool)
        /// Pass the turn on unacknowledged and stop the tracker with this error.
        case exit(TrackerError)
    }

    /// Why an operation is retried.
    enum Failure: Equatable, CustomStringConvertible {
        /// The database failed the write (transient or permanent class).
        case database(StoreError.Failure)
        /// The write got no answer within the write timeout.
        case timedOut(Duration)
        /// The dead letters could not be published (or not all were confirmed).
        case deadLetterPublish(String)

        var description: String {
            switch self {
            case .database(let failure): "\(failure)"
            case .timedOut(let limit): "no answer within \(limit)"
            case .deadLetterPublish(let reason): reason
            }
        }
    }

    private enum State {
        /// Writing the whole batch.
        case writing
        /// Writing message `next` alone; `refused` so far; `sqlState` of the refusal that started it.
        case isolating(next: Int, refused: Set<Int>, sqlState: String)
        /// Sleeping before repeating `then`.
        case backingOff(then: Step)
        case waitingForTurn
        case deadLettering
        case acknowledging
        case finished
    }

    /// What a back-off repeats.
    private enum Step {
        case write
        case isolate(next: Int, refused: Set<Int>, sqlState: String)
        case deadLetter
    }

    private(set) var batch: EventBatch
    private let configuration: Configuration
    private var state: State = .finished
    private var backoff: Duration
    /// Timed-out writes in a row.
    private(set) var stalledWrites = 0

    /// - Parameters:
    ///   - batch: The decoded deliveries of the batch (their refused messages already set aside).
    ///   - configuration: The retry settings.
    init(batch: EventBatch, configuration: Configuration) {
        self.batch = batch
        self.configuration = configuration
        self.backoff = configuration.initialBackoff
    }

    /// The deliveries were decoded and assembled: the first action.
    mutating func start() -> Action {
        guard !batch.events.isEmpty else {
            // Nothing to store (every message refused by decoding): straight to the dead letters.
            return stored()
        }
        state = .writing
        return .write(batch.events)
    }

    /// The write (of the batch, or of one message alone while isolating) committed.
    mutating func writeSucceeded() -> Action {
        stalledWrites = 0
        backoff = configuration.initialBackoff
        switch state {
        case .writing:
            return stored()
        case .isolating(let next, let refused, let sqlState):
            return isolate(from: next + 1, refused: refused, sqlState: sqlState)
        default:
            preconditionFailure("writeSucceeded in \(state)")
        }
    }

    /// The write failed with a classified database error.
    ///
    /// Refused data starts (or, while isolating, records) the isolation; any other failure is retried
    /// after the back-off, unless the tracker is shutting down.
    mutating func writeFailed(_ failure: StoreError.Failure, shuttingDown: Bool) -> Action {
        switch (state, failure.failureClass) {
        case (.writing, .rejectedData):
            return isolate(from: 0, refused: [], sqlState: failure.sqlState ?? "?")
        case (.isolating(let next, var refused, let sqlState), .rejectedData):
            refused.insert(next)
            return isolate(from: next + 1, refused: refused, sqlState: sqlState)
        case (.writing, _):
            return backOff(repeating: .write, failure: .database(failure), shuttingDown: shuttingDown)
        case (.isolating(let next, let refused, let sqlState), _):
            return backOff(repeating: .isolate(next: next, refused: refused, sqlState: sqlState),
                           failure: .database(failure), shuttingDown: shuttingDown)
        default:
            preconditionFailure("writeFailed in \(state)")
        }
    }

    /// The write got no answer within the write timeout: retried at once (the insert is idempotent);
    /// after ``Configuration/maxStalledWrites`` in a row the database client is presumed wedged and
    /// the tracker exits so its supervisor restarts it.
    mutating func writeTimedOut(shuttingDown: Bool) -> Action {
        stalledWrites += 1
        if shuttingDown { return finish(acknowledged: false) }
        if stalledWrites >= configuration.maxStalledWrites {
            state = .finished
            return .exit(.databaseStalled(writes: stalledWrites, timeout: configuration.writeTimeout))
        }
        switch state {
        case .writing:
            return .write(batch.events)
        case .isolating(let next, _, _):
            return .writeAlone(message: next, Array(batch.events(ofAccepted: next)))
        default:
            preconditionFailure("writeTimedOut in \(state)")
        }
    }

    /// The back-off ended: repeat what failed.
    mutating func retryDue() -> Action {
        guard case .backingOff(let step) = state else { preconditionFailure("retryDue in \(state)") }
        switch step {
        case .write:
            state = .writing
            return .write(batch.events)
        case .isolate(let next, let refused, let sqlState):
            return isolate(from: next, refused: refused, sqlState: sqlState)
        case .deadLetter:
            state = .deadLettering
            return .deadLetter(batch.rejected)
        }
    }

    /// The batch before this one passed its turn: acknowledged, or not (then this one must not ack).
    mutating func predecessorFinished(acknowledged: Bool) -> Action {
        guard case .waitingForTurn = state else { preconditionFailure("predecessorFinished in \(state)") }
        guard acknowledged else { return finish(acknowledged: false) }
        return acknowledge()
    }

    /// Every dead letter of the batch was confirmed by the broker.
    mutating func deadLettersPublished() -> Action {
        guard case .deadLettering = state else { preconditionFailure("deadLettersPublished in \(state)") }
        backoff = configuration.initialBackoff
        state = .waitingForTurn
        return .waitForPredecessor
    }

    /// Publishing the dead letters failed (connection lost, nacked): retried after the back-off —
    /// never a reason to exit. During shutdown the batch ends unacknowledged instead.
    mutating func deadLettersFailed(_ reason: String, shuttingDown: Bool) -> Action {
        guard case .deadLettering = state else { preconditionFailure("deadLettersFailed in \(state)") }
        return backOff(repeating: .deadLetter, failure: .deadLetterPublish(reason), shuttingDown: shuttingDown)
    }

    /// The acknowledgement was sent.
    mutating func acknowledged() -> Action {
        guard case .acknowledging = state else { preconditionFailure("acknowledged in \(state)") }
        return finish(acknowledged: true)
    }

    // MARK: Helpers

    private mutating func isolate(from next: Int, refused: Set<Int>, sqlState: String) -> Action {
        guard next < batch.accepted.count else {
            // Every message was written alone: the accepted ones are stored, the refused become dead letters.
            batch.reject(acceptedAt: refused, reason: WireContract.DeadLetterReason.storageRejected.rawValue, detail: "SQLSTATE \(sqlState)")
            return stored()
        }
        state = .isolating(next: next, refused: refused, sqlState: sqlState)
        return .writeAlone(message: next, Array(batch.events(ofAccepted: next)))
    }

    /// The batch's events are stored: its dead letters next, if any, else its turn.
    private mutating func stored() -> Action {
        if batch.rejected.isEmpty {
            state = .waitingForTurn
            return .waitForPredecessor
        }
        state = .deadLettering
        return .deadLetter(batch.rejected)
    }

    private mutating func backOff(repeating step: Step, failure: Failure, shuttingDown: Bool) -> Action {
        if shuttingDown { return finish(acknowledged: false) }
        let delay = backoff
        backoff = min(backoff * 2, configuration.maxBackoff)
        state = .backingOff(then: step)
        return .retry(after: delay, failure: failure)
    }

    private mutating func acknowledge() -> Action {
        guard let last = batch.lastDelivery else { return finish(acknowledged: true) }
        state = .acknowledging
        return .ack(last.deliveryTag, multiple: true)
    }

    private mutating func finish(acknowledged: Bool) -> Action {
        state = .finished
        return .finish(acknowledged: acknowledged)
    }
}
