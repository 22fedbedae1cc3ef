import Foundation
import Yams

/// A configuration that loaded, with what it was read from and the warnings it raised.
public struct LoadedConfiguration: Sendable {
    public var configuration: Configuration
    public var format: ConfigurationFormat
    public var warnings: [ConfigurationIssue]
}

/// Reads a configuration file in any supported format, checks it, and returns it with its
/// warnings, or throws every error found. It never crashes on any input.
public enum ConfigurationLoader {
    /// Larger files are refused before they are parsed (the largest real golbd file is ~100 kB).
    public static let maximumFileSize = 16 << 20
    /// Deeper YAML nesting is refused: no valid configuration comes close, and the YAML
    /// composer recurses once per level.
    static let maximumNesting = 64

    /// Loads the file at `path`; `format` `nil` guesses it from the name and the content.
    public static func load(path: String, format: ConfigurationFormat? = nil) throws(ConfigurationError)
        -> LoadedConfiguration
    {
        let text = try readText(path: path)
        return try parse(text, file: path, format: format)
    }

    /// Parses `text` as if read from `file` (which names the file in messages and guides the guess).
    public static func parse(_ text: String, file: String, format: ConfigurationFormat? = nil)
        throws(ConfigurationError) -> LoadedConfiguration
    {
        let diagnostics = Diagnostics(file: file)
        var detected = format
        var configuration = Configuration()
        if format == .golbdLines
            || (format == nil && ConfigurationFormat.guessIsLineFormat(path: file, text: text))
        {
            detected = .golbdLines
            configuration = GolbdLineFormatParser(diagnostics: diagnostics).parse(text)
        } else if let root = composeYAML(text, diagnostics: diagnostics) {
            let reader = YAMLReader(diagnostics: diagnostics)
            if let entries = reader.mapping(root, "the configuration") {
                let isGolbd = format == .golbdYAML || (format == nil && looksLikeGolbdYAML(entries))
                detected = isGolbd ? .golbdYAML : .native
                configuration =
                    isGolbd
                    ? GolbdYAMLParser(diagnostics: diagnostics).parse(entries)
                    : NativeYAMLParser(diagnostics: diagnostics).parse(entries)
            }
        } else if detected == nil {
            detected = .native
        }
        ConfigurationChecks(diagnostics: diagnostics).check(configuration)
        if diagnostics.hasErrors {
            throw ConfigurationError(issues: diagnostics.issues)
        }
        return LoadedConfiguration(
            configuration: configuration, format: detected ?? .native, warnings: diagnostics.issues)
    }

    static func readText(path: String) throws(ConfigurationError) -> String {
        func failure(_ message: String) -> ConfigurationError {
            ConfigurationError(issues: [
                ConfigurationIssue(severity: .error, file: path, line: nil, message: message)
            ])
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw failure("no such file")
        }
        guard !isDirectory.boolValue else { throw failure("is a directory, not a configuration file") }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw failure("cannot be read (permissions?)")
        }
        defer { try? handle.close() }
        let data: Data
        do {
            data = try handle.read(upToCount: maximumFileSize + 1) ?? Data()
        } catch {
            throw failure("cannot be read: \(error.localizedDescription)")
        }
        guard data.count <= maximumFileSize else {
            throw failure("is larger than \(maximumFileSize >> 20) MiB; this is not a configuration file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw failure("is not UTF-8 text")
        }
        return text
    }

    /// The top-level keys decide: golbd's lower-cased field names and none of lbd's.
    private static func looksLikeGolbdYAML(_ entries: [YAMLReader.Entry]) -> Bool {
        let keys = Set(entries.map(\.key))
        return !keys.isDisjoint(with: GolbdYAMLParser.topLevelKeys)
            && keys.isDisjoint(with: NativeYAMLParser.topLevelKeys)
    }

    private static func composeYAML(_ text: String, diagnostics: Diagnostics) -> Node? {
        if let line = lineExceedingNesting(text) {
            diagnostics.error("YAML nested more than \(maximumNesting) levels deep", line: line)
            return nil
        }
        do {
            guard let node = try Yams.compose(yaml: text) else {
                return Node.mapping(Node.Mapping([]))
            }
            return node
        } catch let error as YamlError {
            report(error, diagnostics: diagnostics)
        } catch {
            diagnostics.error("not valid YAML: \(error)", line: nil)
        }
        return nil
    }

    private static func report(_ error: YamlError, diagnostics: Diagnostics) {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let detail = context.map { "\($0.text), " } ?? ""
            diagnostics.error("not valid YAML: \(detail)\(problem)", line: mark.line, column: mark.column)
        case .reader(let problem, _, _, _):
            diagnostics.error("not valid YAML text: \(problem)", line: nil)
        default:
            diagnostics.error("not valid YAML: \(error)", line: nil)
        }
    }

    /// The line where flow collections (`[`, `{`) or indentation nest deeper than allowed, if any.
    /// Quoted text is skipped; the check is conservative, not a YAML parser.
    private static func lineExceedingNesting(_ text: String) -> Int? {
        var depth = 0
        var line = 1
        var quote: UInt8?
        var atLineStart = true
        var indent = 0
        var indents: [Int] = []
        for byte in text.utf8 {
            if byte == UInt8(ascii: "\n") {
                line += 1
                atLineStart = true
                indent = 0
                quote = nil
                continue
            }
            if atLineStart {
                if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "-") {
                    indent += 1
                    continue
                }
                atLineStart = false
                if byte != UInt8(ascii: "#") && byte != UInt8(ascii: "\r") {
                    while let last = indents.last, last >= indent { indents.removeLast() }
                    indents.append(indent)
                    if indents.count > maximumNesting { return line }
                }
            }
            if let open = quote {
                if byte == open { quote = nil }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "'"): quote = byte
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                if depth > maximumNesting { return line }
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth = max(0, depth - 1)
            default: break
            }
        }
        return nil
    }
}
