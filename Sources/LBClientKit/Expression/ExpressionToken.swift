/// One lexical unit of a metric expression, with the column where it starts.
struct ExpressionToken: Sendable, Hashable {
    enum Kind: Sendable, Hashable {
        case number(Double)
        case string(String)
        case boolean(Bool)
        /// `[text]`, or a legacy `_13163`: a metric the check's source must provide.
        case metric(String)
        /// A bare name. golbclient treated it as a parameter too, so it is one, never provided.
        case identifier(String)
        case symbol(ExpressionSymbol)
    }

    var kind: Kind
    /// 1-based column in the expression text.
    var column: Int

    /// The token as the user would recognise it in a message.
    var displayText: String {
        switch kind {
        case .number(let number): ExpressionValue.format(number)
        case .string(let text): "'\(text)'"
        case .boolean(let flag): flag ? "true" : "false"
        case .metric(let name): "[\(name)]"
        case .identifier(let name): name
        case .symbol(let symbol): symbol.rawValue
        }
    }
}

/// Operators and punctuation of the expression language.
enum ExpressionSymbol: String, Sendable, Hashable, CaseIterable {
    case comma = ","
    case question = "?"
    case colon = ":"
    case coalesce = "??"
    case or = "||"
    case and = "&&"
    case equal = "=="
    case notEqual = "!="
    case greater = ">"
    case less = "<"
    case greaterOrEqual = ">="
    case lessOrEqual = "<="
    case matches = "=~"
    case notMatches = "!~"
    case `in` = "in"
    case bitwiseAnd = "&"
    case bitwiseOr = "|"
    case bitwiseXor = "^"
    case shiftLeft = "<<"
    case shiftRight = ">>"
    case plus = "+"
    case minus = "-"
    case times = "*"
    case divide = "/"
    case modulo = "%"
    case power = "**"
    case not = "!"
    case bitwiseNot = "~"
    case leftParenthesis = "("
    case rightParenthesis = ")"

    /// Punctuation spelled with characters, longest first so the lexer matches greedily.
    static let punctuationBySpelling: [(spelling: [Character], symbol: ExpressionSymbol)] =
        allCases
        .filter { $0 != .in }
        .map { (Array($0.rawValue), $0) }
        .sorted { $0.spelling.count > $1.spelling.count }
}
