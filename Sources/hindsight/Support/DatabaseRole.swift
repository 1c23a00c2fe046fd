/// The PostgreSQL role a command connects as when neither `--database-url` nor `HINDSIGHT_DATABASE_URL`
/// is given: each command's own least-privilege role on the local services (scripts/services creates them,
/// password = role name). The schema owner is the default only where the work needs it.
enum DatabaseRole: String, Sendable {
    /// Owns the schema: `migrate`.
    case owner = "hindsight_owner"
    /// Inserts and updates the raw and consolidated tables: `tracker` (and the demo's trackers).
    case tracker = "hindsight_tracker"
    /// Reads tables and views: `query`, `insights` (and the demo's report).
    case analyst = "hindsight_analyst"
    /// Writes insights and rollups, marks stale executions, runs retention through the definer
    /// functions: `analyzer`, `analyze`, `retention`.
    case analyzer = "hindsight_analyzer"
    /// Reads the insight tables and executions (read-only): `adapter`.
    case adapter = "hindsight_adapter"

    /// Whether the commands of this role only read, so a read replica serves them
    /// (`HINDSIGHT_READ_DATABASE_URL`).
    var readsOnly: Bool { self == .analyst }

    /// The local development URL of this role.
    var localURL: String { "postgres://\(rawValue):\(rawValue)@127.0.0.1:5433/hindsight" }
}
