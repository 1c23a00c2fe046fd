import Foundation

/// Runs a command through `/usr/bin/env` (so `python3`, `cc` and the baselines' interpreters are looked up
/// on `PATH`) and captures its standard output; standard error goes to ours, so a baseline's own error
/// message reaches the operator.
///
/// - Parameter environment: variables added to (or replacing) this process's environment — used for
///   secrets, which must not appear on a command line other users can read.
/// - Returns: the exit status and everything written to standard output.
/// - Throws: when the command cannot be started.
func runCapturingOutput(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, output: Data) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    if !environment.isEmpty {
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    }
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, data)
}
