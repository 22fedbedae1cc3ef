/// An lbclient configuration file (`lbclient.conf`, `lbclient.conf.<alias>`), split into its
/// action lines.
///
/// The syntax is golbclient's (`check KEYWORD ...`, `load KEYWORD ...`, `#` comments, verbs and
/// keywords in any case) with its whitespace faults fixed: leading blanks, tabs, several blanks
/// between words and CRLF line ends are all accepted.
public struct ClientConfigFile: Sendable {
    public var path: String
    public var lines: [ConfigLine]

    public init(path: String, lines: [ConfigLine]) {
        self.path = path
        self.lines = lines
    }

    /// Splits `text` into action lines; every malformed line is reported, not only the first.
    public static func parse(_ text: String, path: String) -> Result<ClientConfigFile, ClientConfigErrors> {
        let (file, errors) = parseKeepingGoing(text, path: path)
        return errors.isEmpty ? .success(file) : .failure(ClientConfigErrors(errors))
    }

    /// The well-formed lines and the errors of the others, so a later stage can still check the
    /// arguments of the good lines and every problem is reported in one go.
    static func parseKeepingGoing(_ text: String, path: String) -> (ClientConfigFile, [ClientConfigError]) {
        var lines: [ConfigLine] = []
        var errors: [ClientConfigError] = []
        var lineNumber = 0
        for rawLine in textLines(text) {
            lineNumber += 1
            var content = rawLine
            if content.last == "\r" { content = content.dropLast() }
            switch parseLine(content, path: path, lineNumber: lineNumber) {
            case .none: continue
            case .success(let line): lines.append(line)
            case .failure(let error): errors.append(error)
            }
        }
        return (ClientConfigFile(path: path, lines: lines), errors)
    }

    private static func parseLine(
        _ content: Substring, path: String, lineNumber: Int
    ) -> Result<ConfigLine, ClientConfigError>? {
        let text = String(content)
        var words = WordScanner(text)
        guard let verbWord = words.next(), !verbWord.text.hasPrefix("#") else { return nil }
        func error(_ column: Int, _ message: String) -> Result<ConfigLine, ClientConfigError> {
            .failure(ClientConfigError(file: path, line: lineNumber, column: column, message: message))
        }
        guard let verb = Verb(lowercased: verbWord.text.lowercased()) else {
            return error(
                verbWord.column, "expected `check KEYWORD` or `load KEYWORD`, found `\(verbWord.text)`")
        }
        guard let keywordWord = words.next() else {
            return error(
                verbWord.column,
                "`\(verbWord.text)` needs a keyword, such as `\(verb == .check ? "check nologin" : "load constant 100")`"
            )
        }
        guard let keyword = Keyword(caseInsensitive: keywordWord.text) else {
            return error(keywordWord.column, unknownKeywordMessage(keywordWord.text, verb: verb))
        }
        guard keyword.takes(verb) else {
            let allowed = keyword.verbs.map(\.rawValue).sorted().joined(separator: " or ")
            return error(
                verbWord.column, "`\(keyword.rawValue)` is used with \(allowed), not \(verb.rawValue)")
        }
        let rest = words.remainder
        return .success(
            ConfigLine(
                file: path, lineNumber: lineNumber, text: text, verb: verb, keyword: keyword,
                arguments: rest.text, argumentsColumn: rest.column))
    }

    private static func unknownKeywordMessage(_ word: String, verb: Verb) -> String {
        let lowered = word.lowercased()
        if lowered == "lemonload" || lowered == "collectdload" {
            return "`\(word)` is not a keyword; write `load \(lowered.dropLast(4)) EXPRESSION`"
        }
        if let bracket = lowered.firstIndex(where: { "[(_".contains($0) }),
            let keyword = Keyword(caseInsensitive: lowered[..<bracket])
        {
            return "unknown keyword `\(word)`: put a blank between `\(keyword.rawValue)` and its expression"
        }
        let candidates = Keyword.allCases.filter { $0.verbs.contains(verb) }.map(\.rawValue)
        return
            "unknown keyword `\(word)`; \(verb.rawValue) takes one of: \(candidates.joined(separator: ", "))"
    }
}

/// Several configuration errors, reported together.
public struct ClientConfigErrors: Error, Sendable, CustomStringConvertible {
    public var errors: [ClientConfigError]
    public init(_ errors: [ClientConfigError]) { self.errors = errors }
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}

/// Splits a line into blank-separated words while remembering their 1-based columns (in
/// characters).
///
/// It walks the string's own indices: copying the line into an array of characters and back
/// goes through generic code the runtime resolves at every one-shot run.
private struct WordScanner {
    private let text: String
    private var index: String.Index
    /// The 1-based column of `index`.
    private var column = 1

    init(_ text: String) {
        self.text = text
        index = text.startIndex
    }

    private static func isBlank(_ character: Character) -> Bool { character == " " || character == "\t" }

    mutating func next() -> (text: String, column: Int)? {
        while index < text.endIndex, Self.isBlank(text[index]) { advance() }
        guard index < text.endIndex else { return nil }
        let start = index
        let startColumn = column
        while index < text.endIndex, !Self.isBlank(text[index]) { advance() }
        return (String(text[start..<index]), startColumn)
    }

    private mutating func advance() {
        text.formIndex(after: &index)
        column += 1
    }

    /// The rest of the line without surrounding blanks, and the column where it starts.
    var remainder: (text: String, column: Int) {
        var start = index
        var startColumn = column
        while start < text.endIndex, Self.isBlank(text[start]) {
            text.formIndex(after: &start)
            startColumn += 1
        }
        var end = text.endIndex
        while end > start, Self.isBlank(text[text.index(before: end)]) { text.formIndex(before: &end) }
        return (String(text[start..<end]), startColumn)
    }
}
