/// Percentiles by linear interpolation between closest ranks, identical to PostgreSQL `percentile_cont`.
///
/// For a fraction `p` in `0...1` over `n` sorted values the position is `(n − 1)·p`; the result
/// interpolates between the values at the floor and the ceiling of that position. This is also numpy's
/// `linear` method and the seed's formula. (The seed's API took percents `0...100`; see
/// ``MetricsCollector/percentiles(of:percents:)`` for that form.)
public enum Percentile {
    /// The `fraction` percentile of already sorted values, or `nil` for an empty array
    /// (PostgreSQL returns NULL there).
    ///
    /// - Precondition: `fraction` is in `0...1` and `sorted` is ascending.
    public static func continuous(_ fraction: Double, sorted: [Double]) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let position = Double(sorted.count - 1) * fraction
        let lower = Int(position)
        let upper = Swift.min(lower + 1, sorted.count - 1)
        let weight = position - Double(lower)
        return sorted[lower] + (sorted[upper] - sorted[lower]) * weight
    }

    /// The `fraction` percentile of unsorted values.
    ///
    /// - Throws: ``ModelError/percentileOutOfRange(_:)`` when `fraction` is outside `0...1`.
    public static func continuous(_ fraction: Double, of values: [Double]) throws(ModelError) -> Double? {
        guard fraction >= 0, fraction <= 1 else { throw .percentileOutOfRange(fraction) }
        return continuous(fraction, sorted: values.sorted())
    }
}
