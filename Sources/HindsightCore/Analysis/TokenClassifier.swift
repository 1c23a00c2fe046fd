/// Byte-level recognisers used by ``ErrorMessageNormalizer``.
enum TokenClassifier {
    /// The replacement for a whole token, or `nil` when the token needs part-wise treatment.
    static func wholeTokenClass(_ t: UnsafeBufferPointer<UInt8>) -> String? {
        if contains(t, "://") { return "<url>" }
        if isPath(t) { return "<path>" }
        if isIPv4(t) { return "<ip>" }
        if isUUID(t) { return "<uuid>" }
        if isHostPort(t) { return "<host>" }
        return nil
    }

    /// Splits at `_ - = : @ #` and replaces hex ids and digit runs in each part.
    static func replaceParts(_ t: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        var partStart = 0
        for i in 0...t.count where i == t.count || isSeparator(t[i]) {
            replacePart(UnsafeBufferPointer(rebasing: t[partStart..<i]), into: &out)
            if i < t.count { out.append(t[i]) }
            partStart = i + 1
        }
    }

    private static func replacePart(_ p: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        if isHexID(p) {
            out.append(contentsOf: hexMarker)
            return
        }
        var i = 0, runStart = 0
        while i < p.count {
            guard isDigit(p[i]) else {
                i += 1
                continue
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: p[runStart..<i]))
            var j = i + 1
            while j < p.count {
                if isDigit(p[j]) { j += 1 } else if (p[j] == 46 || p[j] == 44), j + 1 < p.count, isDigit(p[j + 1]) { j += 2 } else { break }
            }
            out.append(contentsOf: numberMarker)
            i = j
            runStart = j
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: p[runStart..<p.count]))
    }

    private static let hexMarker = Array("<hex>".utf8)
    private static let numberMarker = Array("<n>".utf8)

    private static func isSeparator(_ b: UInt8) -> Bool { b == 95 || b == 45 || b == 61 || b == 58 || b == 64 || b == 35 }
    static func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }
    private static func isHex(_ b: UInt8) -> Bool { isDigit(b) || ((b | 0x20) >= 97 && (b | 0x20) <= 102) }
    private static func isHostChar(_ b: UInt8) -> Bool {
        isDigit(b) || ((b | 0x20) >= 97 && (b | 0x20) <= 122) || b == 46 || b == 45
    }

    private static func contains(_ t: UnsafeBufferPointer<UInt8>, _ needle: StaticString) -> Bool {
        let n = needle.utf8CodeUnitCount, first = needle.utf8Start
        guard t.count >= n else { return false }
        outer: for s in 0...(t.count - n) {
            for k in 0..<n where t[s + k] != first[k] { continue outer }
            return true
        }
        return false
    }

    private static func isPath(_ t: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = t.first else { return false }
        if first == 47, t.count > 1 { return true }                                  // /abs
        if t.count > 2, first == 126 || first == 46, t[1] == 47 || (t[1] == 46 && t[2] == 47) { return true } // ~/ ./ ../
        if t.count > 2, (first | 0x20) >= 97, (first | 0x20) <= 122, t[1] == 58, t[2] == 92 { return true } // C:\
        let slashes = t.count { $0 == 47 || $0 == 92 }
        guard slashes > 0, t.last != 47 else { return false }
        if slashes >= 2 { return true }
        // one slash: treat as a path only when the last segment looks like a file name (has an extension)
        guard let slash = t.lastIndex(where: { $0 == 47 || $0 == 92 }), slash > 0 else { return false }
        return t[(slash + 1)...].contains(46)
    }

    private static func isIPv4(_ t: UnsafeBufferPointer<UInt8>) -> Bool {
        var groups = 0, digits = 0, i = 0
        while i < t.count {
            let b = t[i]
            if isDigit(b) {
                digits += 1
                if digits > 3 { return false }
            } else if b == 46, digits > 0, groups < 3 {
                groups += 1
                digits = 0
            } else if b == 58, groups == 3, digits > 0 {
                return i + 1 < t.count && t[(i + 1)...].allSatisfy(isDigit)
            } else {
                return false
            }
            i += 1
        }
        return groups == 3 && digits > 0
    }

    private static func isUUID(_ t: UnsafeBufferPointer<UInt8>) -> Bool {
        guard t.count == 36 else { return false }
        for (i, b) in t.enumerated() {
            if i == 8 || i == 13 || i == 18 || i == 23 {
                if b != 45 { return false }
            } else if !isHex(b) {
                return false
            }
        }
        return true
    }

    private static func isHostPort(_ t: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let colon = t.lastIndex(of: 58), colon > 0, colon + 1 < t.count else { return false }
        let host = t[..<colon], port = t[(colon + 1)...]
        guard port.count <= 5, port.allSatisfy(isDigit), host.allSatisfy(isHostChar) else { return false }
        return host.contains { !isDigit($0) && $0 != 46 } // a name, not a bare number like 12:30
    }

    private static func isHexID(_ p: UnsafeBufferPointer<UInt8>) -> Bool {
        if p.count > 2, p[p.startIndex] == 48, p[p.startIndex + 1] | 0x20 == 120 {
            return p.dropFirst(2).allSatisfy(isHex)
        }
        guard p.count >= 6, p.allSatisfy(isHex), p.contains(where: isDigit) else { return false }
        return p.contains { !isDigit($0) } || p.count >= 12 // pure decimal numbers stay numbers unless very long
    }
}
