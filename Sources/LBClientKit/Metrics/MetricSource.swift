/// Values of metric references, keyed by the text between the brackets (`13423:2`).
public typealias MetricValues = [String: ExpressionValue]

/// Where the values of an expression's `[metric]` references come from (lemon-cli, collectd).
///
/// A source is asked once per configuration line for every reference of the line's expression,
/// so it can batch its queries (one lemon-cli run, one collectd query per distinct identifier).
public protocol MetricSource: Sendable {
    /// Why `reference` (the text between the brackets) can never be resolved by this source, or
    /// nil when it is well formed. Called when the configuration is read, so mistakes are
    /// reported with their line and column before anything runs.
    func problem(with reference: String) -> String?

    /// The values of `references`, keyed by reference name.
    ///
    /// A reference the source has no value for may be left out: the expression then fails only
    /// if it actually needs that value (`[a] > 0 || [b] > 0` passes when only `a` is known).
    ///
    /// - Throws: ``CheckError`` when the source cannot be queried or answers nonsense.
    func values(for references: [String], in context: CheckContext) async throws -> MetricValues
}
