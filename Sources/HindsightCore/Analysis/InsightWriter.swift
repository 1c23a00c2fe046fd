import Foundation

/// The seed's insight and recommendation texts (other modules and people search them by substring).
enum InsightWriter {
    static func oneDecimal(_ x: Double) -> String { DecimalText.oneDecimal(x) }

    struct Facts {
        var sampleSize: Int
        var completed: Int
        var averageDuration: Double
        var slowest: SlowPhase?
        var topError: ErrorPattern?
        var averageAccuracy: Double
        var averagePhaseSuccess: Double
        var apiCalls: Int
    }

    static func insights(_ f: Facts) -> [String] {
        let n = Double(f.sampleSize)
        var lines = [
            "Overall success rate: \(oneDecimal(Double(f.completed) / n * 100))% (\(f.completed)/\(f.sampleSize) executions)",
            "Average execution time: \(oneDecimal(f.averageDuration)) seconds",
        ]
        if let slow = f.slowest {
            lines.append("Slowest phase: '\(slow.phaseName)' averaging \(oneDecimal(slow.averageDuration)) seconds")
        }
        if let error = f.topError {
            lines.append("Most common error occurs in \(oneDecimal(Double(error.executionCount) / n * 100))% of executions")
        }
        if f.averageAccuracy > 1.5 {
            lines.append("Phases take \(oneDecimal(f.averageAccuracy))x longer than estimated on average")
        } else if f.averageAccuracy < 0.7 {
            lines.append("Phases complete faster than estimated (\(oneDecimal(f.averageAccuracy))x)")
        }
        return lines
    }

    static func recommendations(_ f: Facts) -> [String] {
        var lines: [String] = []
        if let slow = f.slowest {
            lines.append("Optimize '\(slow.phaseName)' phase - consider parallelization or caching")
        }
        if f.topError != nil { lines.append("Add error handling and retry logic for common failure patterns") }
        if f.averageAccuracy > 1.5 { lines.append("Increase duration estimates by 50-100% for more realistic planning") }
        if f.apiCalls > 50 * f.sampleSize { lines.append("High API usage detected - consider batching or caching strategies") }
        if f.averagePhaseSuccess < 0.7 { lines.append("Success rate below 70% - add validation checkpoints between phases") }
        return lines.isEmpty ? ["Performance is within acceptable range"] : lines
    }
}
