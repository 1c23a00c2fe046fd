// Micro-benchmarks of the learning core, with package-benchmark (ordo-one/benchmark):
//
//     swift package --allow-writing-to-package-directory benchmark --target CoreBenchmarks
//
// Instructions and allocations are counted per iteration: steadier than wall time on a shared machine.
// Inputs come from the same generators as the tests and `hindsight-bench` (HindsightTesting).
import Benchmark
import Foundation
import HindsightCore
import HindsightTesting

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.instructions, .mallocCountTotal, .wallClock, .throughput],
        warmupIterations: 10,
        maxDuration: .seconds(2),
        maxIterations: 100_000)

    // One simulated execution (~24 events) and its messages, generated once.
    var simulator = FleetSimulator(seed: 42)
    let execution = simulator.execution(startingAt: 1_762_887_901_000_000)
    let now = WireFormat.currentMicros()
    var hundred: [WireEvent] = []
    while hundred.count < 100 { hundred += simulator.execution(startingAt: 1_762_887_901_000_000 + Int64(hundred.count) * 1_000_000) }
    let single = WireFormat.encode(execution[1])
    let batch = WireFormat.encodeBatch(Array(hundred.prefix(100)))

    Benchmark("wire decode: one event (\(single.count) B)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try WireFormat.decode(single, now: now))
        }
    }

    Benchmark("wire decode: 100-event batch (\(batch.count) B)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try WireFormat.decode(batch, now: now))
        }
    }

    Benchmark("consolidation: one execution (\(execution.count) events)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(ConsolidatedState(uniqueEvents: execution))
        }
    }

    for count in [100, 10_000] {
        var generator = BenchCoreTraces(seed: 42)
        let (traces, _) = generator.traces(count)
        let analyzer = PerformanceAnalyzer()
        Benchmark("analysis: \(count) traces", configuration: .init(maxDuration: .seconds(3), maxIterations: count > 1000 ? 50 : 2000)) { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(analyzer.analyze(traces, domain: "bench"))
            }
        }
    }
}
