import Foundation
import HindsightStore
import HindsightTesting
import PostgresNIO
import Testing

@Suite("Store: roles and partitions", .serialized)
struct RoleAndPartitionTests {
    typealias S = StoreTestSupport

    @Test("the analyst role reads tables and views but cannot write (42501)")
    func analystIsReadOnly() async throws {
        try await S.withMigratedDatabase { url in
            try await S.withClient(S.url(url, role: "hindsight_analyst")) { client in
                #expect(await S.failureState(client, "SELECT count(*) FROM hindsight.execution_summary") == nil)
                #expect(await S.failureState(client, "SELECT count(*) FROM domain_stats_daily") == nil, "search_path must include hindsight")
                let id = UUID()
                #expect(await S.failureState(client, """
                    INSERT INTO hindsight.executions (execution_id, domain, first_event_at, last_event_at)
                    VALUES (\(id), 'd', now(), now())
                    """) == "42501")
                #expect(await S.failureState(client, "UPDATE hindsight.executions SET goal = 'x'") == "42501")
                #expect(await S.failureState(client, "DELETE FROM hindsight.domain_daily_stats") == "42501")
                #expect(await S.failureState(client, "CREATE TABLE hindsight.mine (a int)") == "42501")
                #expect(await S.failureState(client, "SELECT hindsight.ensure_event_partitions(current_date, current_date)") == "42501")
            }
        }
    }

    @Test("the tracker writes events and consolidated rows, keeps the rollup, but cannot CREATE or DROP")
    func trackerPrivileges() async throws {
        try await S.withMigratedDatabase { url in
            try await S.withClient(S.url(url, role: "hindsight_tracker")) { client in
                let id = UUID()
                #expect(await S.failureState(client, """
                    INSERT INTO hindsight.executions (execution_id, domain, started_at, first_event_at, last_event_at)
                    VALUES (\(id), 'tracked', now(), now(), now())
                    """) == nil)
                #expect(await S.failureState(client, """
                    INSERT INTO hindsight.events (event_id, execution_id, seq, ts, type) VALUES (\(UUID()), \(id), 0, now(), 'execution_started')
                    ON CONFLICT DO NOTHING
                    """) == nil)
                #expect(await S.failureState(client, """
                    UPDATE hindsight.executions SET status = 'completed', ended_at = now() WHERE execution_id = \(id)
                    """) == nil)
                let created = try await PartitionMaintenance(client: client, logger: S.logger)
                    .ensurePartitions(daysAhead: 20, daysBehind: 0)
                #expect(created == 13, "today … today+7 exist after migrating; today … today+20 wanted")
                #expect(await S.failureState(client, "CREATE TABLE hindsight.mine (a int)") == "42501")
                #expect(await S.failureState(client, "CREATE TABLE public.mine (a int)") == "42501")
                #expect(await S.failureState(client, "DROP TABLE hindsight.events") == "42501")
                #expect(await S.failureState(client, "DROP TABLE hindsight.executions") == "42501")
                #expect(await S.failureState(client, "TRUNCATE hindsight.executions") == "42501")
                #expect(await S.failureState(client, "DELETE FROM hindsight.executions") == "42501")
                #expect(await S.failureState(client, "SELECT * FROM hindsight.drop_event_partitions(current_date)") == "42501")
            }
            // The trigger (SECURITY DEFINER) kept the rollup for the tracker's writes.
            try await S.withClient(url) { client in
                let row = try await client.query(
                    "SELECT total::int8, completed::int8, running::int8 FROM hindsight.domain_daily_stats WHERE domain = 'tracked'",
                    logger: S.logger).collect().first?.decode((Int, Int, Int).self)
                #expect(row.map { [$0.0, $0.1, $0.2] } == [1, 1, 0])
            }
        }
    }

    @Test("partitions are created ahead, idempotently and concurrently, and dropped by retention")
    func partitions() async throws {
        try await S.withMigratedDatabase { url in
            try await S.withClient(url) { client in
                let maintenance = PartitionMaintenance(client: client, logger: S.logger)
                let now = S.date("2024-01-10T12:00:00Z")
                async let a = maintenance.ensurePartitions(daysAhead: 3, daysBehind: 1, now: now)
                async let b = maintenance.ensurePartitions(daysAhead: 3, daysBehind: 1, now: now)
                let created = try await [a, b]
                #expect(created.reduce(0, +) == 5, "2024-01-09 … 2024-01-13, each created once: \(created)")
                #expect(try await maintenance.ensurePartitions(daysAhead: 3, daysBehind: 1, now: now) == 0)
                let names = try await maintenance.partitions().map(\.name)
                #expect(names.contains("events_20240109") && names.contains("events_20240113"))

                // An event on 2024-01-10 lands in its partition …
                try await client.query("""
                    INSERT INTO hindsight.events (event_id, execution_id, seq, ts, type)
                    VALUES (\(UUID()), \(UUID()), 0, \(S.date("2024-01-10T23:59:59Z")), 'tool_used')
                    """, logger: S.logger)
                // … and an event for a day without a partition is refused (the tracker ensures first).
                #expect(await S.failureState(client, """
                    INSERT INTO hindsight.events (event_id, execution_id, seq, ts, type)
                    VALUES (\(UUID()), \(UUID()), 0, \(S.date("2023-06-01T00:00:00Z")), 'tool_used')
                    """) == "23514")

                // Retention of 30 days on 2024-02-12 drops the days before 2024-01-13.
                let dropped = try await maintenance.dropPartitions(olderThanDays: 30, now: S.date("2024-02-12T08:00:00Z"))
                #expect(dropped == ["events_20240109", "events_20240110", "events_20240111", "events_20240112"])
                let left = try await maintenance.partitions().map(\.name)
                #expect(left.contains("events_20240113"))
                #expect(!left.contains("events_20240110"))
                let count = try await client.query("SELECT count(*)::int8 FROM hindsight.events", logger: S.logger)
                    .collect().first?.decode(Int.self)
                #expect(count == 0)
                // Nothing else is old enough now.
                #expect(try await maintenance.dropPartitions(olderThanDays: 30, now: S.date("2024-02-12T08:00:00Z")).isEmpty)
                // Today's partitions are never dropped by the default retention.
                #expect(try await maintenance.dropPartitions().allSatisfy { $0 < "events_" + S.compactDay(Date()) })
            }
        }
    }

    @Test("connection failures become one-line StoreErrors naming the problem")
    func connectionErrors() async throws {
        let owner = try S.ownerURL
        let wrongPassword = owner.withCredentials(username: owner.username, password: "definitely-wrong")
        await #expect { try await StoreConnection.check(wrongPassword, logger: S.logger) } throws: {
            ($0 as? StoreError)?.code == .authenticationFailed && !($0 as? StoreError)!.message.contains("definitely-wrong")
        }
        await #expect { try await StoreConnection.check(owner.withDatabase("hs_no_such_db"), logger: S.logger) } throws: {
            ($0 as? StoreError)?.code == .databaseMissing
        }
        var closedPort = owner
        closedPort.port = 1
        await #expect { try await StoreConnection.check(closedPort, logger: S.logger) } throws: {
            ($0 as? StoreError)?.code == .unreachable && ($0 as? StoreError)?.isTransient == true
        }
        #expect(StoreError(.server, "deadlock", sqlState: "40P01").isTransient)
        #expect(!StoreError(.authenticationFailed, "no").isTransient)
        // A database without the schema: the message says to migrate.
        try await S.withScratchDatabase { url in
            try await S.withClient(url) { client in
                let queries = ExecutionQueries(client: client, logger: S.logger)
                await #expect { try await queries.executions(status: "failed") } throws: { error in
                    StoreError.classify(error, url: url).message.contains("run hindsight migrate")
                }
            }
        }
    }

    @Test("database URLs parse, redact the password and reject junk")
    func databaseURL() throws {
        let url = try DatabaseURL(parsing: "postgresql://us%40er:p%3Ass@db.example:6543/my%20db?sslmode=require&connect_timeout=3")
        #expect(url.username == "us@er" && url.password == "p:ss" && url.host == "db.example" && url.port == 6543)
        #expect(url.database == "my db" && url.sslMode == .require && url.connectTimeout == .seconds(3))
        #expect(url.description == "postgres://us@er:***@db.example:6543/my db?sslmode=require")
        #expect(!String(describing: url).contains("p:ss"))
        let v6 = try DatabaseURL(parsing: "postgres://u@[::1]/d")
        #expect(v6.host == "::1" && v6.port == 5432 && v6.password == nil)
        for bad in ["mysql://u@h/d", "postgres://h/d", "postgres://u@h:99999/d", "postgres://u@h:5432", "postgres://u@h/d?sslmode=maybe"] {
            #expect(throws: StoreError.self, "\(bad)") { try DatabaseURL(parsing: bad) }
        }
    }
}
