/// Parses AMQP URIs (https://www.rabbitmq.com/docs/uri-spec) without Foundation's URL, whose
/// handling of percent-encoded user info and empty paths differs between platforms.
enum URLParser {
    /// Parses one URL or a comma-separated list of URLs that differ only in host and port.
    static func parse(_ text: String) throws(AMQPError) -> AMQPConfiguration {
        let urls = split(text)
        if text.contains(","), text.hasPrefix(",") || urls.contains(where: { $0.isEmpty || $0.hasSuffix(",") }) {
            throw AMQPError(.invalidConfiguration, "invalid AMQP URL list (an empty entry) — separate URLs with single commas")
        }
        var config = try parseOne(urls[0])
        guard urls.count > 1 else { return config }
        var seen: Set<AMQPConfiguration.Endpoint> = [AMQPConfiguration.Endpoint(host: config.host, port: config.port)]
        for (index, url) in urls.enumerated().dropFirst() {
            let other = try parseOne(url)
            let endpoint = AMQPConfiguration.Endpoint(host: other.host, port: other.port)
            if let field = differingSetting(config, other) {
                throw AMQPError(.invalidConfiguration,
                                "invalid AMQP URL list (URL \(index + 1) differs from the first in its \(field)) — every URL of a list names the same scheme, user, password, virtual host and parameters; only host:port differ")
            }
            guard seen.insert(endpoint).inserted else {
                throw AMQPError(.invalidConfiguration, "invalid AMQP URL list (\(endpoint) appears twice) — name each broker once")
            }
            config.failoverEndpoints.append(endpoint)
        }
        return config
    }

    /// Splits a URL list at each comma followed by `amqp://` or `amqps://` (spaces around the
    /// commas are ignored); any other comma belongs to the URL (a password, a file path).
    static func split(_ text: String) -> [String] {
        var urls: [String] = []
        var current = ""
        for piece in text.split(separator: ",", omittingEmptySubsequences: false) {
            let trimmed = piece.drop { $0 == " " }
            if !urls.isEmpty || !current.isEmpty, trimmed.hasPrefix("amqp://") || trimmed.hasPrefix("amqps://") {
                urls.append(String(current.reversed().drop { $0 == " " }.reversed()))
                current = String(trimmed)
            } else if current.isEmpty, urls.isEmpty {
                current = String(trimmed)
            } else {
                current += "," + piece
            }
        }
        urls.append(String(current.reversed().drop { $0 == " " }.reversed()))
        return urls
    }

    /// The first setting in which two URLs of a list differ, or nil.
    private static func differingSetting(_ a: AMQPConfiguration, _ b: AMQPConfiguration) -> String? {
        if (a.tls == nil) != (b.tls == nil) { return "scheme" }
        if a.username != b.username { return "user" }
        if a.password != b.password { return "password" }
        if a.virtualHost != b.virtualHost { return "virtual host" }
        if a.tls != b.tls || a.heartbeat != b.heartbeat || a.connectTimeout != b.connectTimeout
            || a.frameMax != b.frameMax || a.connectionName != b.connectionName {
            return "query parameters"
        }
        return nil
    }

    static func parseOne(_ url: String) throws(AMQPError) -> AMQPConfiguration {
        func invalid(_ why: String) -> AMQPError {
            AMQPError(.invalidConfiguration,
                      "invalid AMQP URL (\(why)) — expected amqp://user:password@host:port/vhost, e.g. amqp://guest:guest@localhost:5672/%2F")
        }
        let tls: Bool
        var rest: Substring
        if url.hasPrefix("amqp://") {
            tls = false
            rest = url.dropFirst(7)
        } else if url.hasPrefix("amqps://") {
            tls = true
            rest = url.dropFirst(8)
        } else {
            throw invalid("scheme must be amqp:// or amqps://")
        }
        var query: Substring = ""
        if let q = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: q)...]
            rest = rest[..<q]
        }
        var path: Substring?
        var authority = rest
        if let slash = rest.firstIndex(of: "/") {
            authority = rest[..<slash]
            path = rest[rest.index(after: slash)...]
        }
        var config = AMQPConfiguration(tls: tls ? AMQPConfiguration.TLS() : nil)
        var hostPort = authority
        if let at = authority.lastIndex(of: "@") {
            let userInfo = authority[..<at]
            hostPort = authority[authority.index(after: at)...]
            let userPart: Substring
            if let colon = userInfo.firstIndex(of: ":") {
                userPart = userInfo[..<colon]
                guard let password = percentDecode(userInfo[userInfo.index(after: colon)...]) else {
                    throw invalid("bad percent-encoding in the password")
                }
                config.password = password
            } else {
                userPart = userInfo
            }
            guard let user = percentDecode(userPart) else { throw invalid("bad percent-encoding in the user name") }
            config.username = user
        }
        var portText: Substring?
        if hostPort.hasPrefix("[") {
            guard let close = hostPort.firstIndex(of: "]") else { throw invalid("unclosed IPv6 bracket") }
            config.host = String(hostPort[hostPort.index(after: hostPort.startIndex)..<close])
            let after = hostPort[hostPort.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() } else if !after.isEmpty { throw invalid("junk after host") }
        } else if let colon = hostPort.lastIndex(of: ":") {
            config.host = String(hostPort[..<colon])
            portText = hostPort[hostPort.index(after: colon)...]
        } else {
            config.host = String(hostPort)
        }
        if config.host.isEmpty { config.host = "localhost" }
        if let portText, !portText.isEmpty {
            guard let port = Int(portText), (1...65535).contains(port) else { throw invalid("port '\(portText)' is not 1-65535") }
            config.port = port
        }
        if let path, !path.isEmpty {
            guard !path.contains("/") else { throw invalid("the virtual host must be one path segment; write / as %2F") }
            guard let vhost = percentDecode(path) else { throw invalid("bad percent-encoding in the virtual host") }
            config.virtualHost = vhost
        }
        for item in query.split(separator: "&") where !item.isEmpty {
            let pair = item.split(separator: "=", maxSplits: 1)
            let key = String(pair[0])
            guard pair.count == 2, let value = percentDecode(pair[1]) else { throw invalid("query item '\(key)' has no value") }
            try apply(key: key, value: value, to: &config, invalid: invalid)
        }
        return config
    }

    private static func apply(key: String, value: String, to config: inout AMQPConfiguration,
                              invalid: (String) -> AMQPError) throws(AMQPError) {
        switch key {
        case "heartbeat":
            guard let s = Int(value), s >= 0 else { throw invalid("heartbeat must be whole seconds") }
            config.heartbeat = .seconds(s)
        case "connection_timeout":
            guard let ms = Int(value), ms > 0 else { throw invalid("connection_timeout must be milliseconds") }
            config.connectTimeout = .milliseconds(ms)
        case "frame_max":
            guard let n = Int(value), n >= 4096 else { throw invalid("frame_max must be at least 4096") }
            config.frameMax = n
        case "connection_name":
            config.connectionName = value
        case "cacertfile", "certfile", "keyfile", "verify":
            guard config.tls != nil else { throw invalid("\(key) needs an amqps:// URL") }
            if key == "cacertfile" { config.tls?.caCertificatePath = value }
            if key == "certfile" { config.tls?.clientCertificatePath = value }
            if key == "keyfile" { config.tls?.clientKeyPath = value }
            if key == "verify" {
                guard value == "verify_peer" || value == "verify_none" else { throw invalid("verify must be verify_peer or verify_none") }
                config.tls?.verifyPeer = value == "verify_peer"
                config.tls?.verifyHostname = value == "verify_peer"
            }
        default:
            throw invalid("unknown query parameter '\(key)'")
        }
    }

    static func percentDecode(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var it = text.utf8.makeIterator()
        while let b = it.next() {
            if b == UInt8(ascii: "%") {
                guard let h = it.next(), let l = it.next(), let hv = hex(h), let lv = hex(l) else { return nil }
                bytes.append(hv << 4 | lv)
            } else {
                bytes.append(b)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    static func percentEncode(_ text: String) -> String {
        var out = ""
        for b in text.utf8 {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                 UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(b))
            default:
                let digits = Array("0123456789ABCDEF".unicodeScalars)
                out += "%\(digits[Int(b >> 4)])\(digits[Int(b & 0xF)])"
            }
        }
        return out
    }

    private static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
