import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads and writes `decisions.json`, the latest decision of every alias, in the state
/// directory. Written atomically (as `published-state.json`), so a reader sees either the old
/// file or the new one.
public enum DecisionsFile {
    /// The name of the file in the state directory.
    public static let name = "decisions.json"
    /// The largest file read: far above the decisions of thousands of aliases, and small enough
    /// that a foreign file cannot make `lbd explain` read gigabytes.
    public static let sizeLimit = 64 << 20

    /// The path of the file in `directory`.
    public static func path(inStateDirectory directory: String) -> String {
        (directory as NSString).appendingPathComponent(name)
    }

    /// What one instance last decided, as read back from the file.
    public struct Contents: Sendable {
        /// The instance that wrote the file.
        public var instance: String
        /// When it was written.
        public var writtenAt: Date
        /// The latest evaluation of each alias, by alias name.
        public var evaluations: [String: AliasEvaluation]
    }

    /// The file's JSON for `evaluations`: sorted keys and indented, dates in ISO 8601.
    public static func encode(
        _ evaluations: [String: AliasEvaluation], instance: String, writtenAt: Date
    ) throws(DecisionsFileError) -> Data {
        let document = DecisionsDocument(
            instance: instance, writtenAt: writtenAt, aliases: evaluations.mapValues(DecisionRecord.init))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        do {
            return try encoder.encode(document)
        } catch {
            throw .unwritable(path: name, reason: "cannot encode the decisions: \(error)")
        }
    }

    /// Replaces the file at `path` by `evaluations`, atomically.
    public static func write(
        _ evaluations: [String: AliasEvaluation], instance: String, writtenAt: Date, to path: String
    ) throws(DecisionsFileError) {
        let data = try encode(evaluations, instance: instance, writtenAt: writtenAt)
        do {
            try StateFile.writeAtomically(data, to: path)
        } catch {
            guard case .unwritable(_, let reason) = error else {
                throw .unwritable(path: path, reason: error.description)
            }
            throw .unwritable(path: path, reason: reason)
        }
    }

    /// The file at `path`; `.missing` when there is none.
    public static func read(_ path: String) throws(DecisionsFileError) -> Contents {
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
        guard let data else { throw .missing(path: path) }
        return try decode(data, path: path)
    }

    /// The decisions `data` holds; `path` only names the file in errors. Every decision is
    /// checked, so a damaged file is refused whole, naming the alias and the value.
    public static func decode(_ data: Data, path: String) throws(DecisionsFileError) -> Contents {
        guard data.count <= sizeLimit else { throw .tooLarge(path: path, size: data.count, limit: sizeLimit) }
        struct Header: Decodable { var version: Int }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let document: DecisionsDocument
        do {
            let header = try decoder.decode(Header.self, from: data)
            guard header.version == DecisionsDocument.currentVersion else {
                throw DecisionsFileError.unsupportedVersion(path: path, version: header.version)
            }
            document = try decoder.decode(DecisionsDocument.self, from: data)
        } catch let error as DecisionsFileError {
            throw error
        } catch {
            throw .malformed(path: path, reason: summary(of: error))
        }
        var evaluations: [String: AliasEvaluation] = [:]
        for (alias, record) in document.aliases {
            do {
                evaluations[alias] = try record.evaluation(alias: alias)
            } catch {
                throw .invalidContent(path: path, alias: Self.shown(alias), reason: error.reason)
            }
        }
        return Contents(instance: document.instance, writtenAt: document.writtenAt, evaluations: evaluations)
    }

    /// At most 80 characters of a name read from the file, control characters shown as `?`.
    static func shown(_ text: String) -> String {
        let shown = text.unicodeScalars.prefix(80).map { scalar in
            scalar.properties.generalCategory == .control ? "?" : Character(scalar)
        }
        return String(shown) + (text.unicodeScalars.count > 80 ? "..." : "")
    }

    /// A decoding error in one line: what was wrong and where.
    private static func summary(of error: any Error) -> String {
        guard let error = error as? DecodingError else { return shown("\(error)") }
        func place(_ path: [any CodingKey]) -> String {
            path.isEmpty
                ? "the top level"
                : shown(path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined())
        }
        switch error {
        case .dataCorrupted(let context):
            return "invalid JSON at \(place(context.codingPath))"
        case .keyNotFound(let key, let context):
            return "missing '\(shown(key.stringValue))' at \(place(context.codingPath))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "unexpected value at \(place(context.codingPath))"
        @unknown default:
            return "invalid JSON"
        }
    }
}
