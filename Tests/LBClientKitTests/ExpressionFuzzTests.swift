import LBCore
import Testing

@testable import LBClientKit

/// Random and mutated expressions: parsing and evaluating must never crash nor hang, whatever
/// the configuration line holds.
@Suite("Expression fuzzing")
struct ExpressionFuzzTests {
    private static let fragments = [
        "[13163]", "[13423:2]", "_20003", "_1:2", "[a/b:rx]", "[x]", "foo", "1", "0", "2.5", "1e3", "0x1F",
        "-",
        "+", "*", "/", "%", "**", "<<", ">>", "&", "|", "^", "~", "!", "&&", "||", "==", "!=", "=", "<", ">",
        "<=",
        ">=", "=~", "!~", "in", "?", ":", "??", ",", "(", ")", "(", ")", "'a'", "\"b+\"", "'('", "true",
        "false",
        " ", "  ", "#", "_", "[", "]", ".", "'", "\"", "\\", "é", "\t", "1/0", "0/0",
    ]

    private static let seeds = [
        "[13163] > 0 && [13423:2] < 90", "_20003*100", "[x] = 1", "([13163] + [13423:2]) * 2",
        "[a/b:rx] / 1e6 ?? 0", "'abc' =~ 'b+' ? 1 : -1", "[x] in (1, 2, 3) || !([x] >= 4)",
        "~[x] << 2 | 1 ^ 3",
        "2 ** 3 ** 2 - 10 % 3", "false ? [x] : 'y' + 1",
    ]

    private static let metrics: [String: ExpressionValue] = [
        "13163": .number(1), "13423:2": .number(23), "20003": .number(0.5), "1:2": .number(-3),
        "a/b:rx": .number(.nan), "x": .number(2),
    ]

    /// Parses and evaluates `text`; true when it parsed.
    @discardableResult
    private func exercise(_ text: String) -> Bool {
        guard let expression = try? MetricExpression(text) else { return false }
        _ = expression.metricReferences
        if let result = try? expression.evaluate(with: Self.metrics) {
            _ = result.lineValue
            _ = result.description
        }
        return true
    }

    @Test(.timeLimit(.minutes(2))) func randomExpressions() async {
        var random = SeededRandomNumberGenerator(seed: 0x5EED)
        var parsed = 0
        for round in 0..<10_000 {
            // Long synchronous loops would hold a thread of the small cooperative pool that other
            // suites' timing-sensitive tests need.
            if round % 200 == 0 { await Task.yield() }
            let count = 1 + random.index(below: 12)
            var text = ""
            for _ in 0..<count {
                text += Self.fragments[random.index(below: Self.fragments.count)]
            }
            if exercise(text) { parsed += 1 }
        }
        // Enough valid inputs that the evaluator was exercised too.
        #expect(parsed > 200)
    }

    @Test(.timeLimit(.minutes(2))) func mutatedExpressions() async {
        var random = SeededRandomNumberGenerator(seed: 42)
        let alphabet = Array("[]()_:=!<>&|^~*/%+-?,.'\"#0123456789abex \\")
        var parsed = 0
        for round in 0..<10_000 {
            if round % 200 == 0 { await Task.yield() }
            var characters = Array(Self.seeds[random.index(below: Self.seeds.count)])
            for _ in 0..<(1 + random.index(below: 4)) {
                let position = random.index(below: characters.count + 1)
                switch random.index(below: 3) {
                case 0:
                    characters.insert(alphabet[random.index(below: alphabet.count)], at: position)
                case 1 where position < characters.count:
                    characters.remove(at: position)
                default:
                    if position < characters.count {
                        characters[position] = alphabet[random.index(below: alphabet.count)]
                    }
                }
            }
            if exercise(String(characters)) { parsed += 1 }
        }
        #expect(parsed > 1000)
    }

    @Test(.timeLimit(.minutes(2))) func pathologicalShapes() async {
        for shape in [
            "(", "-", "!", "~", "1+", "[x]**", "true?", "(1,", "[", "'", "_1:", "=", "1=", "[x] in (",
        ] {
            await Task.yield()
            exercise(String(repeating: shape, count: 100_000))
            exercise(String(repeating: shape, count: 100_000) + "1" + String(repeating: ")", count: 100_000))
        }
    }
}

extension SeededRandomNumberGenerator {
    /// A index in `0..<bound` (a slight modulo bias does not matter for fuzzing).
    fileprivate mutating func index(below bound: Int) -> Int {
        Int(next() % UInt64(bound))
    }
}
