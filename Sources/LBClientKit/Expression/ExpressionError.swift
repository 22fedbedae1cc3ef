/// A metric expression that cannot be parsed or evaluated, located inside the expression text.
public struct ExpressionError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    /// 1-based column, in characters, inside the expression text (not the configuration line).
    public var column: Int

    public init(_ message: String, column: Int) {
        self.message = message
        self.column = column
    }

    /// `column 7: message`.
    public var description: String { "column \(column): \(message)" }
}
