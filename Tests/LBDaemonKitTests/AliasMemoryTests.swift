import Testing

@testable import LBDaemonKit

/// Which reports move an alias's `rise`/`fall` streaks: each report once.
@Suite struct AliasMemoryTests {
    private let start = ContinuousClock.now

    private func at(_ seconds: Int) -> ContinuousClock.Instant { start + .seconds(seconds) }

    @Test func theFirstDecisionCountsEveryReportAndASecondFromTheSameReportsNone() {
        var memory = AliasMemory()
        #expect(memory.newReports(of: ["a", "b"], polledAt: [at(1), at(1)]) == nil)
        #expect(memory.newReports(of: ["a", "b"], polledAt: [at(1), at(1)]) == [])
        #expect(memory.newReports(of: ["a", "b"], polledAt: [at(2), at(2)]) == nil)
    }

    @Test func onlyTheMembersPolledSinceCountAndAMemberWithoutAReportAlwaysDoes() {
        var memory = AliasMemory()
        _ = memory.newReports(of: ["a", "b", "c"], polledAt: [at(1), at(1), nil])
        // A refresh polled b again; c still has no report.
        #expect(memory.newReports(of: ["a", "b", "c"], polledAt: [at(1), at(2), nil]) == ["b", "c"])
        #expect(memory.newReports(of: ["a", "b", "c"], polledAt: [at(1), at(2), nil]) == ["c"])
    }

    @Test func aRedefinitionCarriesTheCountedReportsOverByName() {
        var memory = AliasMemory()
        _ = memory.newReports(of: ["a", "b"], polledAt: [at(1), at(1)])
        memory.renumber(from: ["a", "b"], to: ["c", "b"])
        // b's report was counted; c is new to the alias.
        #expect(memory.newReports(of: ["c", "b"], polledAt: [at(1), at(1)]) == ["c"])
        // Unchanged members: nothing moves.
        memory.renumber(from: ["c", "b"], to: ["c", "b"])
        #expect(memory.newReports(of: ["c", "b"], polledAt: [at(1), at(1)]) == [])
    }
}
