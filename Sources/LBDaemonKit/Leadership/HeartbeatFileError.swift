/// Why the heartbeat file could not be written. Every case names the file, so the log line alone
/// tells the operator which file and directory to look at.
public enum HeartbeatFileError: Error, Hashable, Sendable, CustomStringConvertible {
    /// `heartbeat_file` is not a plain file name (empty, `.`, `..`, or holding a `/`): the file
    /// must sit in `heartbeat_directory`, where the HTTP server serves it from.
    case invalidName(String)
    /// Creating, writing, flushing or renaming the file failed (missing or read-only directory,
    /// permissions, full disk).
    case unwritable(path: String, reason: String)

    public var description: String {
        switch self {
        case .invalidName(let name):
            return
                "the heartbeat file name '\(name.prefix(80))' is not a plain file name: set ha.heartbeat_file to a name without '/'"
        case .unwritable(let path, let reason):
            return "cannot write the heartbeat file \(path): \(reason)"
        }
    }
}
