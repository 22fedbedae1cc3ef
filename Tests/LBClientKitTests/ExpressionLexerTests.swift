import Testing

@testable import LBClientKit

@Suite("Expression lexer")
struct ExpressionLexerTests {
    private func kinds(_ text: String) throws -> [ExpressionToken.Kind] {
        try ExpressionLexer.tokens(of: text).map(\.kind)
    }

    private func lexingError(_ text: String) -> ExpressionError? {
        do {
            _ = try ExpressionLexer.tokens(of: text)
            return nil
        } catch {
            return error
        }
    }

    @Test func tokensCarryTheirColumns() throws {
        let tokens = try ExpressionLexer.tokens(of: "[13163] >= 0x10 && 'a b'")
        #expect(
            tokens.map(\.kind) == [
                .metric("13163"), .symbol(.greaterOrEqual), .number(16), .symbol(.and), .string("a b"),
            ])
        #expect(tokens.map(\.column) == [1, 9, 12, 17, 20])
    }

    @Test func numbers() throws {
        #expect(
            try kinds("1.5 .5 1e3 1.5e-2 2E+1 0x1F 0XfF 007") == [
                .number(1.5), .number(0.5), .number(1000), .number(0.015), .number(20), .number(31),
                .number(255),
                .number(7),
            ])
        // An `e` without digits is not an exponent: the number ends and a name follows.
        #expect(try kinds("2e") == [.number(2), .identifier("e")])
    }

    @Test func badNumbersAreErrors() {
        #expect(lexingError("1 + 1.2.3") == ExpressionError("invalid number '1.2.3'", column: 5))
        #expect(
            lexingError("0x") == ExpressionError("invalid hexadecimal number: '0x' needs digits", column: 1))
    }

    @Test func stringsWithBothQuotesAndEscapes() throws {
        #expect(
            try kinds(#"'it"s' "it's" 'a\'b' "c\"d""#) == [
                .string(#"it"s"#), .string("it's"), .string("a'b"), .string(#"c"d"#),
            ])
        #expect(lexingError("1 + 'abc") == ExpressionError("unterminated string: no closing '", column: 5))
    }

    @Test func operatorsMatchTheLongestSpelling() throws {
        #expect(
            try kinds("** * << < <= >= > >> == != =~ !~ ! ~ && & || | ^ ?? ? : , ( ) + - / %") == [
                .symbol(.power), .symbol(.times), .symbol(.shiftLeft), .symbol(.less), .symbol(.lessOrEqual),
                .symbol(.greaterOrEqual), .symbol(.greater), .symbol(.shiftRight), .symbol(.equal),
                .symbol(.notEqual),
                .symbol(.matches), .symbol(.notMatches), .symbol(.not), .symbol(.bitwiseNot), .symbol(.and),
                .symbol(.bitwiseAnd), .symbol(.or), .symbol(.bitwiseOr), .symbol(.bitwiseXor),
                .symbol(.coalesce),
                .symbol(.question), .symbol(.colon), .symbol(.comma), .symbol(.leftParenthesis),
                .symbol(.rightParenthesis), .symbol(.plus), .symbol(.minus), .symbol(.divide),
                .symbol(.modulo),
            ])
        // golbclient read `>-` as one invalid symbol; here it is `>` then `-`.
        #expect(try kinds("[x]>-1") == [.metric("x"), .symbol(.greater), .symbol(.minus), .number(1)])
    }

    @Test func namesAndKeywords() throws {
        #expect(
            try kinds("true false in foo.bar_1 TRUE") == [
                .boolean(true), .boolean(false), .symbol(.in), .identifier("foo.bar_1"), .identifier("TRUE"),
            ])
    }

    @Test func bracketedMetrics() throws {
        #expect(
            try kinds("[ 13163 ] [load/load-relative:shortterm] [my_1/x] [irq/irq-15]") == [
                .metric("13163"), .metric("load/load-relative:shortterm"), .metric("my_1/x"),
                .metric("irq/irq-15"),
            ])
        #expect(lexingError("1 + [abc") == ExpressionError("unclosed '[': no matching ']'", column: 5))
        #expect(lexingError("[]") == ExpressionError("empty metric reference '[]'", column: 1))
        #expect(
            lexingError("[a[b]]")
                == ExpressionError("'[' inside the metric reference opened at column 1", column: 3))
    }

    @Test func legacyLemonReferences() throws {
        #expect(try kinds("_13163 + _13423:2") == [.metric("13163"), .symbol(.plus), .metric("13423:2")])
        // A ':' not followed by digits stays an operator.
        #expect(try kinds("_1:x") == [.metric("1"), .symbol(.colon), .identifier("x")])
        #expect(try ExpressionLexer.tokens(of: "1+_20003").map(\.column) == [1, 2, 3])
        #expect(lexingError("_x") != nil)
    }

    @Test func legacySingleEquals() throws {
        #expect(try kinds("[x] = 1") == [.metric("x"), .symbol(.equal), .number(1)])
        #expect(try kinds("1=[x]") == [.number(1), .symbol(.equal), .metric("x")])
        #expect(try kinds("_20003 = _20004") == [.metric("20003"), .symbol(.equal), .metric("20004")])
        #expect(try ExpressionLexer.tokens(of: "[x] = 1")[1].column == 5)
        // golbclient's rule: not before a sign, not after a parenthesis.
        #expect(lexingError("[x]=-2")?.column == 4)
        #expect(lexingError("([x]) = 2")?.column == 7)
        #expect(lexingError("'a' = 'a'")?.column == 5)
    }

    @Test func hashIsAnInvalidToken() {
        let error = lexingError("[13163] # c")
        #expect(error?.column == 9)
        #expect(error?.message.contains("invalid token '#'") == true)
    }

    @Test func otherInvalidCharacters() {
        #expect(lexingError("1 @ 2") == ExpressionError("invalid token '@'", column: 3))
        #expect(lexingError("1 ; 2")?.column == 3)
        #expect(lexingError("1 } 2")?.column == 3)
    }
}
