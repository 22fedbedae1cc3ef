#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The entries of a directory and their types, read with `opendir`/`readdir` and `stat`.
///
/// FileManager gives the same answers, but setting it up and going through it costs a
/// noticeable part of a one-shot run (a few hundred microseconds of runtime set-up), which every
/// node pays on every poll. Callers keep FileManager for what this does not cover (see
/// ``names(in:)``), so that their messages stay FileManager's.
enum DirectoryListing {
    /// The names in `directory` except `.` and `..`, hidden ones included, in no particular
    /// order; as `FileManager.contentsOfDirectory(atPath:)` gives them.
    ///
    /// Nil when the directory cannot be read to its end, or a name is not UTF-8: the caller asks
    /// FileManager then, for its message or its reading of the name.
    static func names(in directory: String) -> [String]? {
        guard let stream = opendir(directory) else { return nil }
        defer { closedir(stream) }
        var names: [String] = []
        while true {
            errno = 0
            guard let entry = readdir(stream) else {
                return errno == 0 ? names : nil
            }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw -> String? in
                let bytes = raw.prefix { $0 != 0 }
                return String(validating: bytes, as: UTF8.self)
            }
            guard let name else { return nil }
            if name == "." || name == ".." { continue }
            names.append(name)
        }
    }

    /// True when `path` exists and, following symbolic links, is not a directory: a regular
    /// file, a FIFO, a device. What `FileManager.fileExists(atPath:isDirectory:)` gives as
    /// existing and not a directory.
    static func isNonDirectory(_ path: String) -> Bool {
        var information = stat()
        guard stat(path, &information) == 0 else { return false }
        return (information.st_mode & S_IFMT) != S_IFDIR
    }
}
