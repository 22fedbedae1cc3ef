#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Computes the value of a parsed expression with govaluate's semantics: numbers are doubles,
/// `&&` `||` `?` `:` `??` evaluate their right side only when needed (so a metric that is missing
/// there is no error), `==` is deep equality (a number never equals a boolean), `+` concatenates
/// when either side is a string, and division by zero gives an infinity.
struct ExpressionEvaluator {
    /// Values of the `[metric]` references; a reference absent from here has no value.
    let metrics: [String: ExpressionValue]

    func evaluate(_ node: ExpressionNode) throws(ExpressionError) -> ExpressionValue {
        switch node.kind {
        case .literal(let value):
            return value
        case .metric(let name):
            guard let value = metrics[name] else {
                throw ExpressionError("no value for the metric [\(name)]", column: node.column)
            }
            return value
        case .identifier(let name):
            throw ExpressionError(
                "unknown name '\(name)' (metrics are written in brackets, e.g. [\(name)])",
                column: node.column)
        case .unary(let operation, let operand):
            return try apply(operation, to: evaluate(operand), column: node.column)
        case .binary(let operation, let left, let right):
            return try apply(operation, left, right, column: node.column)
        }
    }

    private func apply(_ operation: UnaryOperator, to value: ExpressionValue, column: Int)
        throws(ExpressionError) -> ExpressionValue
    {
        switch (operation, value) {
        case (.negate, .number(let number)): return .number(-number)
        case (.not, .bool(let flag)): return .bool(!flag)
        case (.bitwiseNot, .number(let number)): return .number(Double(~Self.integer(number)))
        case (.not, _):
            throw ExpressionError("'!' needs a boolean, not \(Self.describe(value))", column: column)
        default:
            throw ExpressionError(
                "'\(operation.spelling)' needs a number, not \(Self.describe(value))", column: column)
        }
    }

    private func apply(
        _ operation: BinaryOperator, _ leftNode: ExpressionNode, _ rightNode: ExpressionNode, column: Int
    ) throws(ExpressionError) -> ExpressionValue {
        let left = try evaluate(leftNode)

        // Operators that may not need their right side.
        switch operation {
        case .and, .or:
            guard case .bool(let flag) = left else {
                throw ExpressionError(
                    "value \(left) cannot be used with the logical operator '\(operation.spelling)': it is not a boolean",
                    column: column)
            }
            if operation == .and && !flag { return .bool(false) }
            if operation == .or && flag { return .bool(true) }
            let right = try evaluate(rightNode)
            guard case .bool = right else {
                throw ExpressionError(
                    "value \(right) cannot be used with the logical operator '\(operation.spelling)': it is not a boolean",
                    column: column)
            }
            return right
        case .ternaryTrue:
            guard case .bool(let flag) = left else {
                throw ExpressionError(
                    "value \(left) cannot be used as the condition of '?': it is not a boolean",
                    column: column)
            }
            return flag ? try evaluate(rightNode) : .null
        case .ternaryFalse, .coalesce:
            return left == .null ? try evaluate(rightNode) : left
        default:
            break
        }

        let right = try evaluate(rightNode)
        switch operation {
        case .separator:
            if case .array(let elements) = left { return .array(elements + [right]) }
            return .array([left, right])
        case .equal:
            return .bool(Self.deeplyEqual(left, right))
        case .notEqual:
            return .bool(!Self.deeplyEqual(left, right))
        case .greater, .less, .greaterOrEqual, .lessOrEqual:
            return .bool(try compare(operation, left, right, column: column))
        case .matches, .notMatches:
            guard case .string(let text) = left, case .string(let pattern) = right else {
                throw typeError(operation, left, right, needing: "strings", column: column)
            }
            let regex: LinearRegex
            do {
                regex = try LinearRegex(pattern)
            } catch {
                throw ExpressionError(
                    "invalid regular expression '\(pattern)': \(error.message)", column: rightNode.column)
            }
            let found: Bool
            do {
                found = try regex.matches(text)
            } catch {
                throw ExpressionError(
                    "regular expression '\(pattern)': \(error.message)", column: rightNode.column)
            }
            return .bool(operation == .matches ? found : !found)
        case .in:
            if case .array(let elements) = right {
                return .bool(elements.contains { Self.deeplyEqual(left, $0) })
            }
            // govaluate wanted a list; a single value is accepted as a list of one.
            return .bool(Self.deeplyEqual(left, right))
        case .plus:
            switch (left, right) {
            case (.number(let a), .number(let b)):
                return .number(a + b)
            case (.string, .string), (.string, .number), (.number, .string), (.string, .bool),
                (.bool, .string):
                return .string(left.concatenationText + right.concatenationText)
            default:
                throw typeError(operation, left, right, needing: "numbers or strings", column: column)
            }
        default:
            guard case .number(let a) = left, case .number(let b) = right else {
                throw typeError(operation, left, right, needing: "numbers", column: column)
            }
            return .number(Self.arithmetic(operation, a, b))
        }
    }

    private func compare(
        _ operation: BinaryOperator, _ left: ExpressionValue, _ right: ExpressionValue, column: Int
    )
        throws(ExpressionError) -> Bool
    {
        switch (left, right) {
        case (.number(let a), .number(let b)):
            switch operation {
            case .greater: return a > b
            case .less: return a < b
            case .greaterOrEqual: return a >= b
            default: return a <= b
            }
        case (.string(let a), .string(let b)):
            // Byte order, as Go compares strings.
            let less = a.utf8.lexicographicallyPrecedes(b.utf8)
            let equal = a.utf8.elementsEqual(b.utf8)
            switch operation {
            case .greater: return !less && !equal
            case .less: return less
            case .greaterOrEqual: return !less
            default: return less || equal
            }
        default:
            throw typeError(operation, left, right, needing: "two numbers or two strings", column: column)
        }
    }

    private static func arithmetic(_ operation: BinaryOperator, _ a: Double, _ b: Double) -> Double {
        switch operation {
        case .minus: return a - b
        case .times: return a * b
        case .divide: return a / b
        case .modulo: return a.truncatingRemainder(dividingBy: b)
        case .power: return power(a, b)
        case .bitwiseAnd: return Double(integer(a) & integer(b))
        case .bitwiseOr: return Double(integer(a) | integer(b))
        case .bitwiseXor: return Double(integer(a) ^ integer(b))
        // Swift's shifts by an amount beyond the width give 0 (or -1), as Go's do.
        case .shiftLeft: return Double(integer(a) << integer(b))
        case .shiftRight: return Double(integer(a) >> integer(b))
        default: return .nan
        }
    }

    /// The C library's `pow`, which Go's `math.Pow` follows for the special cases.
    private static func power(_ base: Double, _ exponent: Double) -> Double {
        pow(base, exponent)
    }

    /// The integer the bitwise operators work on: truncation toward zero, saturating (NaN is 0),
    /// because converting an out-of-range double to an integer would trap.
    static func integer(_ number: Double) -> Int64 {
        if number.isNaN { return 0 }
        if number >= 9.223_372_036_854_775_807e18 { return .max }
        if number <= -9.223_372_036_854_775_808e18 { return .min }
        return Int64(number.rounded(.towardZero))
    }

    /// Go's `reflect.DeepEqual` on the value types: same type and equal contents; NaN equals
    /// nothing.
    static func deeplyEqual(_ left: ExpressionValue, _ right: ExpressionValue) -> Bool {
        switch (left, right) {
        case (.number(let a), .number(let b)): return a == b
        case (.string(let a), .string(let b)): return a.utf8.elementsEqual(b.utf8)
        case (.bool(let a), .bool(let b)): return a == b
        case (.null, .null): return true
        case (.array(let a), .array(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { deeplyEqual($0, $1) }
        default: return false
        }
    }

    private static func describe(_ value: ExpressionValue) -> String {
        "\(value) (\(value.typeName))"
    }

    private func typeError(
        _ operation: BinaryOperator, _ left: ExpressionValue, _ right: ExpressionValue, needing: String,
        column: Int
    ) -> ExpressionError {
        ExpressionError(
            "'\(operation.spelling)' needs \(needing), not \(Self.describe(left)) and \(Self.describe(right))",
            column: column)
    }
}
