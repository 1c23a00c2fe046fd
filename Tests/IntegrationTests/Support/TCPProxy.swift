import Foundation
import Glibc
import Synchronization

/// A TCP proxy on a free loopback port in front of one server, which a test can cut and restore: the
/// fault suite points a tracker at it and takes "PostgreSQL" away from that tracker alone, while every
/// other test keeps using the real, shared server.
///
/// ``cut()`` resets every proxied connection and closes the listening socket, so new connections are
/// refused exactly as by a stopped server; ``restore()`` listens again on the same port. Each connection
/// is two blocking copy loops on their own threads (a test opens a handful of connections), which keeps
/// the proxy free of the cooperative pool the code under test runs on.
final class TCPProxy: Sendable {
    /// The loopback port clients connect to.
    let port: Int
    private let targetAddress: in_addr
    private let targetPort: Int
    private let state = Mutex(State())

    private struct State {
        var listener: Int32 = -1
        var cut = false
        var stopped = false
        /// Sockets of live proxied connections (both sides), shut down by ``cut()``.
        var sockets: Set<Int32> = []
    }

    /// Listens on `127.0.0.1`, on a free port, and forwards to `targetHost:targetPort`.
    ///
    /// - Parameters:
    ///   - targetHost: An IPv4 address, or `localhost`.
    ///   - targetPort: The server's port.
    /// - Throws: ``ProxyError`` when the host is not an IPv4 address or the listening socket cannot be set up.
    init(targetHost: String = "127.0.0.1", targetPort: Int) throws {
        var target = in_addr()
        guard inet_pton(AF_INET, targetHost == "localhost" ? "127.0.0.1" : targetHost, &target) == 1 else {
            throw ProxyError("the proxy needs an IPv4 address or localhost, not '\(targetHost)'")
        }
        targetAddress = target
        self.targetPort = targetPort
        let listener = try Self.listen(port: 0)
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        guard named == 0 else {
            close(listener)
            throw ProxyError("getsockname failed: errno \(errno)")
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        state.withLock { $0.listener = listener }
        startAccepting(listener)
    }

    /// Resets every proxied connection and refuses new ones until ``restore()``.
    func cut() {
        let (listener, sockets) = state.withLock { state -> (Int32, Set<Int32>) in
            state.cut = true
            defer { state.listener = -1 }
            return (state.listener, state.sockets)
        }
        if listener >= 0 {
            // shutdown wakes the accept loop, which then closes the socket.
            Glibc.shutdown(listener, Int32(SHUT_RDWR))
        }
        for socket in sockets { Glibc.shutdown(socket, Int32(SHUT_RDWR)) }
    }

    /// Accepts connections again, on the same port.
    ///
    /// - Throws: ``ProxyError`` when the port cannot be bound again.
    func restore() throws {
        let listener = try Self.listen(port: port)
        let reopened = state.withLock { state -> Bool in
            guard state.cut, !state.stopped else { return false }
            state.cut = false
            state.listener = listener
            return true
        }
        guard reopened else {
            close(listener)
            return
        }
        startAccepting(listener)
    }

    /// Closes everything; the proxy cannot be used afterwards.
    func stop() {
        cut()
        state.withLock { $0.stopped = true }
    }

    // MARK: Sockets

    private static func listen(port: Int) throws -> Int32 {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw ProxyError("socket failed: errno \(errno)") }
        var yes: Int32 = 1
        setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = loopback(port: port)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, Glibc.listen(socket, 64) == 0 else {
            let code = errno
            close(socket)
            throw ProxyError("cannot listen on 127.0.0.1:\(port): errno \(code)")
        }
        return socket
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = in_addr_t(0x7f00_0001).bigEndian
        return address
    }

    private static func connectToTarget(_ target: in_addr, port: Int) -> Int32? {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { return nil }
        var address = loopback(port: port)
        address.sin_addr = target
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(socket)
            return nil
        }
        return socket
    }

    private func startAccepting(_ listener: Int32) {
        Thread.detachNewThread { [self] in
            while true {
                let client = accept(listener, nil, nil)
                if client < 0 {
                    if errno == EINTR { continue }
                    break
                }
                guard let server = Self.connectToTarget(targetAddress, port: targetPort) else {
                    close(client)
                    continue
                }
                let admitted = state.withLock { state -> Bool in
                    guard !state.cut else { return false }
                    state.sockets.formUnion([client, server])
                    return true
                }
                guard admitted else {
                    close(client)
                    close(server)
                    continue
                }
                let pair = ConnectionPair()
                for (from, to) in [(client, server), (server, client)] {
                    Thread.detachNewThread { [self] in
                        Self.copy(from: from, to: to)
                        // Either direction ending ends the connection; the second one out closes both sockets.
                        Glibc.shutdown(client, Int32(SHUT_RDWR))
                        Glibc.shutdown(server, Int32(SHUT_RDWR))
                        if pair.finished.add(1, ordering: .acquiringAndReleasing).newValue == 2 {
                            state.withLock { $0.sockets.subtract([client, server]) }
                            close(client)
                            close(server)
                        }
                    }
                }
            }
            close(listener)
        }
    }

    private static func copy(from source: Int32, to destination: Int32) {
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(source, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return }
            var sent = 0
            while sent < count {
                let written = buffer.withUnsafeBytes {
                    send(destination, $0.baseAddress! + sent, count - sent, Int32(MSG_NOSIGNAL))
                }
                if written < 0, errno == EINTR { continue }
                guard written > 0 else { return }
                sent += written
            }
        }
    }
}

/// Counts the finished directions of one proxied connection.
private final class ConnectionPair: Sendable {
    let finished = Atomic<Int>(0)
}

/// A proxy set-up failure.
struct ProxyError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
