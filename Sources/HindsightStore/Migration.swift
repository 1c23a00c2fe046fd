public import Foundation

/// One numbered SQL migration: a file `NNNN_name.sql` among the package resources.
///
/// Files live in `Sources/HindsightStore/Migrations/` and are copied into the module's bundle.
/// The number orders them; numbers must be unique. A migration is applied once, in its own
/// transaction, and its SHA-256 is recorded: editing a file that was already applied is refused by
/// the ``Migrator`` (add a new file instead).
public struct Migration: Sendable, Hashable, Identifiable {
    /// The number from the file name (`0003` → `3`).
    public var version: Int
    /// The name from the file name, without number and extension (`indexes_and_rollup`).
    public var name: String
    /// The SQL text.
    public var sql: String
    /// SHA-256 of the SQL text's UTF-8 bytes, as 64 lowercase hex digits.
    public var checksum: String

    /// The version, as the identity of a migration.
    public var id: Int { version }

    /// The file name the migration came from (`0003_indexes_and_rollup.sql`).
    public var fileName: String

    /// Creates a migration from a file's name and contents.
    ///
    /// - Parameters:
    ///   - fileName: `NNNN_name.sql`, with `NNNN` one or more digits.
    ///   - sql: The file's text.
    /// - Throws: ``StoreError`` with code ``StoreError/Code/invalidMigration`` if the name is malformed.
    public init(fileName: String, sql: String) throws {
        guard fileName.hasSuffix(".sql"), let underscore = fileName.firstIndex(of: "_"),
              let version = Int(fileName[..<underscore]), version > 0 else {
            throw StoreError(.invalidMigration, "migration file '\(fileName)' must be named NNNN_name.sql with NNNN > 0")
        }
        let name = fileName[fileName.index(after: underscore)...].dropLast(4)
        guard !name.isEmpty else {
            throw StoreError(.invalidMigration, "migration file '\(fileName)' has no name after the number")
        }
        self.version = version
        self.fileName = fileName
        self.name = String(name)
        self.sql = sql
        self.checksum = MigrationChecksum.sha256Hex(sql)
    }

    /// The statements of the file, split as described by the migrator (outside quotes, comments and
    /// dollar-quoted bodies, on `;`).
    public var statements: [String] { SQLScript.split(sql) }

    /// The migrations shipped with HindsightStore, ordered by version.
    ///
    /// - Throws: ``StoreError`` (``StoreError/Code/invalidMigration``) if the bundle lacks the
    ///   folder, a file is misnamed, or two files share a number.
    public static func bundled() throws -> [Migration] {
        guard let folder = Bundle.module.url(forResource: "Migrations", withExtension: nil) else {
            throw StoreError(.invalidMigration, "the HindsightStore bundle has no Migrations folder")
        }
        return try load(from: folder)
    }

    /// Loads every `*.sql` file of a folder as migrations, ordered by version.
    ///
    /// - Parameter folder: A directory URL.
    /// - Throws: ``StoreError`` (``StoreError/Code/invalidMigration``) on a misnamed file, an
    ///   unreadable file, or a duplicate number.
    public static func load(from folder: URL) throws -> [Migration] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        } catch {
            throw StoreError(.invalidMigration, "cannot list migrations in \(folder.path)", underlying: error)
        }
        var migrations: [Migration] = []
        for name in names where name.hasSuffix(".sql") {
            let url = folder.appendingPathComponent(name)
            let text: String
            do {
                text = try String(contentsOf: url, encoding: .utf8)
            } catch {
                throw StoreError(.invalidMigration, "cannot read migration \(name)", underlying: error)
            }
            migrations.append(try Migration(fileName: name, sql: text))
        }
        migrations.sort { $0.version < $1.version }
        for (a, b) in zip(migrations, migrations.dropFirst()) where a.version == b.version {
            throw StoreError(.invalidMigration, "migrations \(a.fileName) and \(b.fileName) share number \(a.version)")
        }
        return migrations
    }
}
