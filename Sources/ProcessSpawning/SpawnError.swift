#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A program that could not be started.
public struct SpawnError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What could not be started.
    public var executable: String
    /// The errno that posix_spawn (or pipe, or a missing C library feature) gave.
    public var errno: Int32

    public init(executable: String, errno: Int32) {
        self.executable = executable
        self.errno = errno
    }

    public var description: String {
        "cannot run \(executable): \(Self.describe(errno))"
    }

    /// The C library's text for an errno value, e.g. `No such file or directory`.
    public static func describe(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "errno \(code)" }
        return String(cString: text)
    }
}
