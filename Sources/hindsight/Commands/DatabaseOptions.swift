import ArgumentParser
import Foundation
import HindsightStore
import HindsightWorkers
import Logging
import PostgresNIO

/// `--database-url`, shared by every command that talks to PostgreSQL.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong("database-url"),
            help: "PostgreSQL URL postgres://user:password@host:port/db[?sslmode=…] (default: $HINDSIGHT_READ_DATABASE_URL for the read-only commands, else $HINDSIGHT_DATABASE_URL, else the command's own local role).")
    var databaseURL: String?

    /// The URL from the flag, else (read-only roles) `HINDSIGHT_READ_DATABASE_URL`, else
    /// `HINDSIGHT_DATABASE_URL`, else `role` on the local server.
    ///
    /// - Throws: one line naming the flag or variable when the URL does not parse.
    func resolve(role: DatabaseRole = .owner) throws -> DatabaseURL {
        try ConnectionOptions.database(flag: databaseURL, role: role)
    }
}

/// Runs `body` with a client for the resolved URL (`role` when no URL is given); a database failure
/// prints one line to stderr and exits non-zero (no stack trace, no hang). `HINDSIGHT_DEBUG_ERRORS=true`
/// adds the full error on a second line.
func withDatabase<Result: Sendable>(
    _ options: DatabaseOptions, role: DatabaseRole = .owner, logger: Logger = Logger(label: "hindsight.cli"),
    _ body: (PostgresClient) async throws -> Result
) async throws -> Result {
    let url = try options.resolve(role: role)
    let debugErrors: Bool
    do {
        debugErrors = try EnvironmentReader().bool("debugErrors") ?? false
    } catch {
        throw ExitMessage.line(for: error)
    }
    do {
        return try await StoreConnection.withClient(url, logger: logger, body)
    } catch let error as StoreError {
        FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
        if debugErrors {
            FileHandle.standardError.write(Data("debug: \(String(reflecting: error))\n".utf8))
        }
        throw ExitCode.failure
    }
}

/// Table or JSON output.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case table, json
}

/// JSON the way every query command prints it: pretty, sorted keys, ISO 8601 dates with microseconds.
func printJSON<Value: Encodable>(_ value: Value) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    encoder.dateEncodingStrategy = .custom { date, encoder in
        var container = encoder.singleValueContainer()
        try container.encode(formatTimestamp(date))
    }
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

/// `2025-11-11T19:05:01.123456Z` (UTC, microseconds, as the wire format).
func formatTimestamp(_ date: Date) -> String {
    let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
    let seconds = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second],
                                    from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!,
                  Int(micros - seconds * 1_000_000))
}

/// Prints rows as an aligned text table.
func printTable(_ header: [String], _ rows: [[String]]) {
    var widths = header.map(\.count)
    for row in rows { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) } }
    func line(_ cells: [String]) -> String {
        cells.enumerated().map { i, cell in cell.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
            .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
    }
    print(line(header))
    print(line(widths.map { String(repeating: "-", count: $0) }))
    for row in rows { print(line(row)) }
}
