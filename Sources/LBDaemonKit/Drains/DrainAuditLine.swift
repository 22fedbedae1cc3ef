import Foundation
import LBCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One line of `drains.log`, the audit trail of the state directory: a JSON object per change,
/// appended under the drains lock so that lines never interleave.
public struct DrainAuditLine: Hashable, Sendable, Codable {
    /// What happened to a drain.
    public enum Action: String, Hashable, Sendable, Codable {
        case drain, undrain, expired
    }

    public static let fileName = "drains.log"

    /// When, in Unix seconds.
    public var time: Int
    public var action: Action
    public var node: String
    public var alias: String?
    /// Who made the drain (for `undrain`, who removed it).
    public var by: String
    public var reason: String
    public var until: Int?

    public init(time: Int, action: Action, drain: Drain, by: String? = nil) {
        self.time = time
        self.action = action
        self.node = drain.node
        self.alias = drain.alias
        self.by = by ?? drain.by
        self.reason = drain.reason
        self.until = drain.until
    }

    /// The line as written: compact JSON with sorted keys, no newline.
    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    /// Appends `lines` to the log at `path` in one write.
    static func append(_ lines: [DrainAuditLine], to path: String) throws(DrainBookError) {
        guard !lines.isEmpty else { return }
        let bytes = Array(lines.map { $0.json + "\n" }.joined().utf8)
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .unwritable(path: path, reason: DrainFile.reason(errno)) }
        defer { close(descriptor) }
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { buffer in
                Glibc.write(descriptor, buffer.baseAddress! + written, buffer.count - written)
            }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw .unwritable(path: path, reason: DrainFile.reason(errno)) }
            written += count
        }
        _ = fsync(descriptor)
    }
}
