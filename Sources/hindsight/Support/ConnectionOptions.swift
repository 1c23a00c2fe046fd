import AMQP
import ArgumentParser
import HindsightCore
import HindsightStore
import HindsightWorkers

/// `--amqp-url` and `--database-url`, falling back to `HINDSIGHT_AMQP_URL` / `HINDSIGHT_DATABASE_URL`
/// (read through ``EnvironmentReader``) and then to the local development services, as the command's
/// own least-privilege role (``DatabaseRole``).
struct ConnectionOptions: ParsableArguments {
    @Option(name: .customLong("amqp-url"), help: "Broker URL (amqp:// or amqps://). Env: HINDSIGHT_AMQP_URL.")
    var amqpURL: String?

    @Option(name: .customLong("database-url"), help: "PostgreSQL URL. Env: HINDSIGHT_DATABASE_URL (default: the command's own local role).")
    var databaseURL: String?

    /// The local owner URL (the benchmarks create scratch databases with it).
    static let defaultDatabaseURL = DatabaseRole.owner.localURL

    /// The key of `HINDSIGHT_READ_DATABASE_URL`: where read-only commands (`query`, `insights`) connect,
    /// typically a streaming replica; unset, they use `HINDSIGHT_DATABASE_URL`.
    static let readDatabaseKey = "readDatabase.url"

    /// Whether a database URL was given (flag or environment) rather than defaulted.
    var databaseURLIsExplicit: Bool { databaseURL != nil || EnvironmentReader().string("database.url") != nil }

    /// The broker from the flag, else `HINDSIGHT_AMQP_URL`, else the local broker.
    ///
    /// - Throws: one line naming the flag or variable when the URL does not parse.
    func amqp(connectionName: String) throws -> AMQPConfiguration {
        let (raw, source) = Self.pick(flag: amqpURL, flagName: "--amqp-url", key: "amqp.url", fallback: HindsightDefaults.amqpURL)
        do {
            var configuration = try AMQPConfiguration(url: raw)
            configuration.connectionName = connectionName
            return configuration
        } catch {
            throw OneLineError("configuration: invalid \(source): \(error)")
        }
    }

    /// The database from the flag, else `HINDSIGHT_DATABASE_URL`, else `role` on the local server.
    ///
    /// - Throws: one line naming the flag or variable when the URL does not parse.
    func database(role: DatabaseRole) throws -> DatabaseURL {
        try Self.database(flag: databaseURL, role: role)
    }

    /// - Parameter readReplica: Whether a read-only role may go to `HINDSIGHT_READ_DATABASE_URL`.
    static func database(flag: String?, role: DatabaseRole, readReplica: Bool = true) throws -> DatabaseURL {
        var (raw, source) = pick(flag: flag, flagName: "--database-url", key: "database.url", fallback: role.localURL)
        // Read-only commands go to the read replica when one is configured (HINDSIGHT_READ_DATABASE_URL).
        if readReplica, role.readsOnly, flag == nil, let read = EnvironmentReader().string(readDatabaseKey) {
            (raw, source) = (read, EnvironmentReader.variableName(for: readDatabaseKey))
        }
        do {
            return try DatabaseURL(parsing: raw)
        } catch let error as StoreError {
            throw OneLineError("configuration: invalid \(source): \(error.message)")
        }
    }

    /// The flag's value, else the variable's, else `fallback`; and where the value came from.
    private static func pick(flag: String?, flagName: String, key: String, fallback: String) -> (String, String) {
        if let flag { return (flag, flagName) }
        if let value = EnvironmentReader().string(key) { return (value, EnvironmentReader.variableName(for: key)) }
        return (fallback, "default URL")
    }
}
