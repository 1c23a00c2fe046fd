import AMQP
import ArgumentParser
import Foundation
import HindsightTesting
import HindsightWorkers
import Logging

/// `hindsight-bench amqp`: publish-with-confirms and consume-with-acks rates of the AMQP client over
/// rabbitmq-c, next to the same workload run by Python's pika (the baseline) and by a bare rabbitmq-c
/// program (the ceiling).
///
/// N persistent messages of SIZE bytes go to a fresh quorum queue through a connection in confirm mode
/// (window of unconfirmed messages), then are consumed on a second connection the way the tracker consumes:
/// `AMQPConnection.consume(queue:prefetch:maxBufferedBytes:)` with the tracker's prefetch and byte limit,
/// `batches` iterated on an ordinary task, and one `multiple` ack per tracker batch (`batchMessages`
/// deliveries). The pika baseline (`benchmarks/amqp_baseline_pika.py`) and the bare rabbitmq-c ceiling
/// (`benchmarks/amqp_baseline_rabbitmq_c.c`) run with the same parameters and the same two connections
/// (one publishing, one consuming), in the same run.
struct BenchAMQP: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "amqp",
        abstract: "AMQP publish-with-confirms and consume-with-acks rates, against pika and bare rabbitmq-c.")

    @OptionGroup var connection: BenchConnectionOptions

    @Option(help: "Messages to publish and consume.")
    var messages: Int = 100_000

    @Option(help: "Message body size in bytes.")
    var size: Int = 1024

    @Option(help: "Most unconfirmed messages in flight.")
    var window: Int = 1000

    @Option(help: "Consumer prefetch (basic.qos, per consumer). Default: the tracker's.")
    var prefetch: Int = TrackerService.Configuration().prefetch

    @Option(help: "Acknowledge (multiple) every this many deliveries. Default: the tracker's batch size in messages.")
    var ackEvery: Int = TrackerService.Configuration().batchMessages

    @Option(help: "Consumer byte limit (bytes received and not yet taken). Default: the tracker's.")
    var bufferBytes: Int = TrackerService.Configuration().bufferBytes

    @Option(help: "Baseline script (run with python3).")
    var baseline: String = "benchmarks/amqp_baseline_pika.py"

    @Flag(help: "Skip the pika baseline.")
    var skipBaseline = false

    @Option(help: "C ceiling: bare rabbitmq-c, compiled with `cc` when one is installed.")
    var cBaseline: String = "benchmarks/amqp_baseline_rabbitmq_c.c"

    @Flag(help: "Skip the bare rabbitmq-c ceiling.")
    var skipCBaseline = false

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    /// Rates of one client.
    struct Figures: Codable, Sendable {
        var client: String
        var publishRate: Double
        var consumeRate: Double
        /// Process CPU time spent per consumed message (all threads), when measured.
        var consumeCPUMicroseconds: Double?
    }

    func validate() throws {
        guard messages > 0, size >= 0, window > 0, ackEvery > 0 else {
            throw ValidationError("--messages, --window and --ack-every must be positive, --size not negative")
        }
        guard (1...65535).contains(prefetch) else { throw ValidationError("--prefetch must be 1-65535") }
        guard bufferBytes >= 64 << 10 else { throw ValidationError("--buffer-bytes must be at least 65536") }
    }

    func run() async throws {
        var logger = Logger(label: "hindsight.bench.amqp")
        logger.logLevel = .warning
        let config = try connection.amqp(connectionName: "hindsight-bench")
        var withWindow = config
        withWindow.publishWindow = window
        let ours = try await measure(withWindow, logger: logger)
        var pika: Figures?
        if !skipBaseline { pika = try await runBaseline(url: connection.amqpURLText) }
        var ceiling: Figures?
        if !skipCBaseline { ceiling = await runCBaseline(config) }
        report(ours, pika, ceiling)
    }

    private func measure(_ base: AMQPConfiguration, logger: Logger) async throws -> Figures {
        var publishConfig = base
        publishConfig.connectionName = "hindsight-bench-publish"
        var consumeConfig = base
        consumeConfig.connectionName = "hindsight-bench-consume"
        let publisher = try await AMQPConnection.connect(publishConfig, logger: logger)
        let consumerConnection = try await AMQPConnection.connect(consumeConfig, logger: logger)
        defer {
            publisher.close()
            consumerConnection.close()
        }
        let queue = "hindsight.bench.\(UUID().uuidString.prefix(8).lowercased())"
        try await publisher.declareQueue(queue, options: .quorum)
        do {
            let figures = try await publishAndConsume(publisher, consumerConnection, queue: queue)
            _ = try await publisher.deleteQueue(queue)
            return figures
        } catch {
            _ = try? await publisher.deleteQueue(queue)
            throw error
        }
    }

    private func publishAndConsume(_ publisher: AMQPConnection, _ consumerConnection: AMQPConnection,
                                   queue: String) async throws -> Figures {
        let body = [UInt8](repeating: UInt8(ascii: "x"), count: size)
        let message = AMQPMessage(routingKey: queue, body: body,
                                  properties: AMQPProperties(contentType: "application/octet-stream", deliveryMode: .persistent))
        // Chunks of ten windows, two in flight, so the confirm window never drains between chunks (the
        // connection keeps at most `window` unconfirmed messages on the wire either way).
        let chunk = max(window * 10, 1000)
        let total = self.messages
        let chunks = stride(from: 0, to: total, by: chunk).map { min(chunk, total - $0) }
        let publishStart = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, count) in chunks.enumerated() {
                if index >= 2 { try await group.next() }
                group.addTask { try await publisher.publishBatch(Array(repeating: message, count: count)) }
            }
            try await group.waitForAll()
        }
        let publishSeconds = (ContinuousClock.now - publishStart).seconds

        // The tracker's consume path: the same call, prefetch and byte limit, `batches` on an ordinary
        // task (no executor preference), one `multiple` ack per `ackEvery` deliveries (a tracker batch).
        let consumeCPUStart = processCPUSeconds()
        let consumeStart = ContinuousClock.now
        let consumer = try await consumerConnection.consume(
            queue: queue, prefetch: UInt16(prefetch), maxBufferedBytes: bufferBytes)
        let (messages, ackEvery) = (self.messages, self.ackEvery)
        let consumed = Task {
            var received = 0
            var sinceAck = 0
            consuming: for try await batch in consumer.batches {
                for delivery in batch {
                    received += 1
                    sinceAck += 1
                    if sinceAck == ackEvery || received == messages {
                        consumer.ack(delivery, multiple: true)
                        sinceAck = 0
                    }
                    if received == messages { break consuming }
                }
            }
            return received
        }
        let received = try await consumed.value
        let consumeSeconds = (ContinuousClock.now - consumeStart).seconds
        let cpu = (processCPUSeconds() - consumeCPUStart) * 1e6 / Double(messages)
        consumer.cancel()
        guard received == messages else {
            throw ValidationError("the consumer ended after \(received) of \(messages) messages")
        }
        return Figures(client: "hindsight AMQP (rabbitmq-c)", publishRate: Double(messages) / publishSeconds,
                       consumeRate: Double(messages) / consumeSeconds, consumeCPUMicroseconds: cpu)
    }

    private func runBaseline(url: String) async throws -> Figures {
        let args = [baseline, "--url", url, "--messages", "\(messages)", "--size", "\(size)",
                    "--window", "\(window)", "--prefetch", "\(prefetch)", "--ack-every", "\(ackEvery)"]
        guard let result = await run("python3", args), let figures = decodeFigures(result) else {
            throw ValidationError("the pika baseline (\(baseline)) failed — install it with `pip install -r benchmarks/requirements.txt`, or pass --skip-baseline")
        }
        return figures
    }

    /// Compiles and runs the bare rabbitmq-c program; `nil` (with a note) when there is no compiler.
    private func runCBaseline(_ config: AMQPConfiguration) async -> Figures? {
        let binary = FileManager.default.temporaryDirectory
            .appendingPathComponent("hindsight-amqp-baseline-\(ProcessInfo.processInfo.processIdentifier)").path
        defer { try? FileManager.default.removeItem(atPath: binary) }
        guard await run("cc", ["-O2", cBaseline, "-lrabbitmq", "-o", binary]) != nil else {
            print("note: the bare rabbitmq-c ceiling was skipped: `cc -O2 \(cBaseline) -lrabbitmq` failed (install gcc and librabbitmq-dev)")
            return nil
        }
        // The password goes through the environment, not the command line other users can read.
        let args = ["\(messages)", "\(size)", "\(window)", "\(prefetch)", "\(ackEvery)", config.host,
                    "\(config.port)", config.virtualHost, config.username]
        guard let result = await run(binary, args, environment: ["AMQP_PASSWORD": config.password]),
              let figures = decodeFigures(result) else {
            print("note: the bare rabbitmq-c ceiling failed to run (see its message above)")
            return nil
        }
        return figures
    }

    /// Standard output of a command that exited 0, else `nil`.
    private func run(_ command: String, _ arguments: [String], environment: [String: String] = [:]) async -> [UInt8]? {
        guard let (termination, output) = try? await ChildProcess.run(command, arguments, environment: environment),
              termination.isSuccess else {
            return nil
        }
        return output
    }

    private func decodeFigures(_ data: [UInt8]) -> Figures? {
        struct Baseline: Decodable {
            var client: String
            var publish_rate: Double
            var consume_rate: Double
            var consume_cpu_us_per_message: Double?
        }
        guard let result = try? JSONDecoder().decode(Baseline.self, from: Data(data)) else { return nil }
        return Figures(client: result.client, publishRate: result.publish_rate, consumeRate: result.consume_rate,
                       consumeCPUMicroseconds: result.consume_cpu_us_per_message)
    }

    private func report(_ ours: Figures, _ pika: Figures?, _ ceiling: Figures?) {
        if json {
            struct Report: Encodable {
                var messages: Int, size: Int, prefetch: Int, ackEvery: Int, window: Int, bufferBytes: Int
                var hindsight: Figures, pika: Figures?, rabbitmqC: Figures?
                var publishRatioToPika: Double?, consumeRatioToPika: Double?
                var publishRatioToC: Double?, consumeRatioToC: Double?
            }
            let report = Report(messages: messages, size: size, prefetch: prefetch, ackEvery: ackEvery, window: window,
                                bufferBytes: bufferBytes, hindsight: ours, pika: pika, rabbitmqC: ceiling,
                                publishRatioToPika: pika.map { ours.publishRate / $0.publishRate },
                                consumeRatioToPika: pika.map { ours.consumeRate / $0.consumeRate },
                                publishRatioToC: ceiling.map { ours.publishRate / $0.publishRate },
                                consumeRatioToC: ceiling.map { ours.consumeRate / $0.consumeRate })
            try? printJSON(report)
            return
        }
        print("\(messages) persistent messages of \(size) B, quorum queue, window \(window), prefetch \(prefetch), "
              + "ack every \(ackEvery), consumer byte limit \(bufferBytes) B; one publishing and one consuming connection each")
        func row(_ f: Figures) -> String {
            let cpu = f.consumeCPUMicroseconds.map { String(format: "   %5.2f µs CPU/msg", $0) } ?? ""
            return "\(f.client.padding(toLength: 30, withPad: " ", startingAt: 0))  publish \(rate(f.publishRate)) msgs/s   consume \(rate(f.consumeRate)) msgs/s\(cpu)"
        }
        print(row(ours))
        if let pika { print(row(pika)) }
        if let ceiling { print(row(ceiling)) }
        if let pika {
            print(String(format: "ratio to pika                   publish %.2fx                consume %.2fx",
                         ours.publishRate / pika.publishRate, ours.consumeRate / pika.consumeRate))
        }
        if let ceiling {
            print(String(format: "ratio to bare rabbitmq-c        publish %.2fx                consume %.2fx",
                         ours.publishRate / ceiling.publishRate, ours.consumeRate / ceiling.consumeRate))
        }
    }

    private func rate(_ r: Double) -> String { String(format: "%8.0f", r) }
}
