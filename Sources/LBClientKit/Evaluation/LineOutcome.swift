/// What became of one configuration line in an evaluation.
public enum LineOutcome: Sendable, Hashable {
    /// The check ran; a negative value is a failure.
    case finished(CheckResult)
    /// The check could not be evaluated; the message says why.
    case error(String)
    /// The check did not finish within its timeout (or the run's deadline) and was abandoned.
    case timedOut(Duration)
    /// Not needed: an earlier line in the file already decided the value.
    case skipped

    /// True when the line makes its file report the keyword's failure code.
    public var isFailure: Bool {
        switch self {
        case .finished(let result): !result.passed
        case .error, .timedOut: true
        case .skipped: false
        }
    }

    /// One phrase for the logs.
    public var summary: String {
        switch self {
        case .finished(let result):
            "\(result.passed ? "passed" : "failed") (\(result.value)): \(result.detail)"
        case .error(let message): "error: \(message)"
        case .timedOut(let after): "timed out after \(after.secondsDescription)"
        case .skipped: "not evaluated"
        }
    }
}

/// One line and its outcome.
public struct LineReport: Sendable, Hashable {
    public var line: ConfigLine
    public var outcome: LineOutcome
}
