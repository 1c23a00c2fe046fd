/// The three groups of simulated agents that run on the same world.
///
/// - `adapted` asks the adapter for its plan and recovery strategies;
/// - `control` runs the original plans with one plain retry per failure;
/// - `seedRules` follows the seed system's own plan and recovery rules, computed in-process.
package enum AgentGroup: String, Codable, Sendable, CaseIterable {
    case adapted, control
    case seedRules = "seed_rules"
}
