package import Foundation

/// The outcome of a learning run: per round and per group, the figures of docs/learning.md, and a
/// summary over the last rounds. Written as snake_case JSON (`version` 1) that the HTML report reads.
package struct LearningReport: Codable, Sendable, Hashable {
    /// One group's figures over a set of executions; any value is `nil` (JSON `null`) when undefined.
    package struct GroupFigures: Codable, Sendable, Hashable {
        package var executions: Int
        /// Mean simulated wall time of an execution, seconds.
        package var meanDurationSeconds: Double?
        /// Finished executions (completed or recovered) / executions.
        package var successRate: Double?
        /// Mean of |estimated total − actual total| / actual total.
        package var estimateError: Double?
        package var transientFailures: Int
        /// Transient failures the agent's recovery turned into a finished phase.
        package var transientRecovered: Int
        package var recoveredShare: Double?
        /// Mean confidence the group was given (control: 0).
        package var meanConfidence: Double?

        package init(
            executions: Int = 0, meanDurationSeconds: Double? = nil, successRate: Double? = nil, estimateError: Double? = nil,
            transientFailures: Int = 0, transientRecovered: Int = 0, recoveredShare: Double? = nil, meanConfidence: Double? = nil
        ) {
            self.executions = executions
            self.meanDurationSeconds = meanDurationSeconds
            self.successRate = successRate
            self.estimateError = estimateError
            self.transientFailures = transientFailures
            self.transientRecovered = transientRecovered
            self.recoveredShare = recoveredShare
            self.meanConfidence = meanConfidence
        }

        private enum CodingKeys: String, CodingKey {
            case executions
            case meanDurationSeconds = "mean_duration_s"
            case successRate = "success_rate"
            case estimateError = "estimate_error"
            case transientFailures = "transient_failures"
            case transientRecovered = "transient_recovered"
            case recoveredShare = "recovered_share"
            case meanConfidence = "mean_confidence"
        }

        // Undefined values are written as `null`, not left out, so every key is always there.
        package func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(executions, forKey: .executions)
            try c.encode(meanDurationSeconds, forKey: .meanDurationSeconds)
            try c.encode(successRate, forKey: .successRate)
            try c.encode(estimateError, forKey: .estimateError)
            try c.encode(transientFailures, forKey: .transientFailures)
            try c.encode(transientRecovered, forKey: .transientRecovered)
            try c.encode(recoveredShare, forKey: .recoveredShare)
            try c.encode(meanConfidence, forKey: .meanConfidence)
        }
    }

    /// One round: the history the cluster had learned from before it, and each group's figures.
    package struct Round: Codable, Sendable, Hashable {
        package var round: Int
        /// Executions (all groups) stored and analysed before this round started.
        package var historyExecutions: Int
        package var groups: [String: GroupFigures]

        package init(round: Int, historyExecutions: Int, groups: [String: GroupFigures]) {
            self.round = round
            self.historyExecutions = historyExecutions
            self.groups = groups
        }

        private enum CodingKeys: String, CodingKey {
            case round, groups
            case historyExecutions = "history_executions"
        }
    }

    /// The adapted group against another: relative duration change, success and recovery in points,
    /// relative change of the estimate error.
    package struct Comparison: Codable, Sendable, Hashable {
        package var durationChange: Double?
        package var successPoints: Double?
        package var estimateErrorChange: Double?
        package var recoveredSharePoints: Double?

        package init(durationChange: Double? = nil, successPoints: Double? = nil, estimateErrorChange: Double? = nil, recoveredSharePoints: Double? = nil) {
            self.durationChange = durationChange
            self.successPoints = successPoints
            self.estimateErrorChange = estimateErrorChange
            self.recoveredSharePoints = recoveredSharePoints
        }

        private enum CodingKeys: String, CodingKey {
            case durationChange = "duration_change"
            case successPoints = "success_points"
            case estimateErrorChange = "estimate_error_change"
            case recoveredSharePoints = "recovered_share_points"
        }

        package func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(durationChange, forKey: .durationChange)
            try c.encode(successPoints, forKey: .successPoints)
            try c.encode(estimateErrorChange, forKey: .estimateErrorChange)
            try c.encode(recoveredSharePoints, forKey: .recoveredSharePoints)
        }

        /// `adapted` against `other`; a figure is `nil` when either side's is.
        package init(_ adapted: GroupFigures, against other: GroupFigures) {
            func relative(_ a: Double?, _ b: Double?) -> Double? {
                guard let a, let b, b != 0 else { return nil }
                return (a - b) / b
            }
            func points(_ a: Double?, _ b: Double?) -> Double? {
                guard let a, let b else { return nil }
                return (a - b) * 100
            }
            self.init(
                durationChange: relative(adapted.meanDurationSeconds, other.meanDurationSeconds),
                successPoints: points(adapted.successRate, other.successRate),
                estimateErrorChange: relative(adapted.estimateError, other.estimateError),
                recoveredSharePoints: points(adapted.recoveredShare, other.recoveredShare))
        }
    }

    /// The groups over the last `lastRounds` rounds and the adapted group's comparisons.
    package struct Summary: Codable, Sendable, Hashable {
        package var lastRounds: Int
        package var groups: [String: GroupFigures]
        package var adaptedVsControl: Comparison?
        package var adaptedVsSeedRules: Comparison?

        package init(lastRounds: Int, groups: [String: GroupFigures], adaptedVsControl: Comparison?, adaptedVsSeedRules: Comparison?) {
            self.lastRounds = lastRounds
            self.groups = groups
            self.adaptedVsControl = adaptedVsControl
            self.adaptedVsSeedRules = adaptedVsSeedRules
        }

        private enum CodingKeys: String, CodingKey {
            case groups
            case lastRounds = "last_rounds"
            case adaptedVsControl = "adapted_vs_control"
            case adaptedVsSeedRules = "adapted_vs_seed_rules"
        }

        package func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(lastRounds, forKey: .lastRounds)
            try c.encode(groups, forKey: .groups)
            try c.encode(adaptedVsControl, forKey: .adaptedVsControl)
            try c.encode(adaptedVsSeedRules, forKey: .adaptedVsSeedRules)
        }
    }

    package var version: Int = 1
    package var seed: UInt64
    package var generatedAt: Date
    package var world: World
    package var groups: [AgentGroup]
    package var rounds: [Round]
    package var summary: Summary
    /// Adapter calls of the adapted group that got no answer in time (the agent then behaved as the
    /// control group); 0 in a healthy run.
    package var adapterFallbacks: Int = 0

    package init(seed: UInt64, generatedAt: Date, world: World, groups: [AgentGroup], rounds: [Round], summary: Summary) {
        self.seed = seed
        self.generatedAt = generatedAt
        self.world = world
        self.groups = groups
        self.rounds = rounds
        self.summary = summary
    }

    private enum CodingKeys: String, CodingKey {
        case version, seed, world, groups, rounds, summary
        case generatedAt = "generated_at"
        case adapterFallbacks = "adapter_fallbacks"
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        version = try c.decode(Int.self, forKey: .version)
        seed = try c.decode(UInt64.self, forKey: .seed)
        generatedAt = try c.decode(Date.self, forKey: .generatedAt)
        world = try c.decode(World.self, forKey: .world)
        groups = try c.decode([AgentGroup].self, forKey: .groups)
        rounds = try c.decode([Round].self, forKey: .rounds)
        summary = try c.decode(Summary.self, forKey: .summary)
        adapterFallbacks = try c.decodeIfPresent(Int.self, forKey: .adapterFallbacks) ?? 0
    }

    /// The report as JSON: sorted keys, ISO 8601 time, pretty-printed.
    package func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(self)
    }

    /// Writes ``jsonData()`` to `url`, creating its directory.
    package func write(to url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try jsonData().write(to: url, options: .atomic)
    }

    /// Reads a report written by ``write(to:)``.
    package static func read(from data: Data) throws -> LearningReport {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(LearningReport.self, from: data)
    }
}
