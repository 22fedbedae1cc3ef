/// An operator between two operands. All are left-associative, `**` included, as in govaluate.
enum BinaryOperator: Sendable, Hashable {
    case separator
    case ternaryTrue
    case ternaryFalse
    case coalesce
    case or
    case and
    case equal
    case notEqual
    case greater
    case less
    case greaterOrEqual
    case lessOrEqual
    case matches
    case notMatches
    case `in`
    case bitwiseAnd
    case bitwiseOr
    case bitwiseXor
    case shiftLeft
    case shiftRight
    case plus
    case minus
    case times
    case divide
    case modulo
    case power

    init?(_ symbol: ExpressionSymbol) {
        switch symbol {
        case .comma: self = .separator
        case .question: self = .ternaryTrue
        case .colon: self = .ternaryFalse
        case .coalesce: self = .coalesce
        case .or: self = .or
        case .and: self = .and
        case .equal: self = .equal
        case .notEqual: self = .notEqual
        case .greater: self = .greater
        case .less: self = .less
        case .greaterOrEqual: self = .greaterOrEqual
        case .lessOrEqual: self = .lessOrEqual
        case .matches: self = .matches
        case .notMatches: self = .notMatches
        case .in: self = .in
        case .bitwiseAnd: self = .bitwiseAnd
        case .bitwiseOr: self = .bitwiseOr
        case .bitwiseXor: self = .bitwiseXor
        case .shiftLeft: self = .shiftLeft
        case .shiftRight: self = .shiftRight
        case .plus: self = .plus
        case .minus: self = .minus
        case .times: self = .times
        case .divide: self = .divide
        case .modulo: self = .modulo
        case .power: self = .power
        case .not, .bitwiseNot, .leftParenthesis, .rightParenthesis: return nil
        }
    }

    /// Binding strength, lowest first: govaluate's table, where bitwise operators bind tighter
    /// than comparisons (unlike C).
    var precedence: Int {
        switch self {
        case .separator: 1
        case .ternaryTrue, .ternaryFalse, .coalesce: 2
        case .or: 3
        case .and: 4
        case .equal, .notEqual, .greater, .less, .greaterOrEqual, .lessOrEqual, .matches, .notMatches, .in: 5
        case .bitwiseAnd, .bitwiseOr, .bitwiseXor: 6
        case .shiftLeft, .shiftRight: 7
        case .plus, .minus: 8
        case .times, .divide, .modulo: 9
        case .power: 10
        }
    }

    static let lowestPrecedence = 1

    var spelling: String {
        switch self {
        case .separator: ","
        case .ternaryTrue: "?"
        case .ternaryFalse: ":"
        case .coalesce: "??"
        case .or: "||"
        case .and: "&&"
        case .equal: "=="
        case .notEqual: "!="
        case .greater: ">"
        case .less: "<"
        case .greaterOrEqual: ">="
        case .lessOrEqual: "<="
        case .matches: "=~"
        case .notMatches: "!~"
        case .in: "in"
        case .bitwiseAnd: "&"
        case .bitwiseOr: "|"
        case .bitwiseXor: "^"
        case .shiftLeft: "<<"
        case .shiftRight: ">>"
        case .plus: "+"
        case .minus: "-"
        case .times: "*"
        case .divide: "/"
        case .modulo: "%"
        case .power: "**"
        }
    }
}

/// A prefix operator; prefix operators bind tighter than every binary one (`-2 ** 2` is 4).
enum UnaryOperator: Sendable, Hashable {
    case negate
    case not
    case bitwiseNot

    init?(_ symbol: ExpressionSymbol) {
        switch symbol {
        case .minus: self = .negate
        case .not: self = .not
        case .bitwiseNot: self = .bitwiseNot
        default: return nil
        }
    }

    var spelling: String {
        switch self {
        case .negate: "-"
        case .not: "!"
        case .bitwiseNot: "~"
        }
    }
}
