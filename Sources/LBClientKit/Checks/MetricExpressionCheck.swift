/// `check|load lemon <expression>` and `check|load collectd <expression>`: the expression's
/// `[metric]` references are resolved by the keyword's source and the result becomes the line's
/// value (true → 1, false → -1, numbers truncated, see ``ExpressionValue/lineValue``).
public struct MetricExpressionCheck: Check {
    /// `.lemon` or `.collectd`.
    public let keyword: Keyword
    public let expression: MetricExpression
    let source: any MetricSource

    /// Parses the expression of `line` and checks every reference's syntax.
    ///
    /// - Throws: ``ClientConfigError`` located at the offending column of the line.
    public init(line: ConfigLine) throws {
        switch line.keyword {
        case .lemon: try self.init(line: line, source: LemonMetricSource())
        case .collectd: try self.init(line: line, source: CollectdMetricSource())
        default:
            throw line.error("\(line.keyword.rawValue) does not take a metric expression")
        }
    }

    /// A check reading its metrics from `source` (tests substitute one).
    init(line: ConfigLine, source: any MetricSource) throws {
        keyword = line.keyword
        self.source = source
        guard line.arguments.contains(where: { !$0.isWhitespace }) else {
            throw line.error(
                "detected a \(line.verb.rawValue) without metrics: \(line.keyword.rawValue) needs an expression"
            )
        }
        do {
            expression = try MetricExpression(line.arguments)
        } catch {
            throw line.error(error.message, atArgumentOffset: error.column - 1)
        }
        for reference in expression.metricReferences {
            if let problem = source.problem(with: reference.name) {
                throw line.error(problem, atArgumentOffset: reference.column - 1)
            }
        }
    }

    public func run(in context: CheckContext) async throws -> CheckResult {
        let values = try await source.values(for: expression.metricReferences.map(\.name), in: context)
        let result: ExpressionValue
        do {
            result = try expression.evaluate(with: values)
        } catch {
            throw CheckError(
                "\(keyword.rawValue) expression '\(expression.text)', column \(error.column): \(error.message)"
            )
        }
        guard let value = result.lineValue else {
            throw CheckError(
                "\(keyword.rawValue) expression '\(expression.text)' gives a list \(result), not a value")
        }
        let shown = values.isEmpty ? "" : " with " + Self.describe(values, order: expression.metricReferences)
        return CheckResult(value: value, detail: "'\(expression.text)' is \(result)\(shown)")
    }

    /// `[13163]=1, [13423:2]=23`, in the expression's order.
    private static func describe(_ values: MetricValues, order: [MetricReference]) -> String {
        order.compactMap { reference in values[reference.name].map { "[\(reference.name)]=\($0)" } }
            .joined(separator: ", ")
    }
}
