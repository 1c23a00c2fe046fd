import Dispatch
@testable import HindsightWorkers
import Testing

@Suite("Write deadline")
struct DeadlineTests {
    @Test("an operation that never answers in time is abandoned with DeadlineExceeded")
    func abandonsHungOperation() async throws {
        await #expect(throws: DeadlineExceeded.self) {
            try await withDeadline(.milliseconds(100)) {
                // Ignores cancellation, like a hung connection-pool lease.
                await withCheckedContinuation { (continuation: CheckedContinuation<Int, Never>) in
                    DispatchQueue.global().asyncAfter(deadline: .now() + 3) { continuation.resume(returning: 1) }
                }
            }
        }
    }

    @Test("an operation that answers in time returns its value or its error")
    func passesThrough() async throws {
        #expect(try await withDeadline(.seconds(10)) { 42 } == 42)
        struct Boom: Error {}
        await #expect(throws: Boom.self) {
            try await withDeadline(.seconds(10)) { () async throws -> Int in throw Boom() }
        }
    }
}
