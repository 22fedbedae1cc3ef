#if canImport(Glibc)
    import Glibc
#endif

/// The name an lbd instance goes by: `--instance-name`, else the host name, as golbd compares
/// `os.Hostname()` with `master`.
public enum InstanceName {
    /// The host name (`gethostname`), or `localhost` when it cannot be read.
    public static func current() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? "localhost" : name
    }
}
