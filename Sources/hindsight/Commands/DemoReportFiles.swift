import Foundation
import HindsightSimulation

/// Writes the learning report as JSON and renders its HTML page with `scripts/learning-report` (Python
/// with plotly: the plotting library is a Python package, not a Swift one).
enum DemoReportFiles {
    /// Writes both files; returns the lines that tell where they are, or how to get the page when Python
    /// or plotly is missing.
    static func write(_ report: LearningReport, to directory: URL) -> String {
        let json = directory.appendingPathComponent("learning-report.json")
        let html = directory.appendingPathComponent("learning-report.html")
        do {
            try report.write(to: json)
        } catch {
            return "the report could not be written to \(json.path): \(error)"
        }
        guard let script = scriptURL() else {
            return "data: \(json.path)\nno page: scripts/learning-report was not found (run the demo from the repository)"
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, json.path, html.path]
        let errors = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        do {
            try process.run()
        } catch {
            return "data: \(json.path)\nno page: python3 could not be started (\(error)); install python3, then run scripts/python-deps"
        }
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let reason = message.split(separator: "\n").last.map(String.init) ?? "exit status \(process.terminationStatus)"
            return "data: \(json.path)\nno page: \(reason)\n  to get it: scripts/python-deps (installs plotly), then scripts/learning-report \(json.path) \(html.path)"
        }
        return "open in a browser (works offline): \(html.path)\ndata: \(json.path)"
    }

    /// `scripts/learning-report` under the working directory, else beside the build folder of this
    /// executable (`.build/<configuration>/hindsight`).
    private static func scriptURL() -> URL? {
        let relative = "scripts/learning-report"
        let candidates = [
            URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(relative),
            Bundle.main.executableURL.map {
                $0.resolvingSymlinksInPath().deletingLastPathComponent().deletingLastPathComponent()
                    .deletingLastPathComponent().appendingPathComponent(relative)
            },
        ].compactMap { $0 }
        return candidates.first { FileManager.default.isReadableFile(atPath: $0.path) }
    }
}
