/// Confidence in findings from the number of executions behind them (the seed's table).
///
/// | sample size n | confidence |
/// |---|---|
/// | 0 | 0.0 (nothing learned) |
/// | ≥ 100 | 1.0 |
/// | 50–99 | 0.9 |
/// | 20–49 | 0.7 |
/// | minimum–19 | 0.5 |
/// | 1 … minimum−1 | max(0.1, n / minimum × 0.5) |
///
/// The seed gave 0.1 for n = 0 from this table while its analyzer reported 0.0 for empty input; the core
/// uses 0.0 in both places.
public enum SampleConfidence {
    /// The confidence for `sampleSize` executions with `minimumSampleSize` (default 10).
    public static func score(sampleSize n: Int, minimumSampleSize: Int = 10) -> Double {
        guard n > 0 else { return 0 }
        if n >= 100 { return 1.0 }
        if n >= 50 { return 0.9 }
        if n >= 20 { return 0.7 }
        let minimum = Swift.max(1, minimumSampleSize)
        if n >= minimum { return 0.5 }
        return Swift.max(0.1, Double(n) / Double(minimum) * 0.5)
    }
}
