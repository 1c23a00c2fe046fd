#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The few POSIX file operations the spool needs, with errors that name the operation and path.
///
/// Blocking calls: only ever run on the spool's own dispatch queue, never on the cooperative pool.
enum SpoolFile {
    static func failure(_ operation: String, _ path: String, _ code: Int32 = errno) -> EventPublisherError {
        EventPublisherError(.spoolFailure, "\(operation) \(path) failed: \(String(cString: strerror(code)))")
    }

    /// The file's bytes, or nil when it does not exist.
    static func read(_ path: String) throws(EventPublisherError) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw failure("opening", path)
        }
        defer { _ = close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glue.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw failure("reading", path)
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<count])
        }
    }

    /// The file's size, or 0 when it does not exist.
    static func size(_ path: String) throws(EventPublisherError) -> Int {
        var info = stat()
        if stat(path, &info) != 0 {
            if errno == ENOENT { return 0 }
            throw failure("inspecting", path)
        }
        return Int(info.st_size)
    }

    static func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
    }

    /// Appends `bytes` and flushes them to disk. A failed write is cut back off, so the file never
    /// keeps half a write. When the file does not end with a newline (a torn earlier write), one
    /// is written first so the torn line cannot swallow the new ones.
    ///
    /// - Returns: The number of bytes the file grew by.
    @discardableResult
    static func append(_ bytes: [UInt8], to path: String) throws(EventPublisherError) -> Int {
        let fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        if fd < 0 { throw failure("opening", path) }
        defer { _ = close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw failure("inspecting", path) }
        let original = info.st_size
        var data = bytes
        if original > 0 {
            var last: UInt8 = 0
            guard pread(fd, &last, 1, original - 1) == 1 else { throw failure("reading", path) }
            if last != 0x0A { data.insert(0x0A, at: 0) }
        }
        do throws(EventPublisherError) {
            try writeAll(fd, data, path)
            guard fsync(fd) == 0 else { throw failure("syncing", path) }
        } catch {
            _ = ftruncate(fd, original)
            throw error
        }
        return data.count
    }

    /// Replaces the file's content atomically (temporary file, `fsync`, rename).
    static func replace(_ path: String, with bytes: [UInt8]) throws(EventPublisherError) {
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        if fd < 0 { throw failure("creating", temporary) }
        do throws(EventPublisherError) {
            try writeAll(fd, bytes, temporary)
            guard fsync(fd) == 0 else { throw failure("syncing", temporary) }
        } catch {
            _ = close(fd)
            _ = unlink(temporary)
            throw error
        }
        _ = close(fd)
        guard rename(temporary, path) == 0 else { throw failure("renaming", temporary) }
    }

    static func move(_ from: String, to: String) throws(EventPublisherError) {
        guard rename(from, to) == 0 else { throw failure("renaming", from) }
    }

    static func remove(_ path: String) throws(EventPublisherError) {
        guard unlink(path) == 0 || errno == ENOENT else { throw failure("removing", path) }
    }

    /// Creates the folder holding `path` (and its parents) when missing.
    static func createParent(of path: String) throws(EventPublisherError) {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return }
        let folder = String(path[..<slash])
        if exists(folder) { return }
        try createParent(of: folder)
        guard mkdir(folder, 0o700) == 0 || errno == EEXIST else { throw failure("creating", folder) }
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8], _ path: String) throws(EventPublisherError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glue.write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw failure("writing", path)
            }
            offset += written
        }
    }
}

/// `read`/`write` under names that do not clash with the methods above.
private enum Glue {
    static func read(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
        #if canImport(Darwin)
        Darwin.read(fd, buffer, count)
        #elseif canImport(Musl)
        Musl.read(fd, buffer, count)
        #else
        Glibc.read(fd, buffer, count)
        #endif
    }

    static func write(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
        #if canImport(Darwin)
        Darwin.write(fd, buffer, count)
        #elseif canImport(Musl)
        Musl.write(fd, buffer, count)
        #else
        Glibc.write(fd, buffer, count)
        #endif
    }
}
