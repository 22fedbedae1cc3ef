import Foundation

/// Why the state file could not be read or written. Every case names the file, so the log
/// line alone tells the operator which file to look at.
public enum StateFileError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Reading the file failed (permissions, I/O error).
    case unreadable(path: String, reason: String)
    /// The file is larger than any state lbd writes: not ours, or damaged.
    case tooLarge(path: String, size: Int, limit: Int)
    /// The file is not the JSON lbd writes: truncated, damaged or foreign.
    case malformed(path: String, reason: String)
    /// The file was written by a newer (or unknown) format version.
    case unsupportedVersion(path: String, version: Int)
    /// The file is JSON of the right shape, but a value in it is not valid (a name, an
    /// address, a zone that breaks a DNS rule).
    case invalidContent(path: String, reason: String)
    /// Writing the file failed (full disk, read-only or missing directory, permissions).
    case unwritable(path: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            return "cannot read the state file \(path): \(reason)"
        case .tooLarge(let path, let size, let limit):
            return
                "the state file \(path) is \(size) bytes, more than the \(limit) lbd reads: it is not lbd's state"
        case .malformed(let path, let reason):
            return "the state file \(path) is not lbd's state (truncated or damaged?): \(reason)"
        case .unsupportedVersion(let path, let version):
            return
                "the state file \(path) has format version \(version); this lbd reads version \(PublishedState.currentVersion)"
        case .invalidContent(let path, let reason):
            return "the state file \(path) holds an invalid value: \(reason)"
        case .unwritable(let path, let reason):
            return "cannot write the state file \(path): \(reason)"
        }
    }
}
