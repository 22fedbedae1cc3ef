import Foundation
import LBCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The drains file of the state directory, `drains.json`: `{"version": 1, "drains": [...]}`.
///
/// Decoding checks every drain, so that a damaged file is refused whole rather than half
/// applied; the size and count limits keep a foreign file from making lbd read gigabytes.
public enum DrainFile {
    /// The name of the file in the state directory.
    public static let name = "drains.json"
    public static let currentVersion = 1
    /// Far above any real set of drains.
    public static let sizeLimit = 4 << 20
    /// The most drains a file may hold.
    public static let countLimit = 10_000
    /// The longest node, alias or `by` name.
    public static let nameLimit = 255
    /// The longest reason.
    public static let reasonLimit = 500

    struct Document: Codable {
        var version: Int
        var drains: [Drain]
    }

    /// The drains in the file at `path`; empty when there is no such file.
    public static func read(_ path: String) throws(DrainBookError) -> [Drain] {
        let data: Data?
        do {
            data = try StateFile.contents(of: path, limit: sizeLimit)
        } catch {
            switch error {
            case .tooLarge(_, let size, let limit): throw .tooLarge(path: path, size: size, limit: limit)
            case .unreadable(_, let reason): throw .unreadable(path: path, reason: reason)
            default: throw .unreadable(path: path, reason: error.description)
            }
        }
        guard let data else { return [] }
        return try decode(data, path: path)
    }

    /// The drains `data` holds; `path` only names the file in errors.
    public static func decode(_ data: Data, path: String) throws(DrainBookError) -> [Drain] {
        guard data.count <= sizeLimit else { throw .tooLarge(path: path, size: data.count, limit: sizeLimit) }
        struct Header: Decodable { var version: Int }
        let header: Header
        do {
            header = try JSONDecoder().decode(Header.self, from: data)
        } catch {
            throw .malformed(path: path, reason: summary(of: error))
        }
        guard header.version == currentVersion else {
            throw .unsupportedVersion(path: path, version: header.version)
        }
        let document: Document
        do {
            document = try JSONDecoder().decode(Document.self, from: data)
        } catch {
            throw .malformed(path: path, reason: summary(of: error))
        }
        guard document.drains.count <= countLimit else {
            throw .invalidContent(
                path: path, reason: "\(document.drains.count) drains, more than the \(countLimit) lbd keeps")
        }
        for (index, drain) in document.drains.enumerated() {
            if let problem = problem(with: drain) {
                throw .invalidContent(path: path, reason: "drains[\(index)]: \(problem)")
            }
        }
        return document.drains
    }

    /// What is wrong with `drain`, or nil when it can be kept.
    public static func problem(with drain: Drain) -> String? {
        func badName(_ name: String, _ what: String) -> String? {
            if name.isEmpty { return "\(what) is empty" }
            if name.count > nameLimit { return "\(what) is longer than \(nameLimit) characters" }
            if name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0 == " " })
            {
                return "\(what) contains a space or a control character"
            }
            return nil
        }
        if let problem = badName(drain.node, "node") { return problem }
        if let alias = drain.alias, let problem = badName(alias, "alias") { return problem }
        if drain.by.isEmpty || drain.by.count > nameLimit { return "by must be 1 to \(nameLimit) characters" }
        if drain.reason.trimmingCharacters(in: .whitespaces).isEmpty { return "the reason is empty" }
        if drain.reason.count > reasonLimit { return "the reason is longer than \(reasonLimit) characters" }
        if let until = drain.until, until < drain.since { return "until is before since" }
        return nil
    }

    /// The JSON written: sorted keys, indented, one drain per block, so that it reads in a diff.
    public static func encode(_ drains: [Drain]) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Encoding plain strings and integers cannot fail.
        var data = (try? encoder.encode(Document(version: currentVersion, drains: drains))) ?? Data()
        data.append(0x0A)
        return data
    }

    /// Replaces the file at `path` by `drains`, atomically (`StateFile.writeAtomically`).
    public static func write(_ drains: [Drain], to path: String) throws(DrainBookError) {
        do {
            try StateFile.writeAtomically(encode(drains), to: path)
        } catch {
            switch error {
            case .unwritable(_, let reason): throw .unwritable(path: path, reason: reason)
            default: throw .unwritable(path: path, reason: error.description)
            }
        }
    }

    static func reason(_ code: Int32) -> String {
        String(cString: strerror(code))
    }

    /// A decoding error in one line, without Foundation's long descriptions (which may quote
    /// the file).
    static func summary(of error: any Error) -> String {
        guard let error = error as? DecodingError else { return "invalid JSON" }
        func place(_ path: [any CodingKey]) -> String {
            path.isEmpty
                ? "the top level"
                : path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        }
        switch error {
        case .dataCorrupted(let context):
            return "invalid JSON at \(place(context.codingPath))"
        case .keyNotFound(let key, let context):
            return "missing '\(key.stringValue)' at \(place(context.codingPath))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "unexpected value at \(place(context.codingPath))"
        @unknown default:
            return "invalid JSON"
        }
    }
}
