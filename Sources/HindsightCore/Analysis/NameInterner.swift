/// Maps names to dense integer ids: a linear scan over the first few names (small strings compare by
/// their raw bits, much cheaper than hashing) with a dictionary behind it for the rest.
struct NameInterner {
    private static let linearLimit = 16
    private(set) var names: [String] = []
    private var overflow: [String: Int] = [:]

    var count: Int { names.count }

    /// The id of `name`, adding it when new.
    mutating func id(of name: String) -> Int {
        let scan = Swift.min(names.count, Self.linearLimit)
        for i in 0..<scan where names[i] == name { return i }
        if names.count > Self.linearLimit, let id = overflow[name] { return id }
        let id = names.count
        names.append(name)
        if id >= Self.linearLimit { overflow[name] = id }
        return id
    }

    /// The id of `name`, if known.
    func existingID(of name: String) -> Int? {
        let scan = Swift.min(names.count, Self.linearLimit)
        for i in 0..<scan where names[i] == name { return i }
        return overflow[name]
    }
}
