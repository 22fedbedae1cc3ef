import Testing

@testable import LBClientKit

@Suite("Lemon metric source")
struct LemonMetricSourceTests {
    @Test func references() throws {
        #expect(try LemonReference("13163") == LemonReference(id: "13163", valueIndex: 1))
        #expect(try LemonReference("13333:12") == LemonReference(id: "13333", valueIndex: 12))
        #expect(try LemonReference("7:1") == LemonReference(id: "7", valueIndex: 1))
        let source = LemonMetricSource()
        #expect(source.problem(with: "13163:2") == nil)
        #expect(source.problem(with: ":2") != nil)
        #expect(source.problem(with: "1:") != nil)
        #expect(source.problem(with: "1:0") != nil)
        #expect(source.problem(with: "1:-2") != nil)
        #expect(source.problem(with: "1:99999999999999999999999") != nil)
    }

    @Test func outputLines() throws {
        let output = try LemonOutput(parsing: "a 1 0 5 6\r\n\n  b\t2  0  x  \nc 1 0 7\n")
        #expect(output.valuesByID == ["1": ["7"], "2": ["x"]])
        #expect(throws: CheckError.self) { try LemonOutput(parsing: "a 1 0\n") }
        #expect(throws: CheckError.self) { try LemonOutput(parsing: "a\n") }
    }

    @Test func valuesAsNumbers() {
        #expect(LemonOutput.number("1") == 1)
        #expect(LemonOutput.number("0") == 0)
        #expect(LemonOutput.number("t") == 1)
        #expect(LemonOutput.number("True") == 1)
        #expect(LemonOutput.number("false") == -1)
        #expect(LemonOutput.number("F") == -1)
        #expect(LemonOutput.number("0.12") == 0.12)
        #expect(LemonOutput.number("-3.5e2") == -350)
        #expect(LemonOutput.number("abc") == -1)
        #expect(LemonOutput.number("0x10") == -1)
        #expect(LemonOutput.number("nan").isNaN)
    }
}
