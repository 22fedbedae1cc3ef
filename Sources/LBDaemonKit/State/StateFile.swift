import DNS
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads and writes `PublishedState` as one JSON file. A write is atomic: the state goes to a
/// temporary file in the same directory, which is flushed to disk (fsync) and then renamed over
/// the old one, so a crash or a full disk leaves either the old file or the new one, never a
/// mix. The file is made mode 0644.
public enum StateFile {
    /// The name of the file in the state directory.
    public static let name = "published-state.json"
    /// The largest file read: far above the state of thousands of aliases, and small enough
    /// that a foreign file cannot make lbd read gigabytes at start.
    public static let sizeLimit = 64 << 20

    /// The state in the file at `path`; nil when there is no such file (a first start).
    public static func read(_ path: String) throws(StateFileError) -> PublishedState? {
        guard let data = try contents(of: path, limit: sizeLimit) else { return nil }
        return try decode(data, path: path)
    }

    /// The bytes of the regular file at `path`, at most `limit` of them; nil when there is no
    /// such file. Every file of the state directory is read this way: a foreign or growing file
    /// never makes lbd read more than `limit` octets.
    static func contents(of path: String, limit: Int) throws(StateFileError) -> Data? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let code = errno
            if code == ENOENT { return nil }
            throw .unreadable(path: path, reason: reason(code))
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw .unreadable(path: path, reason: reason(errno)) }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw .unreadable(path: path, reason: "not a regular file")
        }
        guard status.st_size <= limit else {
            throw .tooLarge(path: path, size: Int(status.st_size), limit: limit)
        }
        var bytes = [UInt8](repeating: 0, count: Int(status.st_size))
        var filled = 0
        while filled < bytes.count {
            let count = bytes.withUnsafeMutableBytes { buffer in
                Glibc.read(descriptor, buffer.baseAddress! + filled, buffer.count - filled)
            }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw .unreadable(path: path, reason: reason(errno)) }
            if count == 0 { break }  // shrank while read: the decoder finds it truncated
            filled += count
        }
        return Data(bytes[0..<filled])
    }

    /// The state `data` holds; `path` only names the file in errors.
    public static func decode(_ data: Data, path: String) throws(StateFileError) -> PublishedState {
        guard data.count <= sizeLimit else { throw .tooLarge(path: path, size: data.count, limit: sizeLimit) }
        struct Header: Decodable { var version: Int }
        let header: Header
        do {
            header = try JSONDecoder().decode(Header.self, from: data)
        } catch {
            throw .malformed(path: path, reason: summary(of: error))
        }
        guard header.version == PublishedState.currentVersion else {
            throw .unsupportedVersion(path: path, version: header.version)
        }
        let state: PublishedState
        do {
            state = try JSONDecoder().decode(PublishedState.self, from: data)
        } catch {
            throw .malformed(path: path, reason: summary(of: error))
        }
        // Every value is checked now, so that a bad file is refused whole at start and not
        // found out half way through serving it.
        var origins: Set<DomainName> = []
        for stored in state.zones {
            let zone: Zone
            do {
                zone = try stored.zone()
            } catch {
                guard case .invalid(let reason) = error else {
                    throw .invalidContent(path: path, reason: "\(error)")
                }
                throw .invalidContent(path: path, reason: reason)
            }
            guard origins.insert(zone.origin).inserted else {
                throw .invalidContent(path: path, reason: "zone \(zone.origin) appears twice")
            }
        }
        return state
    }

    /// The JSON written for `state`: sorted keys and indented, so that two states differ in a
    /// diff as they differ in content.
    public static func encode(_ state: PublishedState) throws(StateFileError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            return try encoder.encode(state)
        } catch {
            throw .unwritable(path: name, reason: "cannot encode the state: \(error)")
        }
    }

    /// Replaces the file at `path` by `state`, atomically.
    public static func write(_ state: PublishedState, to path: String) throws(StateFileError) {
        try writeAtomically(try encode(state), to: path)
    }

    /// Replaces the file at `path` by `data`, atomically and durably as above: every file of
    /// the state directory is written this way.
    static func writeAtomically(_ data: Data, to path: String) throws(StateFileError) {
        let directory = (path as NSString).deletingLastPathComponent
        let temporary =
            "\(directory.isEmpty ? "." : directory)/.\((path as NSString).lastPathComponent).\(getpid()).\(UInt32.random(in: .min ... .max)).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .unwritable(path: path, reason: reason(errno)) }
        var renamed = false
        defer { if !renamed { unlink(temporary) } }
        do {
            defer { close(descriptor) }
            var written = 0
            while written < data.count {
                let count = data.withUnsafeBytes { buffer in
                    Glibc.write(descriptor, buffer.baseAddress! + written, buffer.count - written)
                }
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { throw StateFileError.unwritable(path: path, reason: reason(errno)) }
                written += count
            }
            // The umask may have taken bits away; the state is meant to be readable by tools.
            guard fchmod(descriptor, 0o644) == 0, fsync(descriptor) == 0 else {
                throw StateFileError.unwritable(path: path, reason: reason(errno))
            }
        } catch let error as StateFileError {
            throw error
        } catch {
            throw .unwritable(path: path, reason: "\(error)")
        }
        guard rename(temporary, path) == 0 else { throw .unwritable(path: path, reason: reason(errno)) }
        renamed = true
        // The rename itself is durable once the directory is flushed; failing that is no error
        // (some file systems refuse fsync on a directory).
        let directoryDescriptor = open(
            directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryDescriptor >= 0 {
            _ = fsync(directoryDescriptor)
            close(directoryDescriptor)
        }
    }

    private static func reason(_ code: Int32) -> String {
        String(cString: strerror(code))
    }

    /// A decoding error in one line: what was wrong and where, without Foundation's long
    /// debug descriptions.
    private static func summary(of error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)".prefix(200).description }
        func place(_ path: [any CodingKey]) -> String {
            path.isEmpty
                ? "the top level"
                : path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        }
        switch error {
        case .dataCorrupted(let context):
            // Foundation's own words, cut short and without control characters: they may
            // quote the file.
            let detail = context.debugDescription.prefix(120).filter { character in
                character.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value != 0x7F }
            }
            return "invalid JSON at \(place(context.codingPath)): \(detail)"
        case .keyNotFound(let key, let context):
            return "missing '\(key.stringValue)' at \(place(context.codingPath))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "unexpected value at \(place(context.codingPath))"
        @unknown default:
            return "invalid JSON"
        }
    }
}
