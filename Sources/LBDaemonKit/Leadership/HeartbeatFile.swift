import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// golbd's heartbeat file: one line, `<host> : <unix seconds> : I am alive`, that the master
/// rewrites while it is alive and the standby reads over HTTP.
///
/// A write is atomic (a temporary file in the same directory, flushed, then renamed over the
/// old one), so a reader sees the old line or the new one, never a mix; golbd opened its temporary
/// file with `O_APPEND`, so a leftover could gain several lines; this one truncates.
public struct HeartbeatFile: Hashable, Sendable {
    /// The most of a fetched body `match` looks at: a heartbeat line is under 300 bytes, and the
    /// body comes from the network.
    public static let bodyLimit = 4096

    /// `heartbeat_directory`.
    public let directory: String
    /// `heartbeat_file`, a plain file name.
    public let name: String

    /// The file `name` in `directory`; the name must be a plain file name.
    public init(directory: String, name: String) throws(HeartbeatFileError) {
        guard !name.isEmpty, name != ".", name != "..", !name.contains("/"), !name.contains("\0") else {
            throw .invalidName(name)
        }
        self.directory = directory
        self.name = name
    }

    /// The file of `ha.heartbeat_directory` and `ha.heartbeat_file`.
    public init(settings: HASettings) throws(HeartbeatFileError) {
        try self.init(directory: settings.heartbeatDirectory, name: settings.heartbeatFile)
    }

    /// Where the file is.
    public var path: String {
        directory.hasSuffix("/") ? directory + name : "\(directory.isEmpty ? "." : directory)/\(name)"
    }

    /// The line golbd writes (`"%v : %v : I am alive\n"`), for `host` at `time` (whole Unix
    /// seconds, rounded down as Go's `time.Now().Unix()`).
    public static func line(host: String, at time: Date) -> String {
        "\(host) : \(unixSeconds(time)) : I am alive\n"
    }

    /// Whole Unix seconds, rounded down.
    static func unixSeconds(_ time: Date) -> Int64 {
        let seconds = time.timeIntervalSince1970.rounded(.down)
        guard seconds.isFinite, seconds > -9.2e18, seconds < 9.2e18 else { return 0 }
        return Int64(seconds)
    }

    /// Replaces the file by the line for `host` at `time`, atomically, mode 0644 (the web server
    /// that serves it to golbd may run as another user).
    public func write(host: String, at time: Date) throws(HeartbeatFileError) {
        let path = self.path
        let bytes = Array(Self.line(host: host, at: time).utf8)
        let temporary =
            "\(directory.isEmpty ? "." : directory)/.\(name).\(getpid()).\(UInt32.random(in: .min ... .max)).tmp"
        let descriptor = open(temporary, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .unwritable(path: path, reason: Self.reason(errno)) }
        var renamed = false
        defer { if !renamed { unlink(temporary) } }
        do {
            defer { close(descriptor) }
            var written = 0
            while written < bytes.count {
                let count = bytes.withUnsafeBytes { buffer in
                    Glibc.write(descriptor, buffer.baseAddress! + written, buffer.count - written)
                }
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else {
                    throw HeartbeatFileError.unwritable(path: path, reason: Self.reason(errno))
                }
                written += count
            }
            // The umask may have taken the read bits away; the web server must read the file.
            guard fchmod(descriptor, 0o644) == 0, fsync(descriptor) == 0 else {
                throw HeartbeatFileError.unwritable(path: path, reason: Self.reason(errno))
            }
        } catch let error as HeartbeatFileError {
            throw error
        } catch {
            throw .unwritable(path: path, reason: "\(error)")
        }
        guard rename(temporary, path) == 0 else { throw .unwritable(path: path, reason: Self.reason(errno)) }
        renamed = true
    }

    /// The timestamp of `master`'s heartbeat in `body`, as golbd finds it: the first
    /// `<master> : <digits> : I am alive` anywhere in the body (the master's name taken
    /// literally). Nil when there is none, when its digits do not fit in 64 bits, or when it lies
    /// beyond the first `bodyLimit` bytes.
    public static func match(body: String, master: String) -> Int64? {
        let body = Array(body.utf8.prefix(bodyLimit))
        let master = Array(master.utf8)
        let separator = Array(" : ".utf8)
        let suffix = Array(" : I am alive".utf8)
        guard body.count >= master.count + separator.count + 1 + suffix.count else { return nil }
        var start = 0
        while start + master.count <= body.count {
            if body.hasPrefix(master, at: start) {
                var index = start + master.count
                if body.hasPrefix(separator, at: index) {
                    index += separator.count
                    let digitsStart = index
                    while index < body.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(body[index]) {
                        index += 1
                    }
                    if index > digitsStart, body.hasPrefix(suffix, at: index) {
                        // The leftmost line decides, as golbd's FindStringSubmatch; a number too
                        // large for any clock is no heartbeat.
                        return timestamp(body[digitsStart..<index])
                    }
                }
            }
            start += 1
        }
        return nil
    }

    private static func timestamp(_ digits: ArraySlice<UInt8>) -> Int64? {
        var value: Int64 = 0
        for digit in digits {
            let (times, overflowA) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflowB) = times.addingReportingOverflow(Int64(digit - UInt8(ascii: "0")))
            guard !overflowA, !overflowB else { return nil }
            value = sum
        }
        return value
    }

    private static func reason(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}

extension [UInt8] {
    fileprivate func hasPrefix(_ prefix: [UInt8], at index: Int) -> Bool {
        guard index >= 0, index + prefix.count <= count else { return false }
        return self[index..<(index + prefix.count)].elementsEqual(prefix)
    }
}
