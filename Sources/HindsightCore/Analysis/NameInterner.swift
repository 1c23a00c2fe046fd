/// Maps names to dense integer ids: a linear scan over the first few names (lengths first, then equal
/// small strings match on their raw bits: much cheaper than hashing) with a dictionary behind it.
struct NameInterner {
    private static let linearLimit = 16
    private(set) var names: [String] = []
    private var lengths: [Int] = []
    private var overflow: [String: Int] = [:]

    var count: Int { names.count }

    /// The id of `name`, adding it when new.
    mutating func id(of name: String) -> Int {
        let scan = Swift.min(names.count, Self.linearLimit)
        let length = name.utf8.count // O(1): a mismatch in length skips the content comparison
        for i in 0..<scan where lengths[i] == length && names[i] == name { return i }
        if names.count > Self.linearLimit, let id = overflow[name] { return id }
        let id = names.count
        names.append(name)
        lengths.append(length)
        if id >= Self.linearLimit { overflow[name] = id }
        return id
    }
}
