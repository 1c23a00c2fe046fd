/// Hindsight's own defaults for reaching its services, kept out of the generic `AMQP` client.
///
/// Pure constants: nothing here reads the environment. The workers' configuration readers use
/// them as the fallback when neither a flag nor the environment names a value.
public enum HindsightDefaults {
    /// The environment variable naming the broker URL: `HINDSIGHT_AMQP_URL`.
    public static let amqpURLEnvironmentKey = "HINDSIGHT_AMQP_URL"

    /// The local development broker started by `scripts/services up`:
    /// `amqp://hindsight:hindsight@127.0.0.1:5673/hindsight`.
    public static let amqpURL = "amqp://hindsight:hindsight@127.0.0.1:5673/hindsight"
}
