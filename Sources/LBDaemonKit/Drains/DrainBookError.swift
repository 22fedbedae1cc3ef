import Foundation

/// Why the drains file, its lock or its audit log could not be read or written. Every case
/// names the file and says what to do, so that the line alone is enough to act on.
public enum DrainBookError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Reading the file failed (permissions, I/O error).
    case unreadable(path: String, reason: String)
    /// The file is larger than any drains file lbd writes.
    case tooLarge(path: String, size: Int, limit: Int)
    /// The file is not the JSON lbd writes: truncated, damaged or foreign.
    case malformed(path: String, reason: String)
    /// The file was written by a newer (or unknown) format version.
    case unsupportedVersion(path: String, version: Int)
    /// The JSON has the right shape but a drain in it is not valid.
    case invalidContent(path: String, reason: String)
    /// Writing failed (read-only or missing directory, permissions, full disk).
    case unwritable(path: String, reason: String)
    /// Another writer held the lock for too long.
    case locked(path: String, seconds: Int)
    /// A drain given to be written is not valid (empty node or reason, too long).
    case invalidDrain(String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            return
                "cannot read the drains file \(path): \(reason) (run as the user lbd runs as, or give --state-dir)"
        case .tooLarge(let path, let size, let limit):
            return
                "the drains file \(path) is \(size) bytes, more than the \(limit) lbd reads: it is not lbd's; move it away (lbd then has no drains)"
        case .malformed(let path, let reason):
            return
                "the drains file \(path) is not lbd's (truncated or damaged?): \(reason); fix it or move it away (lbd then has no drains)"
        case .unsupportedVersion(let path, let version):
            return
                "the drains file \(path) has format version \(version); this lbd reads version \(DrainFile.currentVersion): use the lbd that wrote it"
        case .invalidContent(let path, let reason):
            return "the drains file \(path) holds an invalid drain: \(reason); fix it or move it away"
        case .unwritable(let path, let reason):
            return
                "cannot write \(path): \(reason) (run as the user lbd runs as, e.g. with sudo, or give --state-dir a directory you can write)"
        case .locked(let path, let seconds):
            return
                "\(path) stayed locked for \(seconds) s by another lbd drain, lbd undrain or the running lbd: try again"
        case .invalidDrain(let reason):
            return reason
        }
    }
}
