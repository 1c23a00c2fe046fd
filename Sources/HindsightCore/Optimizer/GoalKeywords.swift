/// Keyword extraction and goal similarity (the seed's rules, with its complexity check fixed).
public enum GoalKeywords {
    /// Words ignored as keywords (the seed's list; only "with" is longer than three letters).
    public static let stopWords: Set<String> = ["the", "a", "an", "and", "or", "but", "in", "on", "at", "to", "for", "of", "with", "by"]

    /// Lower-cased words (runs of letters, digits and `_`, Unicode-aware) longer than three characters,
    /// minus ``stopWords``.
    public static func keywords(in text: String) -> Set<String> {
        var result = Set<String>()
        var word = ""
        func flush() {
            if word.count > 3, !stopWords.contains(word) { result.insert(word) }
            word.removeAll(keepingCapacity: true)
        }
        for character in text.lowercased() {
            if character.isLetter || character.isNumber || character == "_" { word.append(character) } else { flush() }
        }
        flush()
        return result
    }

    /// Similarity of a past execution's goal to `goal`, `0...1`:
    /// 0.5 for the same domain + 0.3 × (share of `goal`'s keywords found in the past goal text)
    /// + 0.2 when both goals have the same complexity.
    ///
    /// The keyword share is normalised by the new goal's keywords: a past goal that covers all of them is
    /// fully relevant even when it says more. The seed compared the complexity *word* with the past goal
    /// text ("complex" matched "complexity"); here the recorded complexities are compared.
    public static func similarity(
        of goal: GoalDefinition, toGoalText text: String, domain: String?, complexity: GoalDefinition.Complexity?
    ) -> Double {
        var score = domain == goal.domain ? 0.5 : 0
        let wanted = keywords(in: goal.goal)
        if !wanted.isEmpty {
            let found = keywords(in: text)
            score += 0.3 * Double(wanted.intersection(found).count) / Double(wanted.count)
        }
        if complexity == goal.complexity { score += 0.2 }
        return Swift.min(score, 1)
    }

    /// Similarity of `trace` to `goal` (see ``similarity(of:toGoalText:domain:complexity:)``).
    public static func similarity(of goal: GoalDefinition, to trace: ExecutionTrace) -> Double {
        similarity(of: goal, toGoalText: trace.goal?.goal ?? "", domain: trace.domain, complexity: trace.goal?.complexity)
    }
}
