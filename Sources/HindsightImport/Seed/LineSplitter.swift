/// Splits a byte stream into `\n`-terminated lines, bounded in memory: a line longer than the limit is
/// reported as too long (its bytes are dropped as they arrive) instead of being held.
///
/// Pure: feed it chunks as they are read, then ``finish()``. A `\r` before the `\n` is removed; a last
/// line without `\n` is still a line; the empty "line" after a final `\n` is not.
public struct LineSplitter: Sendable {
    /// One line.
    public struct Line: Sendable, Equatable {
        /// 1-based line number.
        public var number: Int
        /// The bytes without the line end; empty when ``tooLong``.
        public var bytes: [UInt8]
        /// The line was longer than the limit.
        public var tooLong: Bool
    }

    /// Longest line kept, in bytes.
    public let maxLineBytes: Int
    private var current: [UInt8] = []
    private var overflow = false
    private var number = 0
    private var pending = false

    /// Creates a splitter.
    ///
    /// - Parameter maxLineBytes: Longest line kept, in bytes (without the line end).
    public init(maxLineBytes: Int) {
        self.maxLineBytes = maxLineBytes
    }

    /// Splits the next chunk.
    ///
    /// - Parameter chunk: The bytes read.
    /// - Returns: The lines completed by this chunk.
    public mutating func feed(_ chunk: some Collection<UInt8>) -> [Line] {
        var lines: [Line] = []
        for byte in chunk {
            pending = true
            if byte == 0x0A {
                lines.append(take())
            } else if !overflow {
                if current.count >= maxLineBytes + 1 {  // room for a trailing \r
                    overflow = true
                    current = []
                } else {
                    current.append(byte)
                }
            }
        }
        return lines
    }

    /// The last line if the stream did not end with `\n`.
    ///
    /// - Returns: That line, or nil.
    public mutating func finish() -> Line? {
        pending ? take() : nil
    }

    private mutating func take() -> Line {
        number += 1
        if current.last == 0x0D { current.removeLast() }
        let tooLong = overflow || current.count > maxLineBytes
        let line = Line(number: number, bytes: tooLong ? [] : current, tooLong: tooLong)
        current = []
        overflow = false
        pending = false
        return line
    }
}
