import Foundation
import HindsightImport
import Synchronization

/// Progress of `hindsight import` on stderr: a bar redrawn in place on a terminal, else a plain line at
/// most every 2 seconds (logs and CI output stay readable).
final class ImportProgressBar: Sendable {
    private let interactive: Bool
    private let state = Mutex<(last: ContinuousClock.Instant?, drawn: Bool)>((nil, false))
    private static let width = 30

    init(interactive: Bool) {
        self.interactive = interactive
    }

    func show(_ progress: ImportProgress) {
        let now = ContinuousClock.now
        let line: String? = state.withLock { state in
            let interval: Duration = interactive ? .milliseconds(100) : .seconds(2)
            if let last = state.last, now - last < interval, progress.done < progress.total { return nil }
            state.last = now
            state.drawn = true
            return interactive ? bar(progress) : plain(progress)
        }
        if let line { FileHandle.standardError.write(Data(line.utf8)) }
    }

    /// Ends the bar's line (a terminal's cursor is still on it).
    func finish() {
        let drawn = state.withLock { $0.drawn }
        if interactive && drawn { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    private func bar(_ p: ImportProgress) -> String {
        let filled = Int((p.fraction * Double(Self.width)).rounded(.down))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: Self.width - filled)
        let percent = Int((p.fraction * 100).rounded(.down))
        return "\r\u{1B}[K[\(bar)] \(percent)% \(p.done)/\(p.total) · \(p.events) events · \(p.skipped) skipped"
    }

    private func plain(_ p: ImportProgress) -> String {
        let percent = Int((p.fraction * 100).rounded(.down))
        return "import: \(percent)% (\(p.done)/\(p.total)), \(p.events) events, \(p.skipped) skipped, reading \(p.path)\n"
    }
}
