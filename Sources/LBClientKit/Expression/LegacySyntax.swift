/// The forms golbclient rewrote before parsing, which old configuration files still use:
///
/// - `_13163` and `_13423:2` are lemon metrics, `[13163]` and `[13423:2]`;
/// - a single `=` is `==` when a `]` or a digit is on its left and a digit or a `[` on its right
///   (`[x] = 1`); anywhere else it is an error, as in golbclient (`[x]=-2`).
///
/// Unlike golbclient's textual rewrite, these apply only where a token starts, never inside a
/// bracketed name (`[my_1/x]` stays a collectd name) or a string.
extension ExpressionLexer {
    /// Reads `_digits` or `_digits:digits`, returning the metric name without the underscore.
    mutating func readLegacyMetric() throws(ExpressionError) -> String {
        let start = currentPosition
        guard isDigit(at: start + 1) else {
            throw ExpressionError(
                "invalid token '_': a legacy lemon metric is written _<id>, e.g. _13163", column: start + 1)
        }
        var end = start + 1
        while isDigit(at: end) { end += 1 }
        if isCharacter(":", at: end) && isDigit(at: end + 1) {
            end += 1
            while isDigit(at: end) { end += 1 }
        }
        let name = text(from: start + 1, to: end)
        advance(by: end - start)
        return name
    }

    /// Accepts the single `=` at the current position when golbclient would have made it `==`.
    mutating func readLegacyEquals() throws(ExpressionError) {
        let index = currentPosition
        let left = previousNonBlank(before: index)
        let rightIndex = nextNonBlankIndex(from: index + 1)
        let leftAccepted = left == "]" || (left.map { $0.isASCII && $0.isNumber } ?? false)
        let rightAccepted =
            isDigit(at: rightIndex) || isCharacter("[", at: rightIndex)
            || (isCharacter("_", at: rightIndex) && isDigit(at: rightIndex + 1))
        guard leftAccepted && rightAccepted else {
            throw ExpressionError(
                "invalid token '=': compare with '==' (a single '=' is only accepted between a metric or number and a metric or number)",
                column: index + 1)
        }
        advance(by: 1)
    }
}
