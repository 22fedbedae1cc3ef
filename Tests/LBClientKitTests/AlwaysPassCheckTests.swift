import Testing

@testable import LBClientKit

@Suite("AlwaysPassCheck")
struct AlwaysPassCheckTests {
    @Test(arguments: [Keyword.xsessions, .swapping, .swaping])
    func alwaysPasses(keyword: Keyword) async throws {
        let check = try AlwaysPassCheck(line: CheckFixtures.line(keyword, "whatever follows"))
        let result = try await check.run(in: CheckFixtures.context(root: "/nonexistent-root"))
        #expect(result.value == 1)
        #expect(result.detail.hasPrefix(keyword.rawValue))
    }
}
