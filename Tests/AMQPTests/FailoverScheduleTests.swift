import AMQP
import Testing

@Suite("FailoverSchedule")
struct FailoverScheduleTests {
    let three = FailoverSchedule(endpointCount: 3, initialDelay: .milliseconds(100), maximumDelay: .seconds(1))

    @Test func attemptsGoToTheNextAddressFirstThenRoundRobin() {
        #expect((1...7).map { three.endpoint(attempt: $0, lost: 0) } == [1, 2, 0, 1, 2, 0, 1])
        #expect((1...4).map { three.endpoint(attempt: $0, lost: 2) } == [0, 1, 2, 0])
    }

    @Test func oneAddressIsRetriedItself() {
        let one = FailoverSchedule(endpointCount: 1, initialDelay: .milliseconds(100), maximumDelay: .seconds(30))
        #expect((1...3).map { one.endpoint(attempt: $0, lost: 0) } == [0, 0, 0])
    }

    @Test func aRoundOverTheListAtTheInitialDelayThenDoublingUpToTheCap() {
        let delays = (1...14).map { three.delay(beforeAttempt: $0, jitter: 1) }
        #expect(delays == [100, 100, 100, 200, 200, 200, 400, 400, 400, 800, 800, 800, 1000, 1000].map { .milliseconds($0) })
    }

    @Test func oneAddressBacksOffExponentially() {
        let one = FailoverSchedule(endpointCount: 1, initialDelay: .milliseconds(100), maximumDelay: .seconds(30))
        #expect((1...5).map { one.delay(beforeAttempt: $0, jitter: 1) } == [100, 200, 400, 800, 1600].map { .milliseconds($0) })
        #expect(one.delay(beforeAttempt: 60, jitter: 1) == .seconds(30))
    }

    @Test func jitterShortensByAtMostHalf() {
        #expect(three.delay(beforeAttempt: 4, jitter: 0.5) == .milliseconds(100))
        #expect(three.delay(beforeAttempt: 4, jitter: 0.75) == .milliseconds(150))
        #expect(three.delay(beforeAttempt: 4, jitter: 0.1) == .milliseconds(100), "clamped to 0.5")
        #expect(three.delay(beforeAttempt: 4, jitter: 3) == .milliseconds(200), "clamped to 1")
    }
}
