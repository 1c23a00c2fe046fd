import AMQP
import ArgumentParser
import Foundation
import Logging

/// `hindsight bench amqp`: publish-with-confirms and consume-with-acks rates of the AMQP client
/// over rabbitmq-c, next to the same workload run by Python's pika (the baseline).
///
/// N persistent messages of SIZE bytes go to a fresh quorum queue through a connection in
/// confirm mode (window of unconfirmed messages), then are consumed on a second connection with
/// prefetch PREFETCH and an ack with `multiple` every ACK_EVERY deliveries. The queue is deleted
/// afterwards. Then `python3 benchmarks/amqp_baseline_pika.py` (the baseline) and
/// `benchmarks/amqp_baseline_rabbitmq_c.c` (the C library alone: the ceiling the wrapper is
/// measured against) run with the same parameters, in the same run.
struct BenchAMQP: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "amqp",
        abstract: "Measure AMQP publish-with-confirms and consume-with-acks rates against a pika baseline.")

    @Option(name: .customLong("amqp-url"), help: "Broker URL. Env: HINDSIGHT_AMQP_URL.")
    var amqpURL: String?

    @Option(help: "Messages to publish and consume.")
    var messages: Int = 100_000

    @Option(help: "Message body size in bytes.")
    var size: Int = 1024

    @Option(help: "Most unconfirmed messages in flight.")
    var window: Int = 1000

    @Option(help: "Consumer prefetch (basic.qos, per consumer).")
    var prefetch: Int = 1000

    @Option(help: "Acknowledge (multiple) every this many deliveries.")
    var ackEvery: Int = 500

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
    }

    func run() async throws {
        var logger = Logger(label: "hindsight.bench.amqp")
        logger.logLevel = .warning
        let url = amqpURL ?? ProcessInfo.processInfo.environment[AMQPConfiguration.environmentKey] ?? AMQPConfiguration.defaultURL
        var config = try AMQPConfiguration(url: url)
        config.publishWindow = window
        let ours = try await measure(config, logger: logger)
        var pika: Figures?
        if !skipBaseline { pika = try runBaseline(url: url) }
        var ceiling: Figures?
        if !skipCBaseline { ceiling = runCBaseline(config) }
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
            try await publisher.deleteQueue(queue)
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
        let publishSeconds = seconds(ContinuousClock.now - publishStart)

        let consumeCPUStart = processCPUSeconds()
        let consumeStart = ContinuousClock.now
        let consumer = try await consumerConnection.consume(queue: queue, prefetch: UInt16(prefetch))
        // The loop runs on the consuming connection's thread: no thread hop per batch. (Locals,
        // because reading an @Option property costs more than the rest of the loop.)
        let messages = self.messages
        let ackEvery = self.ackEvery
        let (received, batches) = try await withTaskExecutorPreference(consumerConnection.taskExecutor) {
            var received = 0
            var sinceAck = 0
            var batches = 0
            consuming: for try await batch in consumer.batches {
                batches += 1
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
            return (received, batches)
        }
        let consumeSeconds = seconds(ContinuousClock.now - consumeStart)
        consumer.cancel()
        if ProcessInfo.processInfo.environment["HINDSIGHT_BENCH_DEBUG"] != nil {
            print("consume: \(batches) batches, \(received / max(batches, 1)) deliveries per batch, CPU \(String(format: "%.2f", (processCPUSeconds() - consumeCPUStart) * 1e6 / Double(messages))) µs per message")
        }
        guard received == messages else {
            throw AMQPError(.consumerCancelled, "the consumer ended after \(received) of \(messages) messages")
        }
        let cpu = (processCPUSeconds() - consumeCPUStart) * 1e6 / Double(messages)
        return Figures(client: "hindsight AMQP (rabbitmq-c)", publishRate: Double(messages) / publishSeconds,
                       consumeRate: Double(messages) / consumeSeconds, consumeCPUMicroseconds: cpu)
    }

    private func runBaseline(url: String) throws -> Figures {
        let args = ["python3", baseline, "--url", url, "--messages", "\(messages)", "--size", "\(size)",
                    "--window", "\(window)", "--prefetch", "\(prefetch)", "--ack-every", "\(ackEvery)"]
        guard let result = run(args), let figures = decodeFigures(result) else {
            throw ValidationError("the pika baseline (\(baseline)) failed — install it with `pip install -r benchmarks/requirements.txt`, or pass --skip-baseline")
        }
        return figures
    }

    /// Compiles and runs the bare rabbitmq-c loop; `nil` (with a note) when there is no compiler.
    private func runCBaseline(_ config: AMQPConfiguration) -> Figures? {
        let binary = FileManager.default.temporaryDirectory.appendingPathComponent("hindsight-amqp-baseline-\(ProcessInfo.processInfo.processIdentifier)").path
        defer { try? FileManager.default.removeItem(atPath: binary) }
        guard run(["cc", "-O2", cBaseline, "-lrabbitmq", "-o", binary]) != nil else {
            print("note: the bare rabbitmq-c ceiling was skipped: `cc -O2 \(cBaseline) -lrabbitmq` failed (install gcc and librabbitmq-dev)")
            return nil
        }
        // The password goes through the environment, not the command line other users can read.
        let args = [binary, "\(messages)", "\(size)", "\(window)", "\(prefetch)", "\(ackEvery)", config.host,
                    "\(config.port)", config.virtualHost, config.username]
        guard let result = run(args, environment: ["AMQP_PASSWORD": config.password]), let figures = decodeFigures(result) else {
            print("note: the bare rabbitmq-c ceiling failed to run (see its message above)")
            return nil
        }
        return figures
    }

    /// Standard output of a command that exited 0, else `nil`.
    private func run(_ arguments: [String], environment: [String: String] = [:]) -> Data? {
        guard let (status, output) = try? runCapturingOutput(arguments, environment: environment), status == 0 else {
            return nil
        }
        return output
    }

    private func decodeFigures(_ data: Data) -> Figures? {
        struct Baseline: Decodable {
            var client: String
            var publish_rate: Double
            var consume_rate: Double
            var consume_cpu_us_per_message: Double?
        }
        guard let result = try? JSONDecoder().decode(Baseline.self, from: data) else { return nil }
        return Figures(client: result.client, publishRate: result.publish_rate, consumeRate: result.consume_rate,
                       consumeCPUMicroseconds: result.consume_cpu_us_per_message)
    }

    private func report(_ ours: Figures, _ pika: Figures?, _ ceiling: Figures?) {
        if json {
            struct Report: Encodable {
                var messages: Int, size: Int, prefetch: Int, ackEvery: Int, window: Int
                var hindsight: Figures, pika: Figures?, rabbitmqC: Figures?
                var publishRatio: Double?, consumeRatio: Double?, consumeShareOfC: Double?
            }
            let report = Report(messages: messages, size: size, prefetch: prefetch, ackEvery: ackEvery, window: window,
                                hindsight: ours, pika: pika, rabbitmqC: ceiling,
                                publishRatio: pika.map { ours.publishRate / $0.publishRate },
                                consumeRatio: pika.map { ours.consumeRate / $0.consumeRate },
                                consumeShareOfC: ceiling.map { ours.consumeRate / $0.consumeRate })
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            if let data = try? encoder.encode(report) { print(String(decoding: data, as: UTF8.self)) }
            return
        }
        print("\(messages) persistent messages of \(size) B, quorum queue, window \(window), prefetch \(prefetch), ack every \(ackEvery)")
        func row(_ f: Figures) -> String {
            let cpu = f.consumeCPUMicroseconds.map { String(format: "   %5.2f µs CPU/msg", $0) } ?? ""
            return "\(f.client.padding(toLength: 30, withPad: " ", startingAt: 0))  publish \(rate(f.publishRate)) msgs/s   consume \(rate(f.consumeRate)) msgs/s\(cpu)"
        }
        print(row(ours))
        if let pika { print(row(pika)) }
        if let ceiling { print(row(ceiling)) }
        if let pika {
            print(String(format: "vs pika                         publish %.2fx (target >= 1)   consume %.2fx (target >= 3)",
                         ours.publishRate / pika.publishRate, ours.consumeRate / pika.consumeRate))
        }
        if let ceiling {
            print(String(format: "vs bare rabbitmq-c              publish %.2fx                 consume %.2fx",
                         ours.publishRate / ceiling.publishRate, ours.consumeRate / ceiling.consumeRate))
        }
    }

    private func processCPUSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) * 1e-9
    }

    private func rate(_ r: Double) -> String { String(format: "%8.0f", r) }

    private func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}
