import Testing

@testable import LBClientKit

@Suite("ConstantCheck")
struct ConstantCheckTests {
    private func value(_ arguments: String) async throws -> CheckResult {
        let check = try ConstantCheck(line: CheckFixtures.line(.constant, arguments, verb: .load))
        return try await check.run(in: CheckFixtures.context(root: "/"))
    }

    @Test func positiveConstantsAreTheLoad() async throws {
        #expect(try await value("5").value == 5)
        #expect(try await value("100.9").value == 100)
        #expect(try await value("0").value == 0)
        #expect(try await value("1e3").value == 1000)
        #expect(try await value("5 # comment").value == 5)
        #expect(try await value("7\textra").value == 7)
    }

    @Test func truncationHappensBeforeTheSignTest() async throws {
        // golbclient: `-0.5` truncates to 0, which passes (and then means "use the default").
        #expect(try await value("-0.5") == CheckResult(value: 0, detail: "constant -0.5"))
        #expect(try await value("-1").passed == false)
    }

    @Test func hugeValuesSaturate() async throws {
        #expect(try await value("1e12").value == Int(Int32.max))
    }

    @Test(arguments: ["", "five", "5,5", "nan", "inf", "--1"])
    func notANumberIsAConfigError(arguments: String) throws {
        let error = #expect(throws: ClientConfigError.self) {
            _ = try ConstantCheck(line: CheckFixtures.line(.constant, arguments, verb: .load))
        }
        #expect(error?.column == CheckFixtures.argumentsColumn)
        #expect(error?.line == 1)
    }
}
