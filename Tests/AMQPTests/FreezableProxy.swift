import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An in-process TCP proxy on 127.0.0.1 (port 0) that forwards to the broker and can be
/// *frozen*: it then stops moving bytes in both directions without closing any socket, which is
/// what a hung broker or a silently dropped network path looks like to a client. Connections
/// accepted while frozen are connected upstream but stay frozen too.
///
/// Blocking sockets and one thread per proxied connection: simple, and plenty for a test.
final class FreezableProxy: Sendable {
    private struct State {
        var frozen = false
        var stopped = false
        var accepted = 0
    }

    /// The port clients connect to.
    let port: Int
    private let listener: Int32
    private let target: sockaddr_in
    private let state = Mutex(State())

    /// Listens on 127.0.0.1, port chosen by the system, forwarding to `host:port` (an IPv4
    /// address or `localhost`).
    init(forwardingTo host: String, port targetPort: Int) throws {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(targetPort)).bigEndian
        guard inet_pton(AF_INET, host == "localhost" ? "127.0.0.1" : host, &address.sin_addr) == 1 else {
            throw ProxyError("the proxy needs an IPv4 broker address, not '\(host)'")
        }
        target = address

        let fd = socket(AF_INET, Self.streamType, 0)
        guard fd >= 0 else { throw ProxyError("socket() failed: errno \(errno)") }
        var local = sockaddr_in()
        local.sin_family = sa_family_t(AF_INET)
        local.sin_port = 0
        local.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && listen(fd, 16) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else {
            close(fd)
            throw ProxyError("bind/listen on 127.0.0.1:0 failed: errno \(errno)")
        }
        listener = fd
        port = Int(UInt16(bigEndian: local.sin_port))
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "test-proxy"
        thread.start()
    }

    /// Stops forwarding bytes (both directions, every connection, new ones too).
    func freeze() { state.withLock { $0.frozen = true } }

    /// Forwards bytes again; what was held back in the kernel buffers flows on.
    func unfreeze() { state.withLock { $0.frozen = false } }

    /// Connections accepted so far (the client's first connection and its reconnect attempts).
    var accepted: Int { state.withLock { $0.accepted } }

    /// Closes the listener and every proxied connection (within ~100 ms).
    func stop() { state.withLock { $0.stopped = true } }

    private var isStopped: Bool { state.withLock { $0.stopped } }
    private var isFrozen: Bool { state.withLock { $0.frozen } }

    private static var streamType: Int32 {
        #if canImport(Glibc)
        Int32(SOCK_STREAM.rawValue)
        #else
        SOCK_STREAM
        #endif
    }

    private func acceptLoop() {
        defer { close(listener) }
        while !isStopped {
            var waiting = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&waiting, 1, 100) > 0 else { continue }
            let client = accept(listener, nil, nil)
            guard client >= 0 else { continue }
            let upstream = socket(AF_INET, Self.streamType, 0)
            var address = target
            let connected = upstream >= 0 && withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
                }
            }
            guard connected else {
                close(client)
                if upstream >= 0 { close(upstream) }
                continue
            }
            state.withLock { $0.accepted += 1 }
            let thread = Thread { [self] in pump(client, upstream) }
            thread.name = "test-proxy-pump"
            thread.start()
        }
    }

    /// Copies bytes both ways until either side closes or the proxy stops; moves nothing while
    /// frozen (the sockets stay open, unread).
    private func pump(_ a: Int32, _ b: Int32) {
        defer {
            close(a)
            close(b)
        }
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while !isStopped {
            if isFrozen {
                usleep(20_000)
                continue
            }
            var fds = [pollfd(fd: a, events: Int16(POLLIN), revents: 0), pollfd(fd: b, events: Int16(POLLIN), revents: 0)]
            guard poll(&fds, 2, 50) > 0 else { continue }
            for (index, from) in [a, b].enumerated() where fds[index].revents != 0 {
                // Frozen between poll and read: leave the bytes where they are.
                if isFrozen { break }
                let to = from == a ? b : a
                let count = buffer.withUnsafeMutableBytes { read(from, $0.baseAddress, $0.count) }
                guard count > 0, Self.writeAll(to, buffer, count) else { return }
            }
        }
    }

    private static func writeAll(_ fd: Int32, _ buffer: [UInt8], _ count: Int) -> Bool {
        var offset = 0
        while offset < count {
            let written = buffer.withUnsafeBytes { bytes -> Int in
                guard let base = bytes.baseAddress else { return -1 }
                return write(fd, base + offset, count - offset)
            }
            guard written > 0 else { return false }
            offset += written
        }
        return true
    }
}

struct ProxyError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
