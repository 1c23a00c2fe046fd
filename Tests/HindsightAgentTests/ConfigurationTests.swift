import HindsightAgent
import Testing

@Suite("EventPublisher configuration")
struct ConfigurationTests {
    @Test("the defaults are the documented values")
    func defaults() throws {
        let configuration = try EventPublisher.Configuration()
        #expect(configuration.eventsPerMessage == 100)
        #expect(configuration.exchange == "hindsight.events")
        #expect(configuration.confirmTimeout == .seconds(10))
        #expect(configuration.reconnectDelay == .seconds(1))
        #expect(configuration.maxReconnectDelay == .seconds(30))
        #expect(configuration.spool == nil)
        let standard = EventPublisher.Configuration.default
        #expect(standard.eventsPerMessage == configuration.eventsPerMessage)
        #expect(standard.confirmTimeout == configuration.confirmTimeout)

        let spool = try EventPublisher.SpoolConfiguration(path: "spool/events")
        #expect(spool.maxBytes == 64 << 20)
        #expect(spool.maxMessages == 100_000)
        #expect(spool.replayBatchSize == 500)
    }

    @Test("range boundaries are accepted")
    func boundaries() throws {
        _ = try EventPublisher.Configuration(eventsPerMessage: 1)
        _ = try EventPublisher.Configuration(eventsPerMessage: 1000)
        _ = try EventPublisher.Configuration(exchange: String(repeating: "x", count: 255))
        _ = try EventPublisher.Configuration(confirmTimeout: .milliseconds(100))
        _ = try EventPublisher.Configuration(confirmTimeout: .seconds(600))
        _ = try EventPublisher.Configuration(reconnectDelay: .milliseconds(10), maxReconnectDelay: .milliseconds(10))
        _ = try EventPublisher.SpoolConfiguration(path: "s", maxBytes: 1, maxMessages: 1, replayBatchSize: 1)
        _ = try EventPublisher.SpoolConfiguration(
            path: "s", maxBytes: 1 << 40, maxMessages: 10_000_000, replayBatchSize: 10_000)
    }

    /// One out-of-range value per case. (An `arguments:` array of closures made the type checker run for
    /// over twenty minutes; named cases compile at once.)
    enum OutOfRange: CaseIterable, Sendable {
        case eventsPerMessageZero, eventsPerMessageTooMany, exchangeEmpty, exchangeTooLong
        case confirmTimeoutTooShort, confirmTimeoutTooLong, reconnectDelayTooShort
        case reconnectDelayAboveMaximum, maxReconnectDelayTooLong
        case spoolPathEmpty, spoolPathFolder, spoolMaxBytesZero, spoolMaxBytesTooMany
        case spoolMaxMessagesZero, spoolMaxMessagesTooMany, spoolReplayBatchZero, spoolReplayBatchTooMany

        func make() throws {
            switch self {
            case .eventsPerMessageZero: _ = try EventPublisher.Configuration(eventsPerMessage: 0)
            case .eventsPerMessageTooMany: _ = try EventPublisher.Configuration(eventsPerMessage: 1001)
            case .exchangeEmpty: _ = try EventPublisher.Configuration(exchange: "")
            case .exchangeTooLong: _ = try EventPublisher.Configuration(exchange: String(repeating: "x", count: 256))
            case .confirmTimeoutTooShort: _ = try EventPublisher.Configuration(confirmTimeout: .milliseconds(99))
            case .confirmTimeoutTooLong: _ = try EventPublisher.Configuration(confirmTimeout: .seconds(601))
            case .reconnectDelayTooShort: _ = try EventPublisher.Configuration(reconnectDelay: .milliseconds(9))
            case .reconnectDelayAboveMaximum:
                _ = try EventPublisher.Configuration(reconnectDelay: .seconds(2), maxReconnectDelay: .seconds(1))
            case .maxReconnectDelayTooLong: _ = try EventPublisher.Configuration(maxReconnectDelay: .seconds(601))
            case .spoolPathEmpty: _ = try EventPublisher.SpoolConfiguration(path: "")
            case .spoolPathFolder: _ = try EventPublisher.SpoolConfiguration(path: "folder/")
            case .spoolMaxBytesZero: _ = try EventPublisher.SpoolConfiguration(path: "s", maxBytes: 0)
            case .spoolMaxBytesTooMany: _ = try EventPublisher.SpoolConfiguration(path: "s", maxBytes: (1 << 40) + 1)
            case .spoolMaxMessagesZero: _ = try EventPublisher.SpoolConfiguration(path: "s", maxMessages: 0)
            case .spoolMaxMessagesTooMany:
                _ = try EventPublisher.SpoolConfiguration(path: "s", maxMessages: 10_000_001)
            case .spoolReplayBatchZero: _ = try EventPublisher.SpoolConfiguration(path: "s", replayBatchSize: 0)
            case .spoolReplayBatchTooMany:
                _ = try EventPublisher.SpoolConfiguration(path: "s", replayBatchSize: 10_001)
            }
        }
    }

    @Test("values out of range are refused at init", arguments: OutOfRange.allCases)
    func outOfRange(_ value: OutOfRange) {
        let error = #expect(throws: EventPublisherError.self) {
            try value.make()
        }
        #expect(error?.code == .invalidConfiguration)
    }
}
