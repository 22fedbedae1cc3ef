import Testing

@testable import LBClientKit

@Suite("Expression evaluator")
struct ExpressionEvaluatorTests {
    private func value(_ text: String, _ metrics: [String: ExpressionValue] = [:]) throws -> ExpressionValue {
        try MetricExpression(text).evaluate(with: metrics)
    }

    private func evaluationError(_ text: String, _ metrics: [String: ExpressionValue] = [:]) throws
        -> ExpressionError?
    {
        let expression = try MetricExpression(text)
        do {
            _ = try expression.evaluate(with: metrics)
            return nil
        } catch {
            return error
        }
    }

    // MARK: Precedence: each row of the table binds looser than the next.

    @Test func separatorIsBelowTernary() throws {
        #expect(try value("true ? 1 : 2, 3") == .array([.number(1), .number(3)]))
    }

    @Test func ternaryIsBelowOr() throws {
        // `?` binding tighter would give `false || 1`, a type error.
        #expect(try value("false || true ? 1 : 2") == .number(1))
        #expect(try value("true ?? false || true") == .bool(true))
    }

    @Test func orIsBelowAnd() throws {
        #expect(try value("true || true && false") == .bool(true))
        #expect(try value("false && true || true") == .bool(true))
    }

    @Test func andIsBelowComparators() throws {
        #expect(try value("1 < 2 && 2 < 3") == .bool(true))
        #expect(try value("1 > 2 && 2 < 3") == .bool(false))
    }

    @Test func comparatorsAreBelowBitwiseOperators() throws {
        // Unlike C: `1 | 2 == 3` is `(1 | 2) == 3`.
        #expect(try value("1 | 2 == 3") == .bool(true))
        #expect(try value("6 & 3 == 2") == .bool(true))
        #expect(try value("5 ^ 1 != 4") == .bool(false))
    }

    @Test func bitwiseOperatorsAreBelowShifts() throws {
        #expect(try value("1 | 1 << 2") == .number(5))
        #expect(try value("12 & 1 << 3") == .number(8))
    }

    @Test func shiftsAreBelowAdditiveOperators() throws {
        #expect(try value("1 << 1 + 1") == .number(4))
        #expect(try value("16 >> 1 + 1") == .number(4))
    }

    @Test func additiveOperatorsAreBelowMultiplicativeOnes() throws {
        #expect(try value("2 + 3 * 4") == .number(14))
        #expect(try value("10 - 6 / 2") == .number(7))
        #expect(try value("10 - 7 % 4") == .number(7))
    }

    @Test func multiplicativeOperatorsAreBelowPower() throws {
        #expect(try value("2 * 3 ** 2") == .number(18))
    }

    @Test func powerIsBelowPrefixOperators() throws {
        #expect(try value("-2 ** 2") == .number(4))
        #expect(try value("!true == false") == .bool(true))
        #expect(try value("~1 + 1") == .number(-1))
    }

    @Test func operatorsOfOneLevelAreLeftAssociative() throws {
        #expect(try value("10 - 5 - 2") == .number(3))
        #expect(try value("100 / 10 / 5") == .number(2))
        #expect(try value("2 ** 3 ** 2") == .number(64))
        #expect(try value("2 - 3 + 4") == .number(3))
        #expect(try value("1 | 2 & 0") == .number(0))
        #expect(try value("1 < 2 == true") == .bool(true))
    }

    @Test func golbclientObservedResults() throws {
        let metrics: [String: ExpressionValue] = ["13163": .number(1), "13423:2": .number(23)]
        #expect(try value("[13163] + [13423:2] * 2", metrics) == .number(47))
        #expect(try value("([13163] + [13423:2]) * 2", metrics) == .number(48))
        #expect(try value("_13163 + _13423:2 * 2", metrics) == .number(47))
        #expect(try value("0x10") == .number(16))
        #expect(try value("true").lineValue == 1)
        #expect(try value("7 % 4") == .number(3))
        #expect(try value("!false") == .bool(true))
        #expect(try value("-[13163]", metrics) == .number(-1))
        #expect(try value("[13163] in (1,2)", metrics) == .bool(true))
    }

    @Test func legacyEqualsCompares() throws {
        #expect(try value("[x] = 1", ["x": .number(1)]) == .bool(true))
        #expect(try value("_20003=5", ["20003": .number(4)]) == .bool(false))
    }

    @Test func numbersAreDoubles() throws {
        #expect(try value("[x] == 0.12", ["x": .number(0.12)]) == .bool(true))
        #expect(try value("[x] * 1000", ["x": .number(0.12)]).lineValue == 120)
        #expect(try value("7 / 2") == .number(3.5))
    }

    @Test func strings() throws {
        #expect(try value(#"'a' == "a""#) == .bool(true))
        #expect(try value("'abc' + 'def'") == .string("abcdef"))
        #expect(try value("'n' + 1") == .string("n1"))
        #expect(try value("1.5 + 'n'") == .string("1.5n"))
        #expect(try value("'a' < 'b'") == .bool(true))
        #expect(try value("'b' <= 'a'") == .bool(false))
        #expect(try value("'B' < 'a'") == .bool(true))
    }

    @Test func regularExpressions() throws {
        #expect(try value("'abc' =~ 'b+'") == .bool(true))
        #expect(try value("'abc' =~ '^b'") == .bool(false))
        #expect(try value("'abc' !~ '^b'") == .bool(true))
        let badPattern = try #require(try evaluationError("'a' =~ ('(' + 'b')"))
        #expect(badPattern.message.hasPrefix("invalid regular expression '(b'"))
        #expect(try evaluationError("1 =~ 'a'")?.message.contains("needs strings") == true)
    }

    @Test func membership() throws {
        #expect(try value("3 in (1, 2)") == .bool(false))
        #expect(try value("'b' in ('a', 'b')") == .bool(true))
        #expect(try value("1 in (1)") == .bool(true))
        #expect(try value("true in (1, 2)") == .bool(false))
    }

    @Test func ternaryWithAndWithoutElse() throws {
        #expect(try value("true ? 1 : 2") == .number(1))
        #expect(try value("false ? 1 : 2") == .number(2))
        #expect(try value("true ? 5") == .number(5))
        #expect(try value("false ? 5") == .null)
        #expect(try value("false ? 5").lineValue == -1)
        #expect(try evaluationError("1 ? 2 : 3")?.column == 3)
    }

    @Test func coalesce() throws {
        #expect(try value("(false ? 1) ?? 7") == .number(7))
        #expect(try value("3 ?? 7") == .number(3))
    }

    @Test func shortCircuitSkipsMissingMetrics() throws {
        let metrics: [String: ExpressionValue] = ["13163": .number(1)]
        #expect(try value("[13163] > 0 || [99999] > 0", metrics) == .bool(true))
        #expect(try value("[13163] > 5 && [99999] > 0", metrics) == .bool(false))
        #expect(try value("false ? [99999] : 1", metrics) == .number(1))
        #expect(try value("2 ?? [99999]", metrics) == .number(2))
        #expect(
            try evaluationError("[13163] < 0 || [99999] > 0", metrics)
                == ExpressionError("no value for the metric [99999]", column: 16))
    }

    @Test func logicalOperatorsNeedBooleans() throws {
        let error = try #require(try evaluationError("1 && true"))
        #expect(error.column == 3)
        #expect(error.message == "value 1 cannot be used with the logical operator '&&': it is not a boolean")
        #expect(try evaluationError("false || 'x'")?.message.contains("'||'") == true)
        #expect(try evaluationError("!1")?.column == 1)
    }

    @Test func equalityIsDeep() throws {
        #expect(try value("1 == true") == .bool(false))
        #expect(try value("1 != true") == .bool(true))
        #expect(try value("'1' == 1") == .bool(false))
        #expect(try value("(1,2) == (1,2)") == .bool(true))
        #expect(try value("(1,2) == (1,3)") == .bool(false))
    }

    /// Large finite numbers saturate; a division by zero means an unusable metric and fails.
    @Test func divisionByZeroFailsAndLargeNumbersSaturate() throws {
        #expect(try value("1 / 0") == .number(.infinity))
        #expect(try value("1 / 0").lineValue == -1)
        #expect(try value("-1 / 0").lineValue == -1)
        #expect(try value("0 / 0").lineValue == -1)
        #expect(try value("98.4 * 1e9").lineValue == Int(Int32.max))
    }

    @Test func bitwiseAndShifts() throws {
        #expect(try value("~5") == .number(-6))
        #expect(try value("5 ^ 1") == .number(4))
        #expect(try value("1 << 70") == .number(0))
        #expect(try value("(1/0) | 0") == .number(Double(Int64.max)))
        #expect(try value("(0/0) & 1") == .number(0))
    }

    @Test func typeErrorsNameTheOperatorColumn() throws {
        let error = try #require(try evaluationError("1 + 'a' * 2"))
        #expect(error.column == 9)
        #expect(error.message == "'*' needs numbers, not 'a' (string) and 2 (number)")
        #expect(try evaluationError("1 < 'a'")?.message.contains("two numbers or two strings") == true)
        #expect(try evaluationError("-'a'")?.column == 1)
    }

    @Test func bareNamesAreNeverProvided() throws {
        let error = try #require(try evaluationError("foo > 1"))
        #expect(error.column == 1)
        #expect(error.message.hasPrefix("unknown name 'foo'"))
        #expect(try value("true || foo") == .bool(true))
    }

    @Test func lineValues() {
        #expect(ExpressionValue.bool(true).lineValue == 1)
        #expect(ExpressionValue.bool(false).lineValue == -1)
        #expect(ExpressionValue.number(0.99).lineValue == 0)
        #expect(ExpressionValue.number(-2.7).lineValue == -2)
        #expect(ExpressionValue.string("true").lineValue == 1)
        #expect(ExpressionValue.string("F").lineValue == -1)
        #expect(ExpressionValue.string("0").lineValue == 0)
        #expect(ExpressionValue.string("2.7").lineValue == 2)
        #expect(ExpressionValue.string("x").lineValue == -1)
        #expect(ExpressionValue.null.lineValue == -1)
        #expect(ExpressionValue.array([.number(1)]).lineValue == nil)
    }
}
