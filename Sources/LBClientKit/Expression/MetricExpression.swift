/// A parsed `check|load lemon|collectd` expression, such as `[13163] > 0 && _13423:2 < 90`.
///
/// The language is golbclient's (govaluate's): numbers, `'strings'`, `true`/`false`, `[metric]`
/// references, the operators `,` `?` `:` `??` `||` `&&` `==` `!=` `>` `<` `>=` `<=` `=~` `!~` `in`
/// `&` `|` `^` `<<` `>>` `+` `-` `*` `/` `%` `**` and prefix `-` `!` `~`, plus the legacy forms
/// `_13163`, `_13423:2` and a single `=` between metrics and numbers.
public struct MetricExpression: Sendable, Hashable {
    /// The expression as written.
    public let text: String
    /// The distinct metrics it refers to, in order of first appearance.
    public let metricReferences: [MetricReference]
    let root: ExpressionNode

    /// Parses `text`.
    ///
    /// - Throws: ``ExpressionError`` with the column of the problem inside `text`.
    public init(_ text: String) throws(ExpressionError) {
        self.text = text
        root = try ExpressionParser.parse(text)
        metricReferences = root.metricReferences
    }

    /// The value of the expression when the metrics have `values` (keyed by reference name).
    ///
    /// - Throws: ``ExpressionError`` when an operand that must be evaluated has no value or the
    ///   wrong type, located at the operand or operator.
    public func evaluate(with values: MetricValues) throws(ExpressionError) -> ExpressionValue {
        try ExpressionEvaluator(metrics: values).evaluate(root)
    }
}
