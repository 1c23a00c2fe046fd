import AMQP
import HindsightStore
import HindsightWorkers

/// Turns a startup failure into one line that names the problem and the fix (and a non-zero exit).
enum ExitMessage {
    static func line(for error: any Error, database: DatabaseURL? = nil) -> any Error {
        switch error {
        case let error as AMQPError: return OneLineError("broker: \(error)")
        case let error as StoreError: return OneLineError("database: \(error)")
        case let error as ConfigurationError: return OneLineError("configuration: \(error)")
        case let error as OneLineError: return error
        default:
            if let database { return OneLineError("database: \(StoreError.classify(error, url: database))") }
            return OneLineError("\(error)")
        }
    }
}

/// An error whose description is exactly the line to print.
struct OneLineError: Error, CustomStringConvertible {
    let description: String
    init(_ line: String) { description = line }
}
