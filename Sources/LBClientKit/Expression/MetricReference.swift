/// A `[name]` in an expression: a value the check's metric source must provide.
public struct MetricReference: Sendable, Hashable {
    /// The text between the brackets, blanks removed (`13163:2`, `load/load-relative:shortterm`).
    public var name: String
    /// 1-based column of the first occurrence inside the expression text.
    public var column: Int

    public init(name: String, column: Int) {
        self.name = name
        self.column = column
    }
}

extension ExpressionNode {
    /// The distinct metrics the tree refers to, in order of first appearance.
    var metricReferences: [MetricReference] {
        var seen: Set<String> = []
        var references: [MetricReference] = []
        // An explicit stack rather than recursion: the order of a depth-first, left-to-right walk.
        var pending: [ExpressionNode] = [self]
        while let node = pending.popLast() {
            switch node.kind {
            case .metric(let name):
                if seen.insert(name).inserted {
                    references.append(MetricReference(name: name, column: node.column))
                }
            case .unary(_, let operand):
                pending.append(operand)
            case .binary(_, let left, let right):
                pending.append(right)
                pending.append(left)
            case .literal, .identifier:
                break
            }
        }
        return references
    }
}
