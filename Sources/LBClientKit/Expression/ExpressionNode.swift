/// A node of a parsed metric expression.
struct ExpressionNode: Sendable, Hashable {
    indirect enum Kind: Sendable, Hashable {
        case literal(ExpressionValue)
        /// `[name]`: a value the check's metric source provides.
        case metric(String)
        /// A bare name: a parameter nobody provides, an error if it is ever evaluated.
        case identifier(String)
        case unary(UnaryOperator, ExpressionNode)
        case binary(BinaryOperator, ExpressionNode, ExpressionNode)
    }

    var kind: Kind
    /// 1-based column of the token (of the operator, for operations), for error messages.
    var column: Int
    /// Levels below and including this node. Bounded by the parser so that evaluating and
    /// releasing a tree can never exhaust the stack.
    var depth: Int

    static func leaf(_ kind: Kind, column: Int) -> ExpressionNode {
        ExpressionNode(kind: kind, column: column, depth: 1)
    }
}
