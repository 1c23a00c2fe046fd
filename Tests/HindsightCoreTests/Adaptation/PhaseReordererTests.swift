import Testing
@testable import HindsightCore

@Suite("PhaseReorderer")
struct PhaseReordererTests {
    func names(_ phases: [PlanPhase], _ order: [String]) -> [String] {
        PhaseReorderer.reorder(phases, towards: order).map(\.name)
    }

    @Test func followsLearnedOrderWhenFree() {
        #expect(names([Fixtures.phase("A"), Fixtures.phase("B")], ["B", "A"]) == ["B", "A"])
    }

    @Test func dependenciesWin() {
        let phases = [Fixtures.phase("A"), Fixtures.phase("B", dependencies: ["A"]), Fixtures.phase("C")]
        #expect(names(phases, ["B", "C", "A"]) == ["C", "A", "B"])
    }

    @Test func partialAndUnknownNamesNeverLoseOrDuplicate() {
        let phases = [Fixtures.phase("A"), Fixtures.phase("B"), Fixtures.phase("C")]
        #expect(names(phases, ["C"]) == ["C", "A", "B"])
        #expect(names(phases, ["A", "A", "zzz"]) == ["A", "B", "C"])
        #expect(names(phases, []) == ["A", "B", "C"])
    }

    @Test func cyclesAndExternalDependencies() {
        let cyclic = [Fixtures.phase("A", dependencies: ["B"]), Fixtures.phase("B", dependencies: ["A"]), Fixtures.phase("C")]
        #expect(names(cyclic, ["B", "A", "C"]) == ["C", "A", "B"])
        let external = [Fixtures.phase("A", dependencies: ["elsewhere"]), Fixtures.phase("B")]
        #expect(names(external, ["A", "B"]) == ["A", "B"])
    }

    @Test func alwaysAPermutation() {
        let phases = (0..<8).map { i in Fixtures.phase("p\(i)", dependencies: i > 0 && i % 3 == 0 ? ["p\(i - 2)"] : []) }
        var generator = SplitMixGenerator(state: StableHash.offsetBasis)
        for _ in 0..<200 {
            let order = phases.map(\.name).shuffled(using: &generator)
            let result = PhaseReorderer.reorder(phases, towards: order)
            #expect(Set(result.map(\.name)) == Set(phases.map(\.name)) && result.count == phases.count)
            for (i, phase) in result.enumerated() {
                for dependency in phase.dependencies {
                    #expect(result.prefix(i).contains { $0.name == dependency })
                }
            }
        }
    }
}

/// A deterministic generator for shuffles in tests.
private struct SplitMixGenerator: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state = StableHash.mix(state)
        return state
    }
}
