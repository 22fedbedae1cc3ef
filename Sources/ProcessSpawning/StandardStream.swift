/// Where one of a child's standard streams (0, 1 or 2) goes.
public enum StandardStream: Sendable, Hashable {
    /// `/dev/null`.
    case null
    /// Ours, shared with the child.
    case inherited
    /// A file: read for standard input; created or truncated for output.
    case file(String)
    /// A file opened for appending (created when missing); output only.
    case appending(String)
    /// A descriptor of ours, such as a pipe end from ``ProcessPipe``, duplicated onto the stream.
    case descriptor(Int32)
}
