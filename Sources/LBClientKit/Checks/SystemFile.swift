#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads the small system files checks inspect (`/proc/...`, `/etc/...`).
///
/// Plain `read(2)` until end of file: `/proc` files report a size of 0, and the errno is kept so
/// that messages say why a file could not be read, which Foundation's errors do not.
enum SystemFile {
    /// A file that could not be read, with the C library's reason.
    struct ReadError: Error, Hashable, Sendable, CustomStringConvertible {
        var path: String
        var errno: Int32

        /// The file does not exist (as opposed to existing but being unreadable).
        var isMissing: Bool { errno == ENOENT || errno == ENOTDIR }

        var description: String { "cannot read \(path): \(systemErrorDescription(errno))" }
    }

    /// The contents of `path` as bytes.
    static func bytes(_ path: String) throws(ReadError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw ReadError(path: path, errno: errno) }
        defer { close(descriptor) }
        var contents: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count > 0 {
                contents += buffer[0..<count]
            } else if count == 0 {
                return contents
            } else if errno != EINTR {
                throw ReadError(path: path, errno: errno)
            }
        }
    }

    /// The contents of `path` as text; bytes that are not UTF-8 become U+FFFD rather than an
    /// error, since the files are parsed line by line and a stray byte must not hide the rest.
    static func text(_ path: String) throws(ReadError) -> String {
        String(decoding: try bytes(path), as: UTF8.self)
    }

    /// The errno of `stat(path)` (following symbolic links), or nil when it succeeded.
    static func statError(_ path: String) -> Int32? {
        var information = stat()
        return stat(path, &information) == 0 ? nil : errno
    }

    /// True when `stat(path)` succeeds: the file exists, whatever its type.
    static func exists(_ path: String) -> Bool { statError(path) == nil }
}
