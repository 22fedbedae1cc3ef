/// One action line of an lbclient configuration file, split into verb, keyword and arguments.
public struct ConfigLine: Sendable, Hashable {
    /// The file the line came from, for messages.
    public var file: String
    /// 1-based line number.
    public var lineNumber: Int
    /// The line as written, without its line end.
    public var text: String
    public var verb: Verb
    public var keyword: Keyword
    /// Everything after the keyword, with surrounding blanks removed (may be empty).
    public var arguments: String
    /// 1-based column of the first character of `arguments` in `text`, so that errors found
    /// inside the arguments (an expression, a JSON object) can point at the right column.
    public var argumentsColumn: Int

    public init(
        file: String, lineNumber: Int, text: String, verb: Verb, keyword: Keyword,
        arguments: String, argumentsColumn: Int
    ) {
        self.file = file
        self.lineNumber = lineNumber
        self.text = text
        self.verb = verb
        self.keyword = keyword
        self.arguments = arguments
        self.argumentsColumn = argumentsColumn
    }

    /// An error located at `offset` characters into `arguments` (0 = its first character).
    public func error(_ message: String, atArgumentOffset offset: Int = 0) -> ClientConfigError {
        ClientConfigError(
            file: file, line: lineNumber, column: argumentsColumn + max(0, offset), message: message)
    }
}
