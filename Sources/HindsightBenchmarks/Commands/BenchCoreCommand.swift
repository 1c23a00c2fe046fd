import ArgumentParser
import Foundation
import HindsightCore
import HindsightTesting

/// `hindsight-bench core`: the learning core against a faithful Python re-implementation of the seed.
///
/// Analyses 100, 10,000 and 100,000 synthetic traces (``BenchCoreTraces``), adapts a plan and chooses a
/// recovery strategy; runs `benchmarks/core_baseline_seed.py` on the same traces (same seeded generator)
/// and prints Swift figure, Python figure and ratio. Both sides print the same canonical summary of what
/// they computed (``InsightsSummary``: success rate, slowest phases' means, best order, error patterns);
/// a difference is printed and the command exits with status 2. Build with `-c release` when measuring.
struct BenchCore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "core",
        abstract: "Learning core (analysis, adaptation, recovery) against the Python seed baseline.")

    @Option(name: .long, parsing: .upToNextOption, help: "Trace counts to analyse.")
    var sizes: [Int] = [100, 10_000, 100_000]

    @Option(name: .long, help: "Seed of the synthetic trace generator (shared with the Python baseline).")
    var seed: UInt64 = 42

    @Option(name: .long, help: "Path of the Python baseline script.")
    var baseline = "benchmarks/core_baseline_seed.py"

    @Option(name: .long, help: "Python interpreter.")
    var python = "python3"

    @Flag(name: .long, help: "Skip the Python baseline.")
    var noPython = false

    func validate() throws {
        guard !sizes.isEmpty, sizes.allSatisfy({ $0 > 0 }) else { throw ValidationError("--sizes must be positive") }
    }

    func run() async throws {
        print("hindsight-bench core — seed \(seed), one thread, median CPU time of repeated runs")
        var swift: [String: Double] = [:]
        var checksums: [Int: BenchCoreTraces.Checksum] = [:]
        var summaries: [Int: InsightsSummary] = [:]
        var insights100: PerformanceInsights?
        let analyzer = PerformanceAnalyzer()
        for size in sizes {
            var generator = BenchCoreTraces(seed: seed)
            let (traces, checksum) = generator.traces(size)
            checksums[size] = checksum
            let repeats = max(3, min(1000, 200_000 / max(size, 1)))
            var last: PerformanceInsights?
            swift["analysis \(size)"] = Self.median(repeats) {
                last = analyzer.analyze(traces, domain: "bench")
            }
            guard let insights = last else { continue }
            if insights100 == nil || size == 100 { insights100 = insights }
            summaries[size] = InsightsSummary(insights)
            print("  swift analysed \(size) traces (\(checksum)), summary \(summaries[size]?.digest ?? "-")")
        }
        let plan = BenchCoreTraces.plan()
        let engine = AdaptationEngine()
        if let insights100 {
            var adapted: AdaptedExecutionPlan?
            swift["adapt-plan"] = Self.median(31, inner: 1000) { adapted = engine.adapt(plan, insights: insights100) }
            print("  swift adapt-plan: \(adapted?.adaptations.joined(separator: "; ") ?? "-")")
        }
        let policy = RecoveryPolicy()
        let failures = FailureType.allCases
        var checksum = 0.0
        swift["strategy"] = Self.median(31, inner: 10_000) {
            for k in 0..<7 { checksum += policy.strategy(for: failures[k], phase: plan.phases[k % 6], retryCount: k % 2).estimatedCost }
        }
        swift["strategy"] = swift["strategy"].map { $0 / 7 }
        var python: [String: Double] = [:]
        var same = true
        if !noPython {
            (python, same) = try await runBaseline(expecting: checksums, summaries: summaries)
        }
        report(swift: swift, python: python)
        if checksum < 0 { print(checksum) }
        if !same {
            print("MISMATCH: the two sides did not compute the same insights (see above); their timings are not comparable")
            throw ExitCode(2)
        }
    }

    /// Median seconds per call of `body` over `runs` runs of `inner` calls, in CPU time of this thread
    /// (the build machines are shared, so wall-clock time would measure the neighbours too).
    static func median(_ runs: Int, inner: Int = 1, _ body: () -> Void) -> Double {
        var samples: [Double] = []
        for _ in 0..<runs {
            let start = threadCPUSeconds()
            for _ in 0..<inner { body() }
            samples.append((threadCPUSeconds() - start) / Double(inner))
        }
        samples.sort()
        return samples[samples.count / 2]
    }

    static func threadCPUSeconds() -> Double {
        cpuSeconds(thread: true)
    }

    /// Runs the Python seed on the same traces; returns its figures and whether both sides generated the
    /// same traces and computed the same insights.
    private func runBaseline(
        expecting checksums: [Int: BenchCoreTraces.Checksum], summaries: [Int: InsightsSummary]
    ) async throws -> (figures: [String: Double], same: Bool) {
        print("  running the Python baseline (\(baseline)) on the same traces…")
        let (termination, output) = try await ChildProcess.run(
            python, [baseline, "--seed", String(seed), "--sizes"] + sizes.map(String.init))
        struct Output: Decodable {
            var figures: [String: Double]
            var checksums: [String: [String: Int]]
            var summaries: [String: String]?
        }
        guard termination.isSuccess,
              let line = String(decoding: output, as: UTF8.self).split(separator: "\n").last,
              let json = try? JSONDecoder().decode(Output.self, from: Data(line.utf8)) else {
            print("  Python baseline failed (\(termination)); Swift figures only")
            return ([:], true)
        }
        var same = true
        for size in sizes {
            guard let expected = checksums[size], let got = json.checksums[String(size)] else { continue }
            let traces = got["events"] == expected.events && got["errors"] == expected.errors && got["completed"] == expected.completed
            if !traces {
                print("  traces \(size): MISMATCH python \(got) swift \(expected)")
                same = false
                continue
            }
            guard let ours = summaries[size] else { continue }
            guard let theirs = json.summaries?[String(size)] else {
                print("  traces \(size): identical; the baseline printed no insights summary")
                same = false
                continue
            }
            if theirs == ours.canonical {
                print("  traces \(size): identical traces, identical insights (summary \(ours.digest))")
            } else {
                print("  traces \(size): identical traces, DIFFERENT insights")
                print("    swift:  \(ours.canonical)")
                print("    python: \(theirs)")
                same = false
            }
        }
        return (json.figures, same)
    }

    private func report(swift: [String: Double], python: [String: Double]) {
        let rows = sizes.map { "analysis \($0)" } + ["adapt-plan", "strategy"]
        print("")
        print("what".padding(toLength: 18, withPad: " ", startingAt: 0) + "      swift      python   python/swift")
        for row in rows {
            guard let s = swift[row] else { continue }
            let p = python[row]
            let ratio = p.map { String(format: "%12.1fx", $0 / s) } ?? "           -"
            print(row.padding(toLength: 18, withPad: " ", startingAt: 0) + Self.format(s) + (p.map(Self.format) ?? "          -") + ratio)
        }
        if let smallest = sizes.min(), let largest = sizes.max(), smallest < largest,
           let a = swift["analysis \(smallest)"], let b = swift["analysis \(largest)"] {
            print(String(format: "swift scaling %d → %d traces: %.2f× time for %.0f× traces (per trace %.2f µs → %.2f µs)",
                         smallest, largest, b / a, Double(largest) / Double(smallest),
                         a / Double(smallest) * 1e6, b / Double(largest) * 1e6))
        }
    }

    private static func format(_ seconds: Double) -> String {
        let text = seconds >= 1 ? String(format: "%.2f s", seconds)
            : seconds >= 1e-3 ? String(format: "%.2f ms", seconds * 1e3)
            : seconds >= 1e-6 ? String(format: "%.2f µs", seconds * 1e6) : String(format: "%.0f ns", seconds * 1e9)
        return String(repeating: " ", count: max(0, 11 - text.count)) + text
    }
}

/// The insights both sides of `hindsight-bench core` must agree on, as one canonical line printed the same
/// way by `benchmarks/core_baseline_seed.py`:
/// `n=…;success=…;slow=phase:mean,…;order=a>b>…;errors=pattern:count|…`.
///
/// Success rate with 6 decimals; the five phases with the longest mean durations and those means (seconds,
/// 3 decimals), longest first; the best phase order; every error pattern with its count, most common first (ties by
/// pattern). The seed counts raw messages, so its side folds them by the generator's four templates.
struct InsightsSummary {
    var canonical: String

    init(_ insights: PerformanceInsights) {
        // Phase means from the per-phase statistics: `slowPhases` keeps only the phases the core flags as
        // slow, the seed's list is simply the five longest means.
        let slow = insights.phaseStatistics
            .sorted { $0.meanDuration != $1.meanDuration ? $0.meanDuration > $1.meanDuration : $0.phaseName < $1.phaseName }
            .prefix(5)
            .map { "\($0.phaseName):\(String(format: "%.3f", $0.meanDuration))" }
        let errors = insights.commonErrors
            .sorted { $0.count != $1.count ? $0.count > $1.count : $0.pattern < $1.pattern }
            .map { "\($0.pattern):\($0.count)" }
        canonical = "n=\(insights.sampleSize);success=\(String(format: "%.6f", insights.successRate ?? 0))"
            + ";slow=\(slow.joined(separator: ","));order=\(insights.optimalPhaseOrder.joined(separator: ">"))"
            + ";errors=\(errors.joined(separator: "|"))"
    }

    /// FNV-1a 64 of the canonical line, in hex (for the progress lines).
    var digest: String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in canonical.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        return String(hash, radix: 16)
    }
}
