import AMQP
import ArgumentParser
import Foundation
import HindsightAgent
import HindsightCore
import HindsightImport
import Logging

/// `hindsight import PATH…`: the seed system's history (JSONL trace files, its SQLite database) published
/// as wire events through the live path (broker with confirms → tracker → PostgreSQL). Idempotent: event
/// ids are derived from the records, so a second import stores nothing new.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import the seed system's history (JSONL trace files, directories of them, SQLite databases).",
        discussion: """
            Every record becomes the wire event a live agent would have sent, published with confirms to \
            the events exchange; running trackers store them. Event ids are name-based UUIDs of the records, \
            so importing the same history again (or its JSONL files and its database) stores nothing twice. \
            Records that cannot be imported are skipped and listed by reason in the summary. Progress goes to \
            stderr, the summary to stdout. The seed files are only read.
            """)

    @Argument(help: "JSONL trace files, directories (searched recursively for *.jsonl and SQLite files), SQLite databases.")
    var paths: [String]

    @Option(name: .customLong("amqp-url"), help: "Broker URL (amqp:// or amqps://). Env: HINDSIGHT_AMQP_URL.")
    var amqpURL: String?

    @Option(help: "Exchange to publish to.")
    var exchange: String = WireContract.eventsExchange

    @Option(help: "Domain of executions the seed recorded without one.")
    var fallbackDomain: String = "unknown"

    @Option(help: "Events per message, 1…1000.")
    var eventsPerMessage: Int = 100

    @Flag(help: "Read and convert everything, publish nothing (the summary says what would be imported).")
    var dryRun = false

    @Option(help: "Summary format: table or json.")
    var format: OutputFormat = .table

    func validate() throws {
        guard !paths.isEmpty else { throw ValidationError("give at least one file or directory") }
        guard (1...1000).contains(eventsPerMessage) else { throw ValidationError("--events-per-message must be 1…1000") }
        guard SeedConverter.isValidDomain(fallbackDomain) else {
            throw ValidationError("--fallback-domain must be 1…128 bytes without control characters")
        }
    }

    func run() async throws {
        try Bootstrap.run(defaultLevel: .warning)
        let logger = Logger(label: "hindsight.import")
        let sources: [SeedSource]
        do {
            sources = try SeedSource.discover(paths)
        } catch {
            throw OneLineError(error.description)
        }
        let bar = ImportProgressBar(interactive: isatty(STDERR_FILENO) == 1)
        var publisher: EventPublisher?
        if !dryRun {
            let amqp = try ConnectionOptions.parse(amqpURL.map { ["--amqp-url", $0] } ?? [])
                .amqp(connectionName: "hindsight-import")
            let connection: AMQPConnection
            do {
                connection = try await AMQPConnection.connect(amqp, logger: logger)
            } catch {
                throw ExitMessage.line(for: error)
            }
            publisher = EventPublisher(
                connection: connection, configuration: try .init(eventsPerMessage: eventsPerMessage, exchange: exchange),
                logger: logger)
        }
        var publish: SeedImporter.Publish?
        if let publisher {
            publish = { (events: [WireEvent]) async throws -> Void in _ = try await publisher.publish(events) }
        }
        let importer = SeedImporter(
            converter: SeedConverter(configuration: .init(fallbackDomain: fallbackDomain)),
            publish: publish, progress: { bar.show($0) }, logger: logger)
        let summary: ImportSummary
        do {
            summary = try await importer.run(sources)
        } catch {
            bar.finish()
            await publisher?.close()
            throw OneLineError(error.description + " (what was published stays; importing again is safe)")
        }
        bar.finish()
        await publisher?.close()
        if format == .json { return try printJSON(summary) }
        print(summary.text)
    }
}
