/// Which broker address a reconnect attempt goes to, and how long it waits first.
///
/// Pure (no clock, no randomness of its own) so the policy is tested without a broker:
///
/// - Attempt *k* (1, 2, …) after losing the address at index `lost` goes to
///   `(lost + k) mod count`: the next node first, never the one just lost while others are left,
///   then round robin, so a node that comes back is tried again.
/// - The delay before attempt *k* is `initialDelay × 2^round`, capped at `maximumDelay`, where
///   `round = (k − 1) / count`: a whole round over the list at the initial delay (a dead node costs
///   one short hop to the next), doubling only once every address failed. With one address this
///   is plain exponential back-off.
/// - Jitter multiplies the delay by a factor in `0.5 … 1` (the caller draws it) so that the
///   clients of a lost node do not all hit the next one at the same instant.
package struct FailoverSchedule: Sendable, Hashable {
    package let endpointCount: Int
    package let initialDelay: Duration
    package let maximumDelay: Duration

    package init(endpointCount: Int, initialDelay: Duration, maximumDelay: Duration) {
        self.endpointCount = max(1, endpointCount)
        self.initialDelay = initialDelay
        self.maximumDelay = max(initialDelay, maximumDelay)
    }

    /// The index of the address attempt `attempt` (1-based) goes to after losing `lost`.
    package func endpoint(attempt: Int, lost: Int) -> Int {
        (lost + max(1, attempt)) % endpointCount
    }

    /// The wait before attempt `attempt` (1-based); `jitter` is clamped to `0.5 … 1`.
    package func delay(beforeAttempt attempt: Int, jitter: Double) -> Duration {
        let round = (max(1, attempt) - 1) / endpointCount
        let base = Double(initialDelay.milliseconds)
        let cap = Double(maximumDelay.milliseconds)
        let grown = min(cap, base * Double(1 << min(round, 20)))
        return .milliseconds(Int64(grown * min(1, max(0.5, jitter))))
    }
}
