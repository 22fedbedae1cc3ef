/// A value computed by a metric expression, with the types golbclient's evaluator (govaluate) had.
public enum ExpressionValue: Sendable, Hashable, CustomStringConvertible {
    /// Every number is a double: literals, metric values and results alike.
    case number(Double)
    case string(String)
    case bool(Bool)
    /// A comma-separated list, the right side of `in`.
    case array([ExpressionValue])
    /// No value: what `condition ? value` gives when the condition is false (govaluate's nil).
    case null

    /// The value as it would be written in an expression, for messages and logs.
    public var description: String {
        switch self {
        case .number(let number): Self.format(number)
        case .string(let text): "'\(text)'"
        case .bool(let flag): flag ? "true" : "false"
        case .array(let elements): "(" + elements.map(\.description).joined(separator: ", ") + ")"
        case .null: "nil"
        }
    }

    /// The type's name, for type errors.
    var typeName: String {
        switch self {
        case .number: "number"
        case .string: "string"
        case .bool: "boolean"
        case .array: "list"
        case .null: "nil"
        }
    }

    /// The text used when the value is concatenated to a string with `+`.
    var concatenationText: String {
        switch self {
        case .string(let text): text
        default: description
        }
    }

    /// `3` rather than `3.0`: metric values are mostly integers and operators read them as such.
    static func format(_ number: Double) -> String {
        if number.isFinite && number == number.rounded(.towardZero) && abs(number) < 1e15 {
            return String(Int64(number))
        }
        return "\(number)"
    }

    /// The configuration line's value for this result, as golbclient converted it: true → 1,
    /// false → -1, numbers truncated (saturating, see ``lineValue(_:)``), strings read as a boolean
    /// or a number (else -1), nil → -1. A list has no meaning as a line value: nil.
    public var lineValue: Int? {
        switch self {
        case .bool(let flag): return flag ? 1 : -1
        case .number(let number): return LBClientKit.lineValue(number)
        case .string(let text):
            // Go's ParseBool spellings, except "0" which golbclient read as the number 0.
            switch text {
            case "1", "t", "T", "true", "TRUE", "True": return 1
            case "f", "F", "false", "FALSE", "False": return -1
            default: break
            }
            guard let number = MetricNumber.parse(text) else { return -1 }
            return LBClientKit.lineValue(number)
        case .null: return -1
        case .array: return nil
        }
    }
}
