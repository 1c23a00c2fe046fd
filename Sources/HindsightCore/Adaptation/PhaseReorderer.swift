/// Reorders plan phases towards a learned order without ever breaking a dependency, duplicating or
/// losing a phase.
///
/// A topological sort (Kahn's algorithm) that, whenever several phases are ready, takes the one ranked
/// first: phases in the learned order rank by their position there, the others after them by plan
/// position. Dependencies on names outside the plan are treated as already satisfied; phases caught in a
/// dependency cycle are appended in plan order.
public enum PhaseReorderer {
    /// The phases in the new order (always a permutation of `phases`).
    public static func reorder(_ phases: [PlanPhase], towards learned: [String]) -> [PlanPhase] {
        let n = phases.count
        // Plans have at most ten phases: linear name lookups beat building dictionaries and sets.
        func index(of name: String) -> Int? { phases.firstIndex { $0.name == name } }
        var rank = [Int](repeating: 0, count: n)
        for i in 0..<n { rank[i] = learned.count + i }
        for (position, name) in learned.enumerated() {
            if let i = index(of: name), rank[i] >= learned.count { rank[i] = position }
        }
        var pending = [Int](repeating: 0, count: n)
        var dependents = [[Int]](repeating: [], count: n)
        for i in 0..<n {
            for dependency in phases[i].dependencies {
                guard let d = index(of: dependency), d != i, !dependents[d].contains(i) else { continue }
                pending[i] += 1
                dependents[d].append(i)
            }
        }
        var placed = [Bool](repeating: false, count: n)
        var result: [PlanPhase] = []
        result.reserveCapacity(n)
        while result.count < n {
            // at most ten phases: a linear scan for the best ready phase is simplest and fast
            var best: Int?
            for i in 0..<n where !placed[i] && pending[i] == 0 {
                if best == nil || rank[i] < rank[best!] { best = i }
            }
            guard let next = best else { break } // a cycle: the rest follows in plan order
            placed[next] = true
            result.append(phases[next])
            for dependent in dependents[next] { pending[dependent] -= 1 }
        }
        for i in 0..<n where !placed[i] { result.append(phases[i]) }
        return result
    }
}
