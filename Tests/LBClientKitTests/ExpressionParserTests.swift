import Testing

@testable import LBClientKit

@Suite("Expression parser")
struct ExpressionParserTests {
    private func parseError(_ text: String) -> ExpressionError? {
        do {
            _ = try MetricExpression(text)
            return nil
        } catch {
            return error
        }
    }

    @Test func syntaxErrorsPointAtTheirColumn() {
        #expect(
            parseError("5 +")
                == ExpressionError("unexpected end of expression: a value is missing", column: 4))
        #expect(parseError("> 2b") == ExpressionError("expected a value, found '>'", column: 1))
        #expect(
            parseError("[x] > 2b") == ExpressionError("unexpected 'b' after a complete expression", column: 8)
        )
        #expect(parseError("1 2")?.column == 3)
        #expect(parseError("(1 + 2") == ExpressionError("missing ')' for the '(' at column 1", column: 7))
        #expect(parseError("(1 + 2 3)") == ExpressionError("missing ')' for the '(' at column 1", column: 8))
        #expect(parseError("()") == ExpressionError("expected a value, found ')'", column: 2))
        #expect(parseError("1 + )")?.column == 5)
        #expect(parseError("") == ExpressionError("empty expression", column: 1))
        #expect(parseError("   ") == ExpressionError("empty expression", column: 1))
        #expect(parseError("+1")?.column == 1)
        #expect(parseError("foo(1)")?.column == 4)
    }

    @Test func golbclientKeywordSuffixesFailToParse() {
        // `check lemonload [x]` reached the parser as `load[x]`.
        #expect(parseError("load[x]")?.column == 5)
    }

    @Test func badConstantRegularExpressionIsASyntaxError() throws {
        let error = try #require(parseError("'abc' =~ '(b'"))
        #expect(error.column == 10)
        #expect(error.message.hasPrefix("invalid regular expression '(b'"))
    }

    @Test func metricReferencesAreDistinctAndInOrder() throws {
        let expression = try MetricExpression("[b] + _13163 * [a:2] - [b] + _13163 + foo")
        #expect(
            expression.metricReferences == [
                MetricReference(name: "b", column: 1), MetricReference(name: "13163", column: 7),
                MetricReference(name: "a:2", column: 16),
            ])
        #expect(try MetricExpression("5 * 2").metricReferences.isEmpty)
    }

    @Test func nestingUpToTheLimitParses() throws {
        let depth = ExpressionParser.maximumDepth - 1
        let text = String(repeating: "(", count: depth) + "[x]" + String(repeating: ")", count: depth)
        let expression = try MetricExpression(text)
        #expect(try expression.evaluate(with: ["x": .number(4)]) == .number(4))
    }

    @Test func nestingBeyondTheLimitIsAClearError() throws {
        let depth = ExpressionParser.maximumDepth + 1
        let text = String(repeating: "(", count: depth) + "1" + String(repeating: ")", count: depth)
        let error = try #require(parseError(text))
        #expect(error.message.contains("nested too deeply"))
        #expect(error.column == ExpressionParser.maximumDepth + 1)
    }

    @Test func hugeInputsFailWithoutExhaustingTheStack() {
        let inputs = [
            String(repeating: "(", count: 100_000),
            String(repeating: "(", count: 100_000) + "1" + String(repeating: ")", count: 100_000),
            String(repeating: "-", count: 100_000) + "1",
            String(repeating: "!", count: 100_000) + "true",
            String(repeating: "1+", count: 100_000) + "1",
            String(repeating: "2**", count: 100_000) + "2",
            String(repeating: "1,", count: 100_000) + "1",
            String(repeating: "true?", count: 100_000) + "1",
            String(repeating: "(1+", count: 100_000) + "1" + String(repeating: ")", count: 100_000),
            String(repeating: "[", count: 100_000),
        ]
        for text in inputs {
            let error = parseError(text)
            #expect(error != nil, "\(text.prefix(20))...")
        }
    }

    @Test func everyOperatorAtEveryLevelStaysWithinTheStack() {
        // The deepest recursion: each parenthesis level walks every precedence level.
        let level = "1,1?1||1&&1==1&1<<1+1*1**("
        let text = String(repeating: level, count: 300) + "1" + String(repeating: ")", count: 300)
        #expect(parseError(text)?.message.contains("nested too deeply") == true)
    }
}
