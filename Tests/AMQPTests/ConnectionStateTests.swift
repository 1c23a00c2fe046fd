import AMQP
import Testing

@Suite("Connection state")
struct ConnectionStateTests {
    @Test func brokerClosedConnectionGoesReconnectingThenConnected() async throws {
        let name = TestBroker.unique("amqp-test-state")
        let connection = try await TestBroker.connect(name)
        defer { connection.close() }
        let log = StateLog(connection)
        let second = StateLog(connection)
        try await log.waitFor(1, within: .seconds(5), "initial state")
        #expect(connection.state == .connected)
        #expect(connection.generation == 1)

        #expect(try TestBroker.closeConnection(named: name) == 1)
        try await log.waitFor(3, within: .seconds(30), "reconnected")
        #expect(log.states == [.connected, .reconnecting, .connected])
        #expect(connection.reconnects == 1)
        #expect(connection.generation == 2)
        #expect(connection.isConnected)
        // Every observer gets its own complete stream.
        try await second.waitFor(3, within: .seconds(5), "second observer")
        #expect(second.states == log.states)

        await connection.closeAndWait()
        try await log.waitFor(4, within: .seconds(5), "closed")
        #expect(log.states.last == .closed)
        #expect(connection.state == .closed)
        #expect(!connection.isConnected)
    }

    @Test func streamOfAClosedConnectionYieldsClosedAndEnds() async throws {
        let connection = try await TestBroker.connect(TestBroker.unique("amqp-test-state-closed"))
        await connection.closeAndWait()
        var seen: [AMQPConnection.State] = []
        for await state in connection.stateChanges() { seen.append(state) }
        #expect(seen == [.closed])
    }

    @Test func lostConnectionWithoutReconnectIsClosed() async throws {
        let name = TestBroker.unique("amqp-test-state-noreconnect")
        let connection = try await TestBroker.connect(name) { $0.reconnect.enabled = false }
        defer { connection.close() }
        let log = StateLog(connection)
        try await log.waitFor(1, within: .seconds(5), "initial state")
        #expect(try TestBroker.closeConnection(named: name) == 1)
        try await log.waitFor(2, within: .seconds(30), "closed")
        #expect(log.states == [.connected, .closed])
        #expect(connection.state == .closed)
    }
}
