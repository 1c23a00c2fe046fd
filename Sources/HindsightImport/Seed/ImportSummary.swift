import Foundation

/// What an import did: sources, executions, events, and the records it skipped, by reason.
///
/// Pure and `Codable` (`hindsight import --format json` prints it).
public struct ImportSummary: Sendable, Equatable, Codable {
    /// The skipped records of one reason.
    public struct Skipped: Sendable, Equatable, Codable {
        /// How many.
        public var count = 0
        /// The first few, in the order met (`path:line` or `path#table#id`).
        public var first: [String] = []
        /// The detail of the first one (field or rule).
        public var detail = ""
    }

    /// How many locations ``Skipped/first`` keeps.
    public static let firstLocations = 3

    /// JSONL files read.
    public var jsonlFiles = 0
    /// SQLite databases read.
    public var databases = 0
    /// Distinct executions with at least one event published.
    public var executions = 0
    /// Events published (a re-import publishes them again; the tracker stores each `event_id` once).
    public var events = 0
    /// Events read again from another source of the same run (a history's JSONL file and its database
    /// hold the same events; the first source read wins). Not a problem, so not counted as skipped.
    public var alsoInOtherSource = 0
    /// Records not imported, by reason code.
    public var skipped: [String: Skipped] = [:]
    /// Adjustments made to imported records, by note code.
    public var notes: [String: Int] = [:]
    /// Whether nothing was published (`--dry-run`).
    public var dryRun = false

    /// Creates an empty summary.
    public init() {}

    /// All skipped records.
    public var skippedCount: Int { skipped.values.reduce(0) { $0 + $1.count } }

    /// Counts an issue.
    ///
    /// - Parameter issue: The record skipped.
    public mutating func record(_ issue: ImportIssue) {
        var entry = skipped[issue.reason.rawValue] ?? Skipped()
        if entry.count == 0 { entry.detail = issue.detail }
        entry.count += 1
        if entry.first.count < Self.firstLocations { entry.first.append(issue.location.description) }
        skipped[issue.reason.rawValue] = entry
    }

    /// Counts notes.
    ///
    /// - Parameter notes: Notes and their counts.
    public mutating func record(_ notes: [ImportNote: Int]) {
        for (note, count) in notes { self.notes[note.rawValue, default: 0] += count }
    }

    /// The summary as lines of text (reasons and notes in code order).
    public var text: String {
        var lines: [String] = []
        let sources = [
            jsonlFiles > 0 ? "\(jsonlFiles) JSONL file\(jsonlFiles == 1 ? "" : "s")" : nil,
            databases > 0 ? "\(databases) SQLite database\(databases == 1 ? "" : "s")" : nil,
        ].compactMap { $0 }
        lines.append(
            "\(dryRun ? "would import" : "imported") \(executions) execution\(executions == 1 ? "" : "s"), "
                + "\(events) event\(events == 1 ? "" : "s") from \(sources.isEmpty ? "no source" : sources.joined(separator: " and "))")
        if alsoInOtherSource > 0 {
            lines.append("already read from another source: \(alsoInOtherSource) event\(alsoInOtherSource == 1 ? "" : "s") (same event ids)")
        }
        if skipped.isEmpty {
            lines.append("skipped: none")
        } else {
            lines.append("skipped \(skippedCount) record\(skippedCount == 1 ? "" : "s"):")
            let width = skipped.keys.map(\.count).max() ?? 0
            for reason in skipped.keys.sorted() {
                guard let entry = skipped[reason] else { continue }
                let pad = String(repeating: " ", count: width - reason.count)
                let detail = entry.detail.isEmpty ? "" : " (\(entry.detail))"
                lines.append("  \(reason)\(pad)  \(entry.count)  first: \(entry.first.joined(separator: ", "))\(detail)")
            }
        }
        if !notes.isEmpty {
            lines.append("adjusted: " + notes.keys.sorted().map { "\($0) \(notes[$0] ?? 0)" }.joined(separator: ", "))
        }
        return lines.joined(separator: "\n")
    }
}

/// How far an import is (for a progress bar).
public struct ImportProgress: Sendable, Equatable {
    /// Units done: one per JSONL file, one per database execution.
    public var done: Int
    /// Units in all.
    public var total: Int
    /// Events published so far.
    public var events: Int
    /// Records skipped so far.
    public var skipped: Int
    /// The file being read.
    public var path: String

    /// Share done, 0…1.
    public var fraction: Double { total == 0 ? 1 : min(1, Double(done) / Double(total)) }
}
