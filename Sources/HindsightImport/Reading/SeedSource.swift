import Foundation

/// A file to import: a JSONL trace file or a seed SQLite database.
public struct SeedSource: Sendable, Hashable {
    /// What the file holds.
    public enum Kind: String, Sendable, Hashable {
        /// JSONL trace lines.
        case jsonl
        /// An SQLite database (recognised by its header, `SQLite format 3\0`).
        case sqlite
    }

    /// The file's path.
    public var path: String
    /// What it holds.
    public var kind: Kind

    /// Creates a source.
    ///
    /// - Parameters:
    ///   - path: The file's path.
    ///   - kind: What it holds.
    public init(path: String, kind: Kind) {
        self.path = path
        self.kind = kind
    }

    /// The first 16 bytes of every SQLite 3 database file.
    public static let sqliteMagic: [UInt8] = Array("SQLite format 3\u{0}".utf8)

    /// The sources under the given paths, in a stable order.
    ///
    /// A file is an SQLite database when it starts with ``sqliteMagic``, else JSONL (whatever its name).
    /// A directory is walked recursively (hidden entries skipped, paths sorted): its `*.jsonl` files and
    /// its SQLite databases (any name) are taken, other files are ignored.
    ///
    /// - Parameter paths: Files and directories.
    /// - Returns: The sources, each once.
    /// - Throws: ``ImportError`` when a path does not exist or cannot be read.
    public static func discover(_ paths: [String]) throws(ImportError) -> [SeedSource] {
        var sources: [SeedSource] = []
        var seen: Set<String> = []
        let manager = FileManager.default
        func add(_ source: SeedSource) {
            if seen.insert(source.path).inserted { sources.append(source) }
        }
        for path in paths {
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw ImportError(.notFound, path: path, "no such file or directory")
            }
            if !isDirectory.boolValue {
                add(SeedSource(path: path, kind: try isSQLite(path) ? .sqlite : .jsonl))
                continue
            }
            guard let walker = manager.enumerator(
                at: URL(fileURLWithPath: path), includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles])
            else { throw ImportError(.unreadable, path: path, "cannot list the directory") }
            var files: [String] = []
            for case let url as URL in walker {
                guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
                files.append(url.path)
            }
            for file in files.sorted() {
                if try isSQLite(file) {
                    add(SeedSource(path: file, kind: .sqlite))
                } else if file.hasSuffix(".jsonl") {
                    add(SeedSource(path: file, kind: .jsonl))
                }
            }
        }
        return sources
    }

    /// Whether the file starts with the SQLite header.
    static func isSQLite(_ path: String) throws(ImportError) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ImportError(.unreadable, path: path, "cannot open for reading")
        }
        defer { try? handle.close() }
        let head: Data?
        do {
            head = try handle.read(upToCount: sqliteMagic.count)
        } catch {
            throw ImportError(.unreadable, path: path, "cannot read")
        }
        return head.map { Array($0) == sqliteMagic } ?? false
    }
}
