/// Why `decisions.json` could not be read or written. Every case names the file, so the
/// message alone tells the operator which file to look at.
public enum DecisionsFileError: Error, Hashable, Sendable, CustomStringConvertible {
    /// There is no such file: lbd never finished an evaluation with this state directory.
    case missing(path: String)
    /// Reading the file failed (permissions, I/O error, not a regular file).
    case unreadable(path: String, reason: String)
    /// The file is larger than any lbd writes: not lbd's, or damaged.
    case tooLarge(path: String, size: Int, limit: Int)
    /// The file is not the JSON lbd writes: truncated, damaged or foreign.
    case malformed(path: String, reason: String)
    /// The file was written in another (newer) format version.
    case unsupportedVersion(path: String, version: Int)
    /// The JSON has the right shape, but a value of one alias's decision is not valid.
    case invalidContent(path: String, alias: String, reason: String)
    /// Writing the file failed (full disk, read-only or missing directory, permissions).
    case unwritable(path: String, reason: String)

    public var description: String {
        switch self {
        case .missing(let path):
            return
                "there is no decisions file \(path): lbd has not evaluated any alias with this state directory"
        case .unreadable(let path, let reason):
            return "cannot read the decisions file \(path): \(reason)"
        case .tooLarge(let path, let size, let limit):
            return
                "the decisions file \(path) is \(size) bytes, more than the \(limit) lbd reads: it is not lbd's"
        case .malformed(let path, let reason):
            return "the decisions file \(path) is not lbd's (truncated or damaged?): \(reason)"
        case .unsupportedVersion(let path, let version):
            return
                "the decisions file \(path) has format version \(version); this lbd reads version \(DecisionsDocument.currentVersion)"
        case .invalidContent(let path, let alias, let reason):
            return "the decisions file \(path) holds an invalid decision for \(alias): \(reason)"
        case .unwritable(let path, let reason):
            return "cannot write the decisions file \(path): \(reason)"
        }
    }
}
