/// Classifies a failure from its error type and message into one of the seven ``FailureType``s.
///
/// Matching is by whole words and word sequences, never substrings, so "room" is not "oom", "sparse" is
/// not "parse" and "access.log" is not a permission problem. The error type is split at case changes
/// (`FileNotFoundError` → file not found error) and checked first because it is structured; the message
/// decides when the type says nothing. Rules in priority order:
///
/// | type | words |
/// |---|---|
/// | timeout | timeout(s), timed out, time out, deadline exceeded, etimedout |
/// | permission denied | permission(s), access denied, forbidden, unauthorized, not permitted, eacces, eperm, 401, 403 |
/// | resource not found | not found, notfound, no such, does not exist, enoent, 404 |
/// | network error | connection, network, unreachable, refused, econnrefused, econnreset, dns, socket, reset by peer |
/// | resource exhaustion | memory, oom, oomkilled, quota, rate limit, exhausted, no space, disk full, too many requests, 429 |
/// | syntax error | syntax, parse, parsing, parser, malformed, decode, invalid json, unexpected token |
public enum FailureClassifier {
    private static let rules: [(FailureType, [[String]])] = [
        (.timeout, [["timeout"], ["timeouts"], ["timed", "out"], ["time", "out"], ["deadline", "exceeded"], ["etimedout"], ["timedout"]]),
        (.permissionDenied, [["permission"], ["permissions"], ["access", "denied"], ["forbidden"], ["unauthorized"],
                             ["not", "permitted"], ["eacces"], ["eperm"], ["401"], ["403"]]),
        (.resourceNotFound, [["not", "found"], ["notfound"], ["no", "such"], ["does", "not", "exist"], ["enoent"], ["404"]]),
        (.networkError, [["connection"], ["network"], ["unreachable"], ["refused"], ["econnrefused"], ["econnreset"],
                         ["dns"], ["socket"], ["reset", "by", "peer"]]),
        (.resourceExhaustion, [["memory"], ["oom"], ["oomkilled"], ["quota"], ["rate", "limit"], ["exhausted"],
                               ["no", "space"], ["disk", "full"], ["too", "many", "requests"], ["429"]]),
        (.syntaxError, [["syntax"], ["parse"], ["parsing"], ["parser"], ["malformed"], ["decode"], ["invalid", "json"],
                        ["unexpected", "token"]]),
    ]

    /// The failure type of an error with an optional type name and a message.
    public static func classify(errorType: String? = nil, message: String) -> FailureType {
        if let errorType, let type = match(words(errorType, splitCamelCase: true)) { return type }
        return match(words(message, splitCamelCase: false)) ?? .unknownError
    }

    private static func match(_ words: [String]) -> FailureType? {
        guard !words.isEmpty else { return nil }
        for (type, phrases) in rules {
            for phrase in phrases where contains(words, phrase) { return type }
        }
        return nil
    }

    private static func contains(_ words: [String], _ phrase: [String]) -> Bool {
        guard words.count >= phrase.count else { return false }
        for start in 0...(words.count - phrase.count) {
            var matched = true
            for k in phrase.indices where words[start + k] != phrase[k] {
                matched = false
                break
            }
            if matched { return true }
        }
        return false
    }

    /// Lower-cased ASCII words of letters and digits; with `splitCamelCase`, `FileNotFound` gives three words.
    static func words(_ text: String, splitCamelCase: Bool) -> [String] {
        var result: [String] = []
        var current: [UInt8] = []
        var previousWasLower = false, previousWasUpper = false
        func flush() {
            if !current.isEmpty { result.append(String(decoding: current, as: UTF8.self)) }
            current.removeAll(keepingCapacity: true)
        }
        let bytes = Array(text.utf8)
        for (i, byte) in bytes.enumerated() {
            let isUpper = byte >= 65 && byte <= 90, isLower = byte >= 97 && byte <= 122, isDigit = byte >= 48 && byte <= 57
            guard isUpper || isLower || isDigit else {
                flush()
                previousWasLower = false
                previousWasUpper = false
                continue
            }
            if splitCamelCase, isUpper {
                // "FileNot" splits before N; "JSONDecode" splits before D (an acronym ends where a word starts)
                let nextIsLower = i + 1 < bytes.count && bytes[i + 1] >= 97 && bytes[i + 1] <= 122
                if previousWasLower || (previousWasUpper && nextIsLower) { flush() }
            }
            current.append(isUpper ? byte + 32 : byte)
            previousWasLower = isLower || isDigit
            previousWasUpper = isUpper
        }
        flush()
        return result
    }
}
