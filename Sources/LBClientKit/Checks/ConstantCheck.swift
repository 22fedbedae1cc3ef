/// `load constant <number>`: adds a fixed number to the node's load, so that a node can be
/// weighted against others (or drained with a negative constant, which fails the line).
///
/// The number is the first blank-separated word after the keyword; anything after it is
/// ignored, so `load constant 5 # comment` works. It is read as a double and truncated toward
/// zero (golbclient read a 32-bit float, so large constants lost their last digits).
public struct ConstantCheck: Check {
    /// The number as written.
    public let number: Double

    public init(line: ConfigLine) throws {
        let word = line.arguments.prefix { $0 != " " && $0 != "\t" }
        guard !word.isEmpty else {
            throw line.error("load constant needs a number, e.g. `load constant 100`")
        }
        // Non-finite values have no meaning as a load; golbclient turned them into arbitrary
        // integers.
        guard let number = Double(word), number.isFinite else {
            throw line.error("the constant `\(word)` is not a number")
        }
        self.number = number
    }

    public func run(in context: CheckContext) async throws -> CheckResult {
        let value = lineValue(number)
        if value < 0 { return .fail("constant \(Self.format(number)) is negative") }
        return CheckResult(value: value, detail: "constant \(Self.format(number))")
    }

    private static func format(_ number: Double) -> String {
        number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
    }
}
