import ArgumentParser
import Foundation
import HindsightCore

/// `hindsight bench core`: the learning core against a faithful Python re-implementation of the seed.
///
/// Analyses 100, 10,000 and 100,000 synthetic traces (``BenchCoreTraces``), adapts a plan and chooses a
/// recovery strategy; runs `benchmarks/core_baseline_seed.py` on the same traces (same seeded generator)
/// and prints Swift figure, Python figure and ratio. Build with `-c release` when measuring.
struct BenchCore: ParsableCommand {
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

    func run() throws {
        print("hindsight bench core — seed \(seed), one thread, median CPU time of repeated runs")
        var swift: [String: Double] = [:]
        var checksums: [Int: BenchCoreTraces.Checksum] = [:]
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
            if insights100 == nil || size == 100 { insights100 = last }
            print("  swift analysed \(size) traces (\(checksum)), order \(last!.optimalPhaseOrder.joined(separator: ">"))")
        }
        let plan = BenchCoreTraces.plan()
        let engine = AdaptationEngine()
        var adapted: AdaptedExecutionPlan?
        swift["adapt-plan"] = Self.median(31, inner: 1000) { adapted = engine.adapt(plan, insights: insights100!) }
        print("  swift adapt-plan: \(adapted!.adaptations.joined(separator: "; "))")
        let policy = RecoveryPolicy()
        let failures = FailureType.allCases
        var checksum = 0.0
        swift["strategy"] = Self.median(31, inner: 10_000) {
            for k in 0..<7 { checksum += policy.strategy(for: failures[k], phase: plan.phases[k % 6], retryCount: k % 2).estimatedCost }
        }
        swift["strategy"]! /= 7
        let python = noPython ? [:] : try runBaseline(expecting: checksums)
        report(swift: swift, python: python)
        if checksum < 0 { print(checksum) }
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
        var now = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) * 1e-9
    }

    private func runBaseline(expecting checksums: [Int: BenchCoreTraces.Checksum]) throws -> [String: Double] {
        print("  running the Python baseline (\(baseline)) on the same traces…")
        let (status, output) = try runCapturingOutput(
            [python, baseline, "--seed", String(seed), "--sizes"] + sizes.map(String.init))
        guard status == 0,
              let line = String(decoding: output, as: UTF8.self).split(separator: "\n").last,
              let json = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let figures = json["figures"] as? [String: Double] else {
            print("  Python baseline failed (exit \(status)); Swift figures only")
            return [:]
        }
        for (size, expected) in checksums {
            guard let got = (json["checksums"] as? [String: [String: Int]])?[String(size)] else { continue }
            let same = got["events"] == expected.events && got["errors"] == expected.errors && got["completed"] == expected.completed
            print("  traces \(size): \(same ? "identical in both languages" : "MISMATCH python \(got) swift \(expected)")")
        }
        return figures
    }

    private func report(swift: [String: Double], python: [String: Double]) {
        let targets: [String: Double] = ["analysis 100": 0.25e-3, "analysis 10000": 30e-3, "analysis 100000": 0.4,
                                         "adapt-plan": 10e-6, "strategy": 1e-6]
        let rows = sizes.map { "analysis \($0)" } + ["adapt-plan", "strategy"]
        print("")
        print("what".padding(toLength: 18, withPad: " ", startingAt: 0) + "      swift      python     ratio   target")
        for row in rows {
            guard let s = swift[row] else { continue }
            let p = python[row]
            let ratio = p.map { String(format: "%8.1fx", $0 / s) } ?? "       -"
            let target = targets[row].map { (s <= $0 ? "met " : "MISS ") + Self.format($0) } ?? ""
            print(row.padding(toLength: 18, withPad: " ", startingAt: 0) + Self.format(s) + (p.map(Self.format) ?? "          -") + ratio + "   " + target)
        }
        if let a = swift["analysis 100"], let b = swift["analysis \(sizes.max() ?? 100)"], sizes.count > 1 {
            let n = Double(sizes.max()!) / 100
            print(String(format: "swift scaling 100 → %d traces: %.2f× time for %.0f× traces (per trace %.2f µs → %.2f µs)",
                         sizes.max()!, b / a, n, a / 100 * 1e6, b / Double(sizes.max()!) * 1e6))
        }
    }

    private static func format(_ seconds: Double) -> String {
        let text = seconds >= 1 ? String(format: "%.2f s", seconds)
            : seconds >= 1e-3 ? String(format: "%.2f ms", seconds * 1e3)
            : seconds >= 1e-6 ? String(format: "%.2f µs", seconds * 1e6) : String(format: "%.0f ns", seconds * 1e9)
        return String(repeating: " ", count: max(0, 11 - text.count)) + text
    }
}
