import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// How much configuration lbclient reads: a file beyond these is refused with an error instead of
/// being read into memory and run.
///
/// Invariant: a configuration that passes the limits is at most `maximumFileSize` bytes and
/// `maximumLineCount` lines per file, so one evaluation holds a bounded amount of work.
public struct ConfigurationLimits: Sendable, Hashable {
    /// Bytes a configuration file or the alias list may have.
    public var maximumFileSize: Int
    /// Lines (blank and comment lines included) a configuration file or the alias list may have.
    public var maximumLineCount: Int

    public init(maximumFileSize: Int = 1 << 20, maximumLineCount: Int = 10_000) {
        self.maximumFileSize = maximumFileSize
        self.maximumLineCount = maximumLineCount
    }

    /// 1 MiB and 10,000 lines: a hundred times the largest real configuration, and small enough
    /// that a runaway generator cannot exhaust the node's memory.
    public static let standard = ConfigurationLimits()

    /// The text of the file at `path`, or why it cannot be used: unreadable, larger than
    /// `maximumFileSize` (checked before reading it all), more lines than `maximumLineCount`, or
    /// not UTF-8.
    public func read(_ path: String) -> Result<String, Problem> {
        // open(2) and read(2) rather than FileHandle and Data: the same answers, without
        // Foundation's set-up on the one-shot path.
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            return .failure(Problem("cannot read \(path): \(Self.openFailure(path))"))
        }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        // One byte more than allowed tells a file at the limit from a larger one.
        let wanted = maximumFileSize + 1
        var chunk = [UInt8](repeating: 0, count: min(wanted, 65536))
        while bytes.count < wanted {
            let count = chunk.withUnsafeMutableBytes {
                Glibc.read(descriptor, $0.baseAddress, min($0.count, wanted - bytes.count))
            }
            if count > 0 {
                bytes += chunk[0..<count]
            } else if count == 0 {
                break
            } else if errno != EINTR {
                return .failure(Problem("cannot read \(path): \(systemErrorDescription(errno))"))
            }
        }
        guard bytes.count <= maximumFileSize else {
            return .failure(
                Problem(
                    "\(path) is larger than \(maximumFileSize) bytes; lbclient reads configuration files of at most that size"
                ))
        }
        // A byte order mark at the start is dropped, as `String(data:encoding: .utf8)` did.
        let text: String?
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            text = String(validating: bytes[3...], as: UTF8.self)
        } else {
            text = String(validating: bytes, as: UTF8.self)
        }
        guard let text else {
            return .failure(Problem("cannot read \(path): it is not UTF-8 text"))
        }
        return checkLineCount(text, path: path).map { text }
    }

    /// Success if `text` has at most `maximumLineCount` lines (a last line without a line end
    /// counts too).
    public func checkLineCount(_ text: String, path: String) -> Result<Void, Problem> {
        var lines = 0
        var endsLine = true
        for byte in text.utf8 {
            endsLine = byte == UInt8(ascii: "\n")
            if endsLine { lines += 1 }
        }
        if !endsLine { lines += 1 }
        guard lines <= maximumLineCount else {
            return .failure(
                Problem(
                    "\(path) has \(lines) lines; lbclient reads configuration files of at most \(maximumLineCount) lines"
                ))
        }
        return .success(())
    }

    private static func openFailure(_ path: String) -> String {
        var information = stat()
        guard stat(path, &information) == 0 else { return systemErrorDescription(errno) }
        if (information.st_mode & S_IFMT) == S_IFDIR { return "it is a directory" }
        return access(path, R_OK) == 0 ? "cannot open it" : systemErrorDescription(EACCES)
    }
}
