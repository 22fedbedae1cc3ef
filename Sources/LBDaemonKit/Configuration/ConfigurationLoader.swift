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
    /// Larger YAML texts are refused before they are composed: the composed document takes about
    /// 40 times the size of its text in memory (a 10 MB file took 450 MB), while 700 aliases
    /// take about 200 kB. golbd's line format is read line by line and may use the whole
    /// `maximumFileSize`.
    public static let maximumYAMLSize = 4 << 20
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
        // A UTF-8 byte order mark is not part of the first line (YAML skips it too).
        let text = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        let diagnostics = Diagnostics(file: file)
        var detected = format
        var configuration: Configuration?
        if format == .golbdLines
            || (format == nil && ConfigurationFormat.guessIsLineFormat(path: file, text: text))
        {
            detected = .golbdLines
            configuration = GolbdLineFormatParser(diagnostics: diagnostics).parse(text)
        } else if let root = composeYAML(text, diagnostics: diagnostics) {
            let reader = YAMLReader(diagnostics: diagnostics)
            // An empty document (`---`, `~`) is an empty configuration, like an empty file.
            let entries = reader.isNull(root) ? [] : reader.mapping(root, "the configuration")
            if let entries {
                let isGolbd = format == .golbdYAML || (format == nil && looksLikeGolbdYAML(entries))
                detected = isGolbd ? .golbdYAML : .native
                configuration =
                    isGolbd
                    ? GolbdYAMLParser(diagnostics: diagnostics).parse(entries)
                    : NativeYAMLParser(diagnostics: diagnostics).parse(entries)
            }
        }
        // Checks of the settings as a whole only make sense when the file could be read.
        if let configuration {
            ConfigurationChecks(diagnostics: diagnostics).check(configuration)
        }
        if diagnostics.hasErrors {
            throw ConfigurationError(issues: diagnostics.issues)
        }
        return LoadedConfiguration(
            configuration: configuration ?? Configuration(), format: detected ?? .native,
            warnings: diagnostics.issues)
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
        guard text.utf8.count <= maximumYAMLSize else {
            diagnostics.error(
                "is a YAML text larger than \(maximumYAMLSize >> 20) MiB, which lbd refuses (reading it would take "
                    + "about 40 times its size in memory); no configuration comes close", line: nil)
            return nil
        }
        // A cheap scan refuses absurd nesting before libyaml and the composer work through it;
        // `checkShape` then enforces the limit exactly on what was composed.
        if let line = lineExceedingNesting(text, limit: 4 * maximumNesting) {
            diagnostics.error("YAML nested more than \(maximumNesting) levels deep", line: line)
            return nil
        }
        do {
            guard let node = try composeOnALargeStack(text) else {
                return Node.mapping(Node.Mapping([]))
            }
            // Without aliases, a file cannot hold more nodes than it has bytes.
            let maximumNodes = 100_000 + 2 * text.utf8.count
            return checkShape(of: node, maximumNodes: maximumNodes, diagnostics: diagnostics) ? node : nil
        } catch let error as YamlError {
            report(error, text: text, diagnostics: diagnostics)
        } catch {
            diagnostics.error("not valid YAML: \(error)", line: nil)
        }
        return nil
    }

    /// Composes `text` on a thread of its own: the composer recurses once per nesting level, and
    /// libyaml allows 1000 levels, more than the 512 KiB stack of a secondary thread may hold when
    /// the scan of `lineExceedingNesting` is fooled.
    private static func composeOnALargeStack(_ text: String) throws -> Node? {
        // Written by the thread before `signal()`, read after `wait()`: the semaphore orders the
        // two accesses, so the class needs no lock.
        final class Outcome: @unchecked Sendable {
            var result: Result<Node?, any Error> = .success(nil)
        }
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            outcome.result = Result { try Yams.compose(yaml: text) }
            done.signal()
        }
        thread.stackSize = 32 << 20
        thread.start()
        done.wait()
        return try outcome.result.get()
    }

    /// Checks the composed document exactly: no deeper than `maximumNesting` collections, and no
    /// more nodes than the file could hold without aliases (`*anchor` repeats a node without
    /// copying it, so a few lines can stand for billions of values). Iterative, and it stops at
    /// the first problem.
    ///
    /// Every node with a tag other than YAML's standard ones is an error too (see `YAMLTag`).
    private static func checkShape(of root: Node, maximumNodes: Int, diagnostics: Diagnostics) -> Bool {
        var pending: [(node: Node, depth: Int)] = [(root, 1)]
        var budget = maximumNodes
        var tagged = false
        // An anchored node repeated by aliases is one node: its tag is reported once.
        var reportedTags: Set<[Int]> = []
        while let (node, depth) = pending.popLast() {
            if let tag = YAMLTag.unsupported(on: node) {
                tagged = true
                let place = [node.mark?.line ?? 0, node.mark?.column ?? 0]
                if reportedTags.insert(place).inserted {
                    diagnostics.error(
                        "YAML tag '\(tag.prefix(80))' is not supported: lbd reads plain values only; remove the tag",
                        line: node.mark?.line, column: node.mark?.column)
                }
            }
            budget -= 1
            if budget < 0 {
                diagnostics.error(
                    "YAML aliases (*anchor) repeat more values than the file holds; refused",
                    line: node.mark?.line, column: node.mark?.column)
                return false
            }
            switch node {
            case .mapping(let mapping):
                if depth > maximumNesting {
                    diagnostics.error(
                        "YAML nested more than \(maximumNesting) levels deep", line: node.mark?.line,
                        column: node.mark?.column)
                    return false
                }
                for (key, value) in mapping {
                    pending.append((key, depth + 1))
                    pending.append((value, depth + 1))
                }
            case .sequence(let sequence):
                if depth > maximumNesting {
                    diagnostics.error(
                        "YAML nested more than \(maximumNesting) levels deep", line: node.mark?.line,
                        column: node.mark?.column)
                    return false
                }
                for item in sequence { pending.append((item, depth + 1)) }
            case .scalar, .alias:
                break
            }
        }
        return !tagged
    }

    private static func report(_ error: YamlError, text: String, diagnostics: Diagnostics) {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let detail = context.map { "\($0.text), " } ?? ""
            diagnostics.error("not valid YAML: \(detail)\(problem)", line: mark.line, column: mark.column)
        case .reader(let problem, let offset, _, _):
            // `offset` counts characters from the start of the text.
            let place = offset.flatMap { position(ofCharacter: $0, in: text) }
            diagnostics.error("not valid YAML text: \(problem)", line: place?.line, column: place?.column)
        case .duplicatedKeysInMapping(let duplicates, let context):
            // Yams names the first occurrence of the first key; the error belongs to the repeat.
            let key = duplicates.first ?? ""
            let others = duplicates.dropFirst().map { "'\($0.prefix(80))'" }
            let also = others.isEmpty ? "" : " (also \(others.joined(separator: ", ")))"
            if let repeated = repeatedKey(key, firstAt: context.mark, in: text) {
                diagnostics.error(
                    "duplicate key '\(key.prefix(80))' (first on line \(context.mark.line))\(also)",
                    line: repeated.line, column: repeated.column)
            } else {
                diagnostics.error(
                    "duplicate key '\(key.prefix(80))' in this mapping\(also)", line: context.mark.line,
                    column: context.mark.column)
            }
        default:
            diagnostics.error("not valid YAML: \(error)", line: nil)
        }
    }

    /// The 1-based line and column (in Unicode scalars, as YAML marks count) of a character.
    private static func position(ofCharacter offset: Int, in text: String) -> (line: Int, column: Int)? {
        guard let index = text.index(text.startIndex, offsetBy: offset, limitedBy: text.endIndex) else {
            return nil
        }
        var line = 1
        var lineStart = text.startIndex
        var cursor = text.startIndex
        while cursor < index {
            let character = text[cursor]
            cursor = text.index(after: cursor)
            if character == "\n" || character == "\r\n" || character == "\r" {
                line += 1
                lineStart = cursor
            }
        }
        return (line, text.unicodeScalars[lineStart..<index].count + 1)
    }

    /// Where `key` is repeated in the block mapping whose first key `key` is at `first`: a later
    /// line with the key at the same column, before the mapping ends (a line less indented).
    private static func repeatedKey(_ key: String, firstAt first: Mark, in text: String) -> (
        line: Int, column: Int
    )? {
        guard first.line >= 1, first.column >= 1 else { return nil }
        let candidates = [key, "\"\(key)\"", "'\(key)'"]
        var lineNumber = 0
        for line in text.split(
            omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        {
            lineNumber += 1
            guard lineNumber > first.line else { continue }
            let scalars = line.unicodeScalars
            guard let contentStart = scalars.firstIndex(where: { $0 != " " }) else { continue }
            let column = scalars.distance(from: scalars.startIndex, to: contentStart) + 1
            if scalars[contentStart] == "#" { continue }
            if column < first.column { return nil }
            guard column == first.column else { continue }
            let rest = String(scalars[contentStart...])
            for candidate in candidates where rest.hasPrefix(candidate) {
                let after = rest.dropFirst(candidate.count).drop { $0 == " " || $0 == "\t" }
                if after.hasPrefix(":") { return (lineNumber, column) }
            }
        }
        return nil
    }

    /// The line where flow collections (`[`, `{`), block indentation or block indicators (`- `,
    /// `? `) nest deeper than `limit`, if any.
    ///
    /// A scan, not a YAML parser: quoted scalars (which open only where a value can start) and
    /// comments are skipped, and text that only looks nested (a block scalar) may count. libyaml
    /// refuses more than 1000 levels itself, and the composer recurses once per level.
    private static func lineExceedingNesting(_ text: String, limit: Int) -> Int? {
        let bytes = Array(text.utf8)
        func byte(_ character: Unicode.Scalar) -> UInt8 { UInt8(ascii: character) }
        func isBlank(_ value: UInt8) -> Bool {
            value == byte(" ") || value == byte("\t") || value == byte("\n") || value == byte("\r")
        }
        var flowDepth = 0
        var line = 1
        var quote: UInt8?
        var inComment = false
        var atLineStart = true
        var column = 0
        var indents: [Int] = []
        var previous = byte(" ")
        // Opens a block level at `column`, closing the deeper ones; whether it is one too many.
        func open(_ column: Int) -> Bool {
            while let last = indents.last, last >= column { indents.removeLast() }
            indents.append(column)
            return indents.count > limit
        }
        var index = 0
        while index < bytes.count {
            let current = bytes[index]
            let next = index + 1 < bytes.count ? bytes[index + 1] : byte("\n")
            index += 1
            if current == byte("\n") || current == byte("\r") {
                if current == byte("\r") && next == byte("\n") { index += 1 }
                line += 1
                atLineStart = true
                column = 0
                quote = nil
                inComment = false
                previous = byte(" ")
                continue
            }
            if inComment { continue }
            if atLineStart && quote == nil && flowDepth == 0 {
                if current == byte(" ") {
                    column += 1
                    continue
                }
                if (current == byte("-") || current == byte("?") || current == byte(":")) && isBlank(next) {
                    if open(column) { return line }
                    column += 1
                    continue
                }
                atLineStart = false
                if current != byte("#") && open(column) { return line }
            }
            atLineStart = false
            if let open = quote {
                if open == byte("\"") && current == byte("\\") && !isBlank(next) {
                    index += 1  // an escaped character, maybe a quote
                } else if open == byte("'") && current == byte("'") && next == byte("'") {
                    index += 1  // '' is a quote inside single quotes
                } else if current == open {
                    quote = nil
                }
                previous = current
                continue
            }
            let valueCanStart =
                isBlank(previous) || previous == byte("[") || previous == byte("{") || previous == byte(",")
                || previous == byte(":")
            switch current {
            case byte("#") where isBlank(previous): inComment = true
            case byte("\""), byte("'"): if valueCanStart { quote = current }
            case byte("["), byte("{"):
                flowDepth += 1
                if flowDepth > limit { return line }
            case byte("]"), byte("}"): flowDepth = max(0, flowDepth - 1)
            default: break
            }
            previous = current
        }
        return nil
    }
}
