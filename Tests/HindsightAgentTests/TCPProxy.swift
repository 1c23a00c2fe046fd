import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A loopback TCP proxy in front of the shared broker, so a test can take "the broker" away and
/// bring it back without touching the real one.
///
/// Down (the state after `init`): nothing listens on ``port``, so connecting is refused. ``up()``
/// listens and forwards every connection to the target; ``down()`` closes the listener and cuts
/// every forwarded connection. ``pause()`` keeps connections open but stops forwarding (an
/// unresponsive broker). Each connection is served by its own thread with short `poll(2)` waits.
final class TCPProxy: Sendable {
    /// The loopback port clients connect to.
    let port: UInt16
    private let targetHost: String
    private let targetPort: UInt16
    private let state = Mutex(State())

    private struct State {
        var generation = 0
        var threads = 0
        var paused = false
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    init(targetHost: String, targetPort: Int) throws {
        self.targetHost = targetHost
        self.targetPort = UInt16(targetPort)
        // Find a free port, then leave it closed: the proxy starts down.
        let fd = try Self.boundSocket(port: 0)
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let status = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        _ = close(fd)
        guard status == 0 else { throw Failure(description: "getsockname failed") }
        port = UInt16(bigEndian: address.sin_port)
    }

    /// Starts listening and forwarding.
    func up() throws {
        let fd = try Self.boundSocket(port: port)
        guard listen(fd, 64) == 0 else {
            _ = close(fd)
            throw Failure(description: "listen failed: \(errno)")
        }
        let generation = state.withLock { state in
            state.paused = false
            state.threads += 1
            return state.generation
        }
        Thread.detachNewThread { self.acceptLoop(fd, generation) }
    }

    /// Stops listening and cuts every forwarded connection; returns once all are closed.
    func down() async {
        state.withLock { $0.generation += 1 }
        while state.withLock({ $0.threads }) > 0 {
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Keeps connections open but forwards nothing in either direction until ``resume()``.
    func pause() { state.withLock { $0.paused = true } }

    /// Forwards again after ``pause()``.
    func resume() { state.withLock { $0.paused = false } }

    private func isCurrent(_ generation: Int) -> Bool { state.withLock { $0.generation == generation } }

    private func threadExited() { state.withLock { $0.threads -= 1 } }

    private func acceptLoop(_ listener: Int32, _ generation: Int) {
        defer {
            _ = close(listener)
            threadExited()
        }
        while isCurrent(generation) {
            var entry = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, 20) > 0 else { continue }
            let client = accept(listener, nil, nil)
            guard client >= 0 else { continue }
            guard let upstream = try? connectTarget() else {
                _ = close(client)
                continue
            }
            state.withLock { $0.threads += 1 }
            Thread.detachNewThread { self.pump(client, upstream, generation) }
        }
    }

    private func pump(_ client: Int32, _ upstream: Int32, _ generation: Int) {
        defer {
            _ = close(client)
            _ = close(upstream)
            threadExited()
        }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while isCurrent(generation) {
            if state.withLock({ $0.paused }) {
                usleep(5_000)
                continue
            }
            var entries = [pollfd(fd: client, events: Int16(POLLIN), revents: 0),
                           pollfd(fd: upstream, events: Int16(POLLIN), revents: 0)]
            guard poll(&entries, 2, 20) > 0 else { continue }
            for (index, entry) in entries.enumerated() where entry.revents != 0 {
                let from = index == 0 ? client : upstream
                let to = index == 0 ? upstream : client
                let count = buffer.withUnsafeMutableBytes { recv(from, $0.baseAddress, $0.count, 0) }
                if count <= 0 { return }
                var offset = 0
                while offset < count {
                    let written = buffer[offset..<count].withUnsafeBytes { send(to, $0.baseAddress, $0.count, Self.noSignal) }
                    if written <= 0 { return }
                    offset += written
                }
            }
        }
    }

    private func connectTarget() throws -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_INET
        hints.ai_socktype = Self.streamType
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(targetHost, String(targetPort), &hints, &result) == 0, let info = result else {
            throw Failure(description: "cannot resolve \(targetHost)")
        }
        defer { freeaddrinfo(result) }
        let fd = socket(AF_INET, Self.streamType, 0)
        guard fd >= 0 else { throw Failure(description: "socket failed") }
        guard connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 else {
            _ = close(fd)
            throw Failure(description: "connect to \(targetHost):\(targetPort) failed: \(errno)")
        }
        return fd
    }

    private static var noSignal: Int32 {
        #if canImport(Glibc)
        Int32(MSG_NOSIGNAL)
        #else
        0
        #endif
    }

    private static var streamType: Int32 {
        #if canImport(Glibc)
        Int32(SOCK_STREAM.rawValue)
        #else
        SOCK_STREAM
        #endif
    }

    /// A socket bound to 127.0.0.1:`port` (not listening).
    private static func boundSocket(port: UInt16) throws -> Int32 {
        let fd = socket(AF_INET, streamType, 0)
        guard fd >= 0 else { throw Failure(description: "socket failed") }
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard status == 0 else {
            _ = close(fd)
            throw Failure(description: "bind to 127.0.0.1:\(port) failed: \(errno)")
        }
        return fd
    }
}
