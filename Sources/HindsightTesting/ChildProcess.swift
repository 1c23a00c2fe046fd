import Subprocess

/// Child processes of the tests and the benchmarks (the Python and C baselines, a `hindsight tracker`
/// process), run with swift-subprocess.
///
/// Commands are started through `env`, so a bare name (`python3`, `cc`) is looked up on `PATH` and a path
/// is run as it is. The child's standard error goes to ours, so a baseline's own message reaches the
/// operator. Secrets go through `environment`, never on a command line other users can read.
package enum ChildProcess {
    /// How a child ended: its exit code, or the signal that ended it.
    package enum Termination: Sendable, Equatable, CustomStringConvertible {
        /// It exited with this code.
        case exited(Int32)
        /// A signal ended it.
        case signaled(Int32)

        /// Whether it exited with code 0.
        package var isSuccess: Bool { self == .exited(0) }

        package var description: String {
            switch self {
            case .exited(let code): "exit \(code)"
            case .signaled(let signal): "signal \(signal)"
            }
        }

        init(_ status: TerminationStatus) {
            switch status {
            case .exited(let code): self = .exited(code)
            case .signaled(let signal): self = .signaled(signal)
            }
        }
    }

    /// Runs `command` to completion and captures its standard output.
    ///
    /// - Parameters:
    ///   - command: A name looked up on `PATH`, or a path.
    ///   - arguments: Its arguments.
    ///   - environment: Variables added to (or replacing) this process's environment.
    ///   - outputLimit: Most bytes of standard output kept; more is an error. Defaults to 64 MiB.
    /// - Returns: How it ended and what it wrote to standard output.
    /// - Throws: When it cannot be started, or wrote more than `outputLimit`.
    package static func run(
        _ command: String, _ arguments: [String], environment: [String: String] = [:], outputLimit: Int = 64 << 20
    ) async throws -> (termination: Termination, output: [UInt8]) {
        let result = try await Subprocess.run(
            .name("env"), arguments: Arguments([command] + arguments), environment: merged(environment),
            output: .bytes(limit: outputLimit), error: .currentStandardError)
        return (Termination(result.terminationStatus), result.standardOutput)
    }

    /// Runs `command` to completion and captures its standard output and standard error (what a user
    /// sees of a failing command).
    ///
    /// - Throws: When it cannot be started, or wrote more than `outputLimit` bytes to either stream.
    package static func runCapturingErrors(
        _ command: String, _ arguments: [String], environment: [String: String] = [:], outputLimit: Int = 16 << 20
    ) async throws -> (termination: Termination, output: [UInt8], error: [UInt8]) {
        let result = try await Subprocess.run(
            .name("env"), arguments: Arguments([command] + arguments), environment: merged(environment),
            output: .bytes(limit: outputLimit), error: .bytes(limit: outputLimit))
        return (Termination(result.terminationStatus), result.standardOutput, result.standardError)
    }

    /// Starts `command`, runs `body` with its process id while it runs, then stops it with SIGTERM and
    /// waits for it to end.
    ///
    /// - Parameters:
    ///   - command: A name looked up on `PATH`, or a path.
    ///   - arguments: Its arguments.
    ///   - environment: Variables added to (or replacing) this process's environment.
    ///   - body: Runs beside the child; receives its process id (`env` execs the command, so it is the
    ///     command's own id).
    /// - Returns: `body`'s result and how the child ended.
    /// - Throws: When the child cannot be started, or `body`'s error (the child is stopped either way).
    package static func withRunning<Result: Sendable>(
        _ command: String, _ arguments: [String], environment: [String: String] = [:],
        _ body: (_ processID: Int32) async throws -> Result
    ) async throws -> (result: Result, termination: Termination) {
        let outcome = try await Subprocess.run(
            .name("env"), arguments: Arguments([command] + arguments), environment: merged(environment),
            input: .none, output: .discarded, error: .currentStandardError
        ) { execution -> Swift.Result<Result, any Error> in
            let result: Swift.Result<Result, any Error>
            do {
                result = .success(try await body(execution.processIdentifier.value))
            } catch {
                result = .failure(error)
            }
            // Already gone is fine: the status below says how it ended.
            try? execution.send(signal: .terminate)
            return result
        }
        let termination = Termination(outcome.terminationStatus)
        return (try outcome.closureResult.get(), termination)
    }

    private static func merged(_ environment: [String: String]) -> Environment {
        guard !environment.isEmpty else { return .inherit }
        var updates: [Environment.Key: String?] = [:]
        for (key, value) in environment { updates[Environment.Key(stringLiteral: key)] = value }
        return .inherit.updating(updates)
    }
}
