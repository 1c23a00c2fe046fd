package import HindsightStore

extension RetentionRunner.Configuration {
    /// Reads the retention settings through the one configuration reader (``EnvironmentReader``); an
    /// unset variable keeps the default, a set but invalid one throws. The analyzer runs retention with
    /// them, and `hindsight retention` starts from them.
    ///
    /// | key | variable | type | default |
    /// |---|---|---|---|
    /// | `retention.rawDays` | `HINDSIGHT_RETENTION_RAW_DAYS` | 1…36500 | 30 |
    /// | `retention.executionDays` | `HINDSIGHT_RETENTION_EXECUTION_DAYS` | raw days…36500 | 365 |
    /// | `retention.batchSize` | `HINDSIGHT_RETENTION_BATCH_SIZE` | 1…100000 | 1000 |
    /// | `retention.batchPauseMs` | `HINDSIGHT_RETENTION_BATCH_PAUSE_MS` | 0…60000 | 50 |
    /// | `retention.partitionsAheadDays` | `HINDSIGHT_RETENTION_PARTITIONS_AHEAD_DAYS` | 0…366 | 7 |
    /// | `retention.intervalSeconds` | `HINDSIGHT_RETENTION_INTERVAL_SECONDS` | 60…604800 | 3600 |
    ///
    /// - Throws: ``ConfigurationError`` naming the first invalid variable and its value (the
    ///   executions window is checked against the raw window).
    package init(environment: EnvironmentReader) throws(ConfigurationError) {
        self.init()
        if let value = try environment.int("retention.rawDays", in: Self.rawDaysRange) { rawDays = value }
        if let value = try environment.int("retention.executionDays", in: Self.rawDaysRange) { executionDays = value }
        if let value = try environment.int("retention.batchSize", in: Self.batchSizeRange) { batchSize = value }
        if let value = try environment.milliseconds("retention.batchPauseMs", in: 0...60_000) { batchPause = value }
        if let value = try environment.int("retention.partitionsAheadDays", in: Self.partitionsAheadRange) { partitionsAhead = value }
        if let value = try environment.int("retention.intervalSeconds", in: 60...604_800) { interval = .seconds(value) }
        guard executionDays >= rawDays else {
            throw ConfigurationError(
                key: "retention.executionDays", value: "\(executionDays)",
                expected: "at least the raw window HINDSIGHT_RETENTION_RAW_DAYS (\(rawDays) days): consolidated rows outlive raw events")
        }
    }
}
