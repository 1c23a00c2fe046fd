import AMQP
import ArgumentParser
import Foundation
import HindsightAgent
import HindsightCore
import Logging
import HindsightWorkers

/// What `hindsight optimize` and `hindsight estimate` share: the request file, the broker, the timeout,
/// the output format, and one-line errors for everything that can go wrong before a reply is printed.
struct AdapterCallOptions: ParsableArguments {
    @Argument(help: "File holding the request JSON (as documented in docs/wire-format.md, \"RPC\"); - reads standard input.")
    var file: String

    @Option(name: .customLong("amqp-url"), help: "Broker URL (amqp:// or amqps://). Env: HINDSIGHT_AMQP_URL.")
    var amqpURL: String?

    @Option(help: "Exchange the request is published to (the adapters' queue is bound to it).")
    var exchange: String = WireContract.rpcExchange

    @Option(help: "Seconds to wait for the adapter's reply.")
    var timeout: Double = 5

    @Option(help: "Output format: table or json (the whole reply envelope).")
    var format: OutputFormat = .table

    func validate() throws {
        guard timeout > 0, timeout <= 300 else { throw ValidationError("--timeout must be in (0, 300] seconds") }
    }

    /// The request read from ``file`` and decoded with the adapter's own validation.
    func request<Request: Decodable>(_ type: Request.Type) throws -> Request {
        let bytes: [UInt8]
        if file == "-" {
            bytes = Array(FileHandle.standardInput.readDataToEndOfFile())
        } else {
            guard FileManager.default.fileExists(atPath: file) else { throw OneLineError("\(file): no such file") }
            guard let data = FileManager.default.contents(atPath: file) else { throw OneLineError("\(file): not readable") }
            bytes = Array(data)
        }
        do {
            return try RPCCodec.decode(Request.self, from: bytes)
        } catch {
            switch error.code {
            case .invalidJSON: throw OneLineError("\(file): not valid JSON")
            default: throw OneLineError("\(file): \(error.message)")
            }
        }
    }

    /// Connects as an agent, runs `call`, closes; broker and adapter failures become one line.
    func withClient<Reply: Sendable>(_ call: @Sendable (AdapterClient, Duration) async throws(AdapterClientError) -> Reply) async throws -> Reply {
        let (raw, source) = amqpURL.map { ($0, "--amqp-url") }
            ?? EnvironmentReader().string("amqp.url").map { ($0, EnvironmentReader.variableName(for: "amqp.url")) }
            ?? (HindsightDefaults.amqpURL, "default URL")
        var configuration: AMQPConfiguration
        do {
            configuration = try AMQPConfiguration(url: raw)
        } catch {
            throw OneLineError("configuration: invalid \(source): \(error)")
        }
        configuration.connectionName = "hindsight-cli-adapter-client"
        let logger = Logger(label: "hindsight.adapter-client")
        let connection: AMQPConnection
        do {
            connection = try await AMQPConnection.connect(configuration, logger: logger)
        } catch {
            throw ExitMessage.line(for: error)
        }
        let result: Result<Reply, AdapterClientError>
        do {
            let client = AdapterClient(connection: connection, exchange: exchange)
            result = .success(try await call(client, .milliseconds(Int64((timeout * 1000).rounded()))))
        } catch {
            result = .failure(error)
        }
        await connection.closeAndWait()
        switch result {
        case let .success(reply): return reply
        case let .failure(error): throw OneLineError(error.description)
        }
    }
}

/// The envelope fields every readable reply ends with.
func printEnvelope<Result>(_ reply: RPCReply<Result>) {
    let computed = reply.insightsComputedAt.map { "insights of \($0)" } ?? "no insights for this domain"
    print("answered by \(reply.adapter) from its \(reply.servedFrom); \(computed); database \(reply.database.rawValue)")
}

/// Seconds with one decimal.
func seconds(_ value: Double) -> String { String(format: "%.1f", value) }
