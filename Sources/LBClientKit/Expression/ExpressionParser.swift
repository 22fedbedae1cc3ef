/// Builds the tree of a metric expression by precedence climbing.
///
/// Nesting is capped at ``maximumDepth``, counting the parser's recursions (parentheses, prefix
/// operators, right operands) and the depth of the resulting tree alike: the parser and the
/// evaluator recurse, and a hostile or broken line such as 100 000 `(` must give an error, not a
/// stack overflow.
struct ExpressionParser {
    static let maximumDepth = 256

    /// Tokens are read on demand, so a broken line fails at its first problem without the whole
    /// text being tokenised first.
    private var lexer: ExpressionLexer
    private var peek: ExpressionToken?
    private let endColumn: Int
    private var nesting = 0

    private init(text: String) throws(ExpressionError) {
        lexer = ExpressionLexer(text)
        endColumn = lexer.endColumn
        peek = try lexer.next()
    }

    /// The tree of `text`.
    static func parse(_ text: String) throws(ExpressionError) -> ExpressionNode {
        var parser = try ExpressionParser(text: text)
        guard parser.peek != nil else { throw ExpressionError("empty expression", column: 1) }
        let root = try parser.parseBinary(minimumPrecedence: BinaryOperator.lowestPrecedence)
        if let extra = parser.peek {
            throw ExpressionError(
                "unexpected '\(extra.displayText)' after a complete expression", column: extra.column)
        }
        return root
    }

    private mutating func advance() throws(ExpressionError) {
        peek = try lexer.next()
    }

    private mutating func parseBinary(minimumPrecedence: Int) throws(ExpressionError) -> ExpressionNode {
        var left = try parseUnary()
        while let token = peek, case .symbol(let symbol) = token.kind, let operation = BinaryOperator(symbol),
            operation.precedence >= minimumPrecedence
        {
            try advance()
            // The right operand is a recursion too: it counts toward the nesting limit.
            try enterNesting(at: token.column)
            // `+ 1` makes every operator left-associative, `**` included.
            let right = try parseBinary(minimumPrecedence: operation.precedence + 1)
            nesting -= 1
            try validate(operation, right: right)
            left = try node(.binary(operation, left, right), column: token.column, children: [left, right])
        }
        return left
    }

    private mutating func parseUnary() throws(ExpressionError) -> ExpressionNode {
        guard let token = peek else {
            throw ExpressionError("unexpected end of expression: a value is missing", column: endColumn)
        }
        guard case .symbol(let symbol) = token.kind, let operation = UnaryOperator(symbol) else {
            return try parsePrimary()
        }
        try advance()
        try enterNesting(at: token.column)
        let operand = try parseUnary()
        nesting -= 1
        return try node(.unary(operation, operand), column: token.column, children: [operand])
    }

    private mutating func parsePrimary() throws(ExpressionError) -> ExpressionNode {
        guard let token = peek else {
            throw ExpressionError("unexpected end of expression: a value is missing", column: endColumn)
        }
        try advance()
        switch token.kind {
        case .number(let number): return .leaf(.literal(.number(number)), column: token.column)
        case .string(let text): return .leaf(.literal(.string(text)), column: token.column)
        case .boolean(let flag): return .leaf(.literal(.bool(flag)), column: token.column)
        case .metric(let name): return .leaf(.metric(name), column: token.column)
        case .identifier(let name): return .leaf(.identifier(name), column: token.column)
        case .symbol(.leftParenthesis):
            try enterNesting(at: token.column)
            let inner = try parseBinary(minimumPrecedence: BinaryOperator.lowestPrecedence)
            nesting -= 1
            guard let closing = peek, closing.kind == .symbol(.rightParenthesis) else {
                let column = peek?.column ?? endColumn
                throw ExpressionError("missing ')' for the '(' at column \(token.column)", column: column)
            }
            try advance()
            return inner
        case .symbol(let symbol):
            throw ExpressionError("expected a value, found '\(symbol.rawValue)'", column: token.column)
        }
    }

    private mutating func enterNesting(at column: Int) throws(ExpressionError) {
        nesting += 1
        if nesting > Self.maximumDepth { throw Self.tooDeep(column: column) }
    }

    private func node(_ kind: ExpressionNode.Kind, column: Int, children: [ExpressionNode])
        throws(ExpressionError) -> ExpressionNode
    {
        let depth = 1 + children.reduce(0) { max($0, $1.depth) }
        if depth > Self.maximumDepth { throw Self.tooDeep(column: column) }
        return ExpressionNode(kind: kind, column: column, depth: depth)
    }

    private static func tooDeep(column: Int) -> ExpressionError {
        ExpressionError(
            "expression nested too deeply (more than \(maximumDepth) levels of parentheses or operators)",
            column: column)
    }

    /// A constant regular expression is compiled now, so a bad one is a configuration error.
    private func validate(_ operation: BinaryOperator, right: ExpressionNode) throws(ExpressionError) {
        guard operation == .matches || operation == .notMatches,
            case .literal(.string(let pattern)) = right.kind
        else { return }
        if let problem = PatternMatching.problem(with: pattern) {
            throw ExpressionError("invalid regular expression '\(pattern)': \(problem)", column: right.column)
        }
    }
}
