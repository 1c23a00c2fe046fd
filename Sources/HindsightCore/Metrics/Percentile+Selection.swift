extension Percentile {
    /// Several `percentile_cont` values of unsorted values in expected linear time.
    ///
    /// Reorders `values` in place (quickselect on a shrinking range: after rank `r` is placed, every later
    /// rank lies to its right), so k percentiles cost O(k·n) instead of a full sort. Falls back to sorting
    /// the remaining range when partitioning degenerates. Returns `nil`s for empty input.
    ///
    /// - Precondition: every fraction is in `0...1`.
    public static func continuous(_ fractions: [Double], selectingIn values: inout [Double]) -> [Double?] {
        guard !values.isEmpty else { return fractions.map { _ in nil } }
        let n = values.count
        var result = [Double?](repeating: nil, count: fractions.count)
        let order = fractions.indices.sorted { fractions[$0] < fractions[$1] }
        var low = 0
        values.withUnsafeMutableBufferPointer { v in
            for index in order {
                let position = Double(n - 1) * fractions[index]
                let lower = Int(position)
                select(lower, in: v, from: low)
                low = lower
                let weight = position - Double(lower)
                var upperValue = v[lower]
                if weight > 0, lower + 1 < n {
                    upperValue = v[lower + 1]
                    for k in (lower + 2)..<n where v[k] < upperValue { upperValue = v[k] }
                }
                result[index] = v[lower] + (upperValue - v[lower]) * weight
            }
        }
        return result
    }

    /// Places the element of rank `k` at index `k` of `v[from...]`, smaller ones before it, larger after.
    private static func select(_ k: Int, in v: UnsafeMutableBufferPointer<Double>, from: Int) {
        var lo = from, hi = v.count - 1
        var budget = 2 * (Int.bitWidth - v.count.leadingZeroBitCount) + 8
        while lo < hi {
            budget -= 1
            if budget < 0 {
                var range = UnsafeMutableBufferPointer(rebasing: v[lo...hi])
                range.sort()
                return
            }
            let mid = lo + (hi - lo) / 2
            // median of three as pivot, moved to hi
            if v[mid] < v[lo] { v.swapAt(mid, lo) }
            if v[hi] < v[lo] { v.swapAt(hi, lo) }
            if v[mid] < v[hi] { v.swapAt(mid, hi) }
            let pivot = v[hi]
            var store = lo
            for i in lo..<hi where v[i] < pivot {
                v.swapAt(i, store)
                store += 1
            }
            v.swapAt(store, hi)
            // equal keys: skip the run equal to the pivot so duplicates cannot stall progress
            var end = store
            while end + 1 <= hi, v[end + 1] == pivot { end += 1 }
            if k < store { hi = store - 1 } else if k > end { lo = end + 1 } else { return }
        }
    }
}
