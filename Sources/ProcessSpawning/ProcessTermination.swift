/// How a child process ended.
public enum ProcessTermination: Sendable, Hashable, CustomStringConvertible {
    /// It called exit (or returned from main) with this status.
    case exited(Int32)
    /// A signal ended it.
    case signalled(Int32)
    /// Something else reaped it first (waitpid said ECHILD), so its status is unknown.
    case unknown

    /// Decodes a waitpid status; WIFEXITED and friends are macros Swift cannot import.
    init(waitStatus status: Int32) {
        let signal = status & 0x7f
        self = signal == 0 ? .exited((status >> 8) & 0xff) : .signalled(signal)
    }

    /// The shell's convention: the exit status, 128 + the signal, or -1 when unknown.
    public var shellStatus: Int32 {
        switch self {
        case .exited(let status): status
        case .signalled(let signal): 128 + signal
        case .unknown: -1
        }
    }

    public var description: String {
        switch self {
        case .exited(let status): "exit status \(status)"
        case .signalled(let signal): "killed by signal \(signal)"
        case .unknown: "unknown status (reaped elsewhere)"
        }
    }
}
