public import AMQP
import Foundation
public import HindsightCore
import Synchronization

/// Turns one request delivery into a reply body or a drop: the envelope checks, decoding, and the core's
/// handlers over the cached knowledge. No broker I/O (the service publishes and acknowledges), so every
/// envelope rule is testable without RabbitMQ.
///
/// Order of the checks: an expired deadline drops (the caller has given up; no reply); no `reply_to` drops
/// (nowhere to answer); then, each with an error reply: version, method, size, JSON, fields.
public struct AdapterRequestProcessor: Sendable {
    /// What to do with a request.
    public enum Decision: Sendable, Equatable {
        /// Publish `body` to the caller; `method` (`unknown` when unusable) and `outcome` (`ok` or an error code) label the metrics.
        case reply(body: [UInt8], method: String, outcome: String)
        /// Acknowledge without a reply; `reason` is `expired` or `no_reply_to`.
        case drop(reason: String)
    }

    /// Finds similar executions for `plan.optimize` (`nil`: none are listed).
    public typealias SimilarFinder = @Sendable (_ request: PlanOptimizeRequest) async -> [RPCSimilarExecution]

    let cache: InsightsCache
    let configuration: Adapter.Configuration
    let similar: SimilarFinder?
    let optimizer = PlanOptimizeHandler()
    let recovery = RecoveryStrategyHandler()
    let estimator = EstimateHandler()
    /// Longest wait for similar executions; without them by then the answer lists none. Defaults to 250 ms.
    public var similarTimeout: Duration = .milliseconds(250)

    /// Creates a processor.
    public init(cache: InsightsCache, configuration: Adapter.Configuration, similar: SimilarFinder? = nil) {
        self.cache = cache
        self.configuration = configuration
        self.similar = similar
    }

    /// The decision for a request with these properties and body, at `nowMilliseconds` (Unix epoch).
    public func process(properties: AMQPProperties, body: [UInt8], nowMilliseconds: Int64) async -> Decision {
        if let deadline = properties.headers[RPCContract.Header.deadline]?.intValue, deadline <= nowMilliseconds {
            return .drop(reason: "expired")
        }
        guard let replyTo = properties.replyTo, !replyTo.isEmpty else { return .drop(reason: "no_reply_to") }
        let methodName = properties.type.flatMap { RPCMethod(rawValue: $0) }?.rawValue ?? "unknown"
        do {
            let body = try await answer(properties: properties, body: body)
            return .reply(body: body, method: methodName, outcome: "ok")
        } catch {
            return .reply(body: RPCCodec.errorBody(error), method: methodName, outcome: error.code.rawValue)
        }
    }

    private func answer(properties: AMQPProperties, body: [UInt8]) async throws(RPCError) -> [UInt8] {
        if let version = properties.headers[RPCContract.Header.version] {
            guard version.intValue == RPCContract.version else {
                throw RPCError(code: .unsupportedVersion, message: "hindsight-version \(Self.describe(version)) is not supported (this adapter speaks 1)")
            }
        }
        guard let raw = properties.type, let method = RPCMethod(rawValue: raw) else {
            let names = RPCMethod.allCases.map(\.rawValue).joined(separator: ", ")
            throw RPCError(code: .unknownMethod, message: "type '\(properties.type ?? "")' is not one of \(names)")
        }
        guard body.count <= configuration.maxRequestBytes else {
            throw RPCError(code: .tooLarge, message: "request of \(body.count) bytes exceeds \(configuration.maxRequestBytes)")
        }
        switch method {
        case .planOptimize:
            let request = try RPCCodec.decode(PlanOptimizeRequest.self, from: body)
            let (knowledge, database) = cache.knowledge(for: request.domain)
            // Skip the query while the database is known to be down, and never wait longer than
            // `similarTimeout` for it: the answer must not hang on PostgreSQL.
            var found: [RPCSimilarExecution] = []
            if database == .available, let similar {
                found = await Self.first(within: similarTimeout) { await similar(request) } ?? []
            }
            let result = try optimizer.handle(request, knowledge: knowledge, similar: found)
            return reply(result, knowledge: knowledge, database: database)
        case .recoveryStrategy:
            let request = try RPCCodec.decode(RecoveryStrategyRequest.self, from: body)
            let (knowledge, database) = cache.knowledge(for: request.domain)
            return reply(recovery.handle(request, knowledge: knowledge), knowledge: knowledge, database: database)
        case .estimate:
            let request = try RPCCodec.decode(EstimateRequest.self, from: body)
            let (knowledge, database) = cache.knowledge(for: request.domain)
            return reply(estimator.handle(request, knowledge: knowledge), knowledge: knowledge, database: database)
        }
    }

    private func reply<R: Codable & Sendable>(_ result: R, knowledge: DomainKnowledge?, database: RPCDatabaseState) -> [UInt8] {
        RPCCodec.encode(RPCReply(
            result: result, database: database, insightsComputedAt: knowledge?.computedAt.map { $0.formatted(.iso8601) },
            adapter: configuration.instanceName))
    }

    /// `work`'s result, or `nil` when `timeout` passes first; never waits for `work` beyond that (it runs
    /// on unstructured and finishes, or fails, on its own).
    static func first<T: Sendable>(within timeout: Duration, _ work: @escaping @Sendable () async -> T) async -> T? {
        await withCheckedContinuation { (continuation: CheckedContinuation<T?, Never>) in
            let once = ResumeOnce(continuation)
            let worker = Task { once.resume(await work()) }
            Task {
                try? await Task.sleep(for: timeout)
                once.resume(nil)
                worker.cancel()
            }
        }
    }

    private static func describe(_ value: AMQPFieldValue) -> String {
        if let int = value.intValue { return "\(int)" }
        if let text = value.stringValue { return "'\(text)'" }
        return "\(value)"
    }
}

/// Resumes a continuation with the first value offered; later ones are ignored.
final class ResumeOnce<T: Sendable>: Sendable {
    private let continuation: Mutex<CheckedContinuation<T?, Never>?>

    init(_ continuation: CheckedContinuation<T?, Never>) {
        self.continuation = Mutex(continuation)
    }

    func resume(_ value: T?) {
        continuation.withLock { $0.take() }?.resume(returning: value)
    }
}
