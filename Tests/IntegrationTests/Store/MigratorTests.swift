import Foundation
import HindsightStore
import HindsightTesting
import PostgresNIO
import Testing

@Suite("Store: migrations", .serialized)
struct MigratorTests {
    typealias S = StoreTestSupport

    @Test("from an empty database every migration is applied, recorded and the partitions exist")
    func fromEmpty() async throws {
        try await S.withScratchDatabase { url in
            try await S.withClient(url) { client in
                let migrator = try Migrator(client: client, logger: S.logger)
                let report = try await migrator.migrate()
                #expect(report.applied.map(\.version) == migrator.migrations.map(\.version))
                #expect(report.alreadyApplied == 0)
                let applied = try await migrator.appliedMigrations()
                #expect(applied.map(\.version) == migrator.migrations.map(\.version))
                #expect(applied.map(\.checksum) == migrator.migrations.map(\.checksum))

                let tables = try await client.query("""
                    SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE n.nspname = 'hindsight' AND c.relkind IN ('r', 'p', 'v') ORDER BY 1
                    """, logger: S.logger).collect().map { try $0.decode(String.self) }
                for name in ["events", "executions", "phases", "tool_usage", "domain_daily_stats", "schema_migrations",
                             "execution_summary", "phase_stats", "domain_stats_daily", "tool_stats", "event_partitions"] {
                    #expect(tables.contains(name), "missing \(name)")
                }
                // Yesterday … today + 7 exist after migrating.
                let partitions = try await PartitionMaintenance(client: client, logger: S.logger).partitions()
                let today = S.utcCalendar.startOfDay(for: Date())
                for offset in -1...7 {
                    let day = S.utcCalendar.date(byAdding: .day, value: offset, to: today)!
                    #expect(partitions.contains { $0.name == "events_" + S.compactDay(day) }, "no partition for \(S.compactDay(day))")
                }
                // Every table, view and column of the schema carries a comment.
                let uncommented = try await client.query("""
                    SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE n.nspname = 'hindsight' AND c.relkind IN ('r', 'p', 'v') AND NOT c.relispartition
                      AND obj_description(c.oid, 'pg_class') IS NULL
                    UNION ALL
                    SELECT c.relname || '.' || a.attname FROM pg_class c
                    JOIN pg_namespace n ON n.oid = c.relnamespace
                    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                    WHERE n.nspname = 'hindsight' AND c.relkind IN ('r', 'p', 'v') AND NOT c.relispartition
                      AND col_description(c.oid, a.attnum) IS NULL
                    """, logger: S.logger).collect().map { try $0.decode(String.self) }
                #expect(uncommented.isEmpty, "uncommented: \(uncommented)")
            }
        }
    }

    @Test("running twice in a row: the second run is a no-op")
    func twice() async throws {
        try await S.withScratchDatabase { url in
            try await S.withClient(url) { client in
                let migrator = try Migrator(client: client, logger: S.logger)
                try await migrator.migrate()
                let before = try await migrator.appliedMigrations()
                let second = try await migrator.migrate()
                #expect(second.applied.isEmpty)
                #expect(second.alreadyApplied == migrator.migrations.count)
                #expect(try await migrator.appliedMigrations() == before)
            }
        }
    }

    @Test("two migrators on separate clients at once: both succeed, each migration applied once")
    func concurrent() async throws {
        try await S.withScratchDatabase { url in
            async let first = S.withClient(url) { client in try await Migrator(client: client, logger: S.logger).migrate() }
            async let second = S.withClient(url) { client in try await Migrator(client: client, logger: S.logger).migrate() }
            let reports = try await [first, second]
            let expected = try Migration.bundled().map(\.version)
            #expect((reports[0].applied + reports[1].applied).map(\.version).sorted() == expected)
            #expect(reports.contains { $0.applied.isEmpty })
            try await S.withClient(url) { client in
                let rows = try await client.query(
                    "SELECT version, count(*)::int8 FROM hindsight.schema_migrations GROUP BY version ORDER BY version",
                    logger: S.logger).collect()
                #expect(try rows.map { try $0.decode((Int, Int).self).0 } == expected)
                #expect(try rows.allSatisfy { try $0.decode((Int, Int).self).1 == 1 })
            }
        }
    }

    @Test("a changed file of an applied migration is refused")
    func checksumMismatch() async throws {
        try await S.withMigratedDatabase { url in
            try await S.withClient(url) { client in
                var migrations = try Migration.bundled()
                migrations[0] = try Migration(fileName: migrations[0].fileName, sql: migrations[0].sql + "\n-- edited\n")
                let migrator = try Migrator(client: client, migrations: migrations, logger: S.logger)
                let error = await #expect(throws: StoreError.self) { try await migrator.migrate() }
                #expect(error?.code == .checksumMismatch)
            }
        }
    }

    @Test("a failing migration is rolled back entirely and reported with file and statement")
    func failingMigrationRollsBack() async throws {
        try await S.withMigratedDatabase { url in
            try await S.withClient(url) { client in
                let bad = try Migration(fileName: "9999_broken.sql", sql: """
                    CREATE TABLE hindsight.half_done (a int);
                    SELECT 1 / 0;
                    """)
                let migrator = try Migrator(client: client, migrations: try Migration.bundled() + [bad], logger: S.logger)
                let error = await #expect(throws: StoreError.self) { try await migrator.migrate() }
                #expect(error?.code == .migrationFailed)
                #expect(error?.message.contains("9999_broken.sql") == true)
                #expect(error?.message.contains("statement 2 of 2") == true)
                let leftover = try await client.query(
                    "SELECT to_regclass('hindsight.half_done') IS NULL", logger: S.logger).collect().first?.decode(Bool.self)
                #expect(leftover == true)
                #expect(try await migrator.appliedMigrations().contains { $0.version == 9999 } == false)
            }
        }
    }

    @Test("statements are split outside quotes, comments and dollar-quoted bodies")
    func splitting() throws {
        let migration = try Migration(fileName: "0001_x.sql", sql: """
            -- header; with a semicolon
            CREATE TABLE a (t text DEFAULT 'x;y', "we;ird" int);  /* block; /* nested; */ */
            CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END; $$;
            DO $body$ BEGIN PERFORM 'it''s;'; END $body$;
            SELECT E'a\\';b', $1;
            -- trailing comment only
            """)
        #expect(migration.statements.count == 4)
        #expect(migration.statements[1].hasSuffix("END; $$;"))
        #expect(migration.checksum.count == 64)
        #expect(try Migration(fileName: "0001_x.sql", sql: "").checksum
            == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        // FIPS 180-4 test vectors (one block, two blocks): the swift-crypto digest in the stored hex form.
        #expect(try Migration(fileName: "0001_x.sql", sql: "abc").checksum
            == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(try Migration(fileName: "0001_x.sql", sql: "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq").checksum
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(throws: StoreError.self) { try Migration(fileName: "x.sql", sql: "") }
    }
}
