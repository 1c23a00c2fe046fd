/// What one analyzer round did: the change log it folded and each domain it analysed, with timings.
public struct AnalysisRoundReport: Sendable, Equatable, Codable {
    /// One analysed domain.
    public struct Domain: Sendable, Equatable, Codable {
        /// The domain.
        public var domain: String
        /// Executions in its window.
        public var executions: Int
        /// Executions marked abandoned before the analysis.
        public var abandoned: Int
        /// Dirty days whose daily rollups were refreshed.
        public var rollupDays: Int
        /// Stale-execution check (p99 and marking), milliseconds.
        public var staleMilliseconds: Double
        /// Reading the window, milliseconds.
        public var readMilliseconds: Double
        /// The learning core and the rows to write, milliseconds.
        public var computeMilliseconds: Double
        /// Writing insights and rollups and completing the claim, milliseconds.
        public var writeMilliseconds: Double
        /// Claim to commit, milliseconds.
        public var totalMilliseconds: Double

        public init(
            domain: String, executions: Int = 0, abandoned: Int = 0, rollupDays: Int = 0, staleMilliseconds: Double = 0,
            readMilliseconds: Double = 0, computeMilliseconds: Double = 0, writeMilliseconds: Double = 0,
            totalMilliseconds: Double = 0
        ) {
            self.domain = domain
            self.executions = executions
            self.abandoned = abandoned
            self.rollupDays = rollupDays
            self.staleMilliseconds = staleMilliseconds
            self.readMilliseconds = readMilliseconds
            self.computeMilliseconds = computeMilliseconds
            self.writeMilliseconds = writeMilliseconds
            self.totalMilliseconds = totalMilliseconds
        }
    }

    /// A domain whose analysis failed for a reason retrying cannot fix; it stays due.
    public struct Failure: Sendable, Equatable, Codable {
        public var domain: String
        /// One line: the failure's class and summary.
        public var message: String
    }

    /// Change-log rows folded; `nil` when another replica was folding.
    public var foldedChanges: Int?
    /// Domains analysed and committed, in the order they were.
    public var domains: [Domain] = []
    /// Domains that failed (the round went on without them).
    public var failures: [Failure] = []
    /// The whole round, milliseconds.
    public var totalMilliseconds: Double = 0

    public init(foldedChanges: Int? = nil) {
        self.foldedChanges = foldedChanges
    }

    /// Executions read over all domains.
    public var executions: Int { domains.reduce(0) { $0 + $1.executions } }
}
