import AMQP
import ArgumentParser
import HindsightStore

import class Foundation.ProcessInfo

/// `--amqp-url` and `--database-url`, falling back to `HINDSIGHT_AMQP_URL` / `HINDSIGHT_DATABASE_URL`
/// and then to the local development services.
struct ConnectionOptions: ParsableArguments {
    @Option(name: .customLong("amqp-url"), help: "Broker URL (amqp:// or amqps://). Env: HINDSIGHT_AMQP_URL.")
    var amqpURL: String?

    @Option(name: .customLong("database-url"), help: "PostgreSQL URL. Env: HINDSIGHT_DATABASE_URL.")
    var databaseURL: String?

    static let defaultDatabaseURL = "postgres://hindsight_owner:hindsight_owner@127.0.0.1:5433/hindsight"

    func amqp(connectionName: String) throws -> AMQPConfiguration {
        let raw = amqpURL ?? ProcessInfo.processInfo.environment[AMQPConfiguration.environmentKey]
            ?? AMQPConfiguration.defaultURL
        do {
            var configuration = try AMQPConfiguration(url: raw)
            configuration.connectionName = connectionName
            return configuration
        } catch {
            throw ValidationError("invalid broker URL (HINDSIGHT_AMQP_URL / --amqp-url): \(error)")
        }
    }

    func database() throws -> DatabaseURL {
        let raw = databaseURL ?? ProcessInfo.processInfo.environment["HINDSIGHT_DATABASE_URL"] ?? Self.defaultDatabaseURL
        do {
            return try DatabaseURL(parsing: raw)
        } catch {
            throw ValidationError("invalid database URL (HINDSIGHT_DATABASE_URL / --database-url): \(error)")
        }
    }
}
