import AMQP
import ArgumentParser
import Foundation
import HindsightStore
import HindsightTesting

/// `--amqp-url` and `--database-url`, falling back to `HINDSIGHT_AMQP_URL` / `HINDSIGHT_DATABASE_URL` and
/// then to the local services (``TestEnvironment``).
struct BenchConnectionOptions: ParsableArguments {
    @Option(name: .customLong("amqp-url"), help: "Broker URL. Env: HINDSIGHT_AMQP_URL.")
    var amqpURL: String?

    @Option(name: .customLong("database-url"), help: "PostgreSQL URL of the schema owner. Env: HINDSIGHT_DATABASE_URL.")
    var databaseURL: String?

    /// The broker URL as text (handed to the baselines).
    var amqpURLText: String { amqpURL ?? TestEnvironment.amqpURL }

    /// The database URL as text (handed to the baselines).
    var databaseURLText: String { databaseURL ?? TestEnvironment.databaseURL }

    func amqp(connectionName: String) throws -> AMQPConfiguration {
        do {
            var configuration = try AMQPConfiguration(url: amqpURLText)
            configuration.connectionName = connectionName
            return configuration
        } catch {
            throw ValidationError("invalid broker URL (HINDSIGHT_AMQP_URL / --amqp-url): \(error)")
        }
    }

    func database() throws -> DatabaseURL {
        do {
            return try DatabaseURL(parsing: databaseURLText)
        } catch {
            throw ValidationError("invalid database URL (HINDSIGHT_DATABASE_URL / --database-url): \(error)")
        }
    }
}

/// Table or JSON output.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case table, json
}

/// Pretty, sorted JSON on standard output.
func printJSON<Value: Encodable>(_ value: Value) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

/// Prints rows as an aligned text table (first column left-aligned, the others right-aligned).
func printTable(_ header: [String], _ rows: [[String]]) {
    var widths = header.map(\.count)
    for row in rows { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) } }
    func line(_ cells: [String]) -> String {
        cells.enumerated().map { i, cell in
            i == 0 ? cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
                : String(repeating: " ", count: max(0, widths[i] - cell.count)) + cell
        }.joined(separator: "  ")
    }
    print(line(header))
    print(line(widths.map { String(repeating: "-", count: $0) }))
    for row in rows { print(line(row)) }
}

/// A progress line on standard error (standard output carries the results).
func progress(_ text: String) {
    FileHandle.standardError.write(Data("hindsight-bench: \(text)\n".utf8))
}

extension Duration {
    /// The duration in seconds.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

/// CPU time of the whole process (all threads), in seconds.
func processCPUSeconds() -> Double {
    cpuSeconds(thread: false)
}

/// User plus system CPU time of the process or of the calling thread, in seconds.
///
/// `getrusage` rather than `clock_gettime`: on Linux the `timespec` it fills is visible here only
/// through Dispatch's C module, which member import visibility refuses to use.
func cpuSeconds(thread: Bool) -> Double {
    // RUSAGE_SELF = 0, RUSAGE_THREAD = 1 (Linux; the latter is not imported without _GNU_SOURCE).
    var usage = rusage()
    guard getrusage(thread ? 1 : 0, &usage) == 0 else { return 0 }
    func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) * 1e-6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}
