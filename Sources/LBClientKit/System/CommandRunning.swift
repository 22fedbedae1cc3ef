/// Runs a program to completion and collects what it printed.
///
/// Checks take this protocol so unit tests can substitute canned answers; ``ProcessRunner`` is
/// the real implementation.
public protocol CommandRunning: Sendable {
    /// Runs `executable` (an absolute path, no shell) with `arguments`, stdin from `/dev/null`.
    ///
    /// - Throws: ``CommandError`` when the program cannot start or does not finish within
    ///   `timeout` (it is then killed with its whole process group).
    func run(_ executable: String, arguments: [String], timeout: Duration) async throws
        -> CommandResult
}

/// How a program ended and what it printed.
public struct CommandResult: Sendable, Hashable {
    public enum Termination: Sendable, Hashable {
        case exited(Int32)
        case signalled(Int32)
    }

    public var termination: Termination
    /// Standard output, at most ``ProcessRunner/outputLimit`` bytes, decoded as UTF-8.
    public var standardOutput: String
    /// Standard error, at most ``ProcessRunner/outputLimit`` bytes, decoded as UTF-8.
    public var standardError: String

    public init(termination: Termination, standardOutput: String = "", standardError: String = "") {
        self.termination = termination
        self.standardOutput = standardOutput
        self.standardError = standardError
    }

    /// True when the program exited with status 0.
    public var succeeded: Bool { termination == .exited(0) }

    /// `exit status 3` or `killed by signal 9`, for messages.
    public var terminationDescription: String {
        switch termination {
        case .exited(let status): "exit status \(status)"
        case .signalled(let signal): "killed by signal \(signal)"
        }
    }
}

/// A program that could not be run to completion.
public enum CommandError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The program could not be started (`errno` from posix_spawn).
    case launchFailed(executable: String, errno: Int32)
    /// The program ran longer than its timeout and was killed with its process group.
    case timedOut(executable: String, after: Duration)
    /// The task running the check was cancelled; the program was killed.
    case cancelled(executable: String)

    public var description: String {
        switch self {
        case .launchFailed(let executable, let code):
            "cannot run \(executable): \(systemErrorDescription(code))"
        case .timedOut(let executable, let after):
            "\(executable) did not finish within \(after.secondsDescription) and was killed"
        case .cancelled(let executable):
            "\(executable) was cancelled and killed"
        }
    }
}

extension Duration {
    /// `1.5 s`, for messages.
    var secondsDescription: String {
        let (seconds, attoseconds) = components
        let total = Double(seconds) + Double(attoseconds) / 1e18
        if total == total.rounded() { return "\(Int64(total)) s" }
        return "\(total) s"
    }
}
