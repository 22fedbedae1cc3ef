import LBCore
import LBDaemonKit
import Testing

@Suite struct AliasScheduleTests {
    private let start = ContinuousClock.now

    @Test func newAliasesAreDueWithinTheStartSpreadAndNotAllAtOnce() {
        var random = SeededRandomNumberGenerator(seed: 1)
        var schedule = AliasSchedule()
        let intervals = Dictionary(
            uniqueKeysWithValues: (0..<50).map { ("a\($0).example", Duration.seconds(300)) })
        schedule.update(intervals: intervals, now: start, using: &random)
        let dues = schedule.aliases.compactMap { schedule.nextDue(of: $0) }
        #expect(dues.count == 50)
        #expect(dues.allSatisfy { $0 >= start && $0 < start + AliasSchedule.startSpread })
        #expect(Set(dues).count > 25)
        #expect(schedule.takeDue(at: start + AliasSchedule.startSpread).count == 50)
    }

    @Test func aRunningAliasIsNotTakenAgainAndFinishingSchedulesTheNextEvaluation() {
        var random = SeededRandomNumberGenerator(seed: 2)
        var schedule = AliasSchedule()
        schedule.update(intervals: ["a.example": .seconds(100)], now: start, using: &random)
        let first = start + .seconds(10)
        #expect(schedule.takeDue(at: first) == ["a.example"])
        #expect(schedule.takeDue(at: first + .seconds(500)).isEmpty)
        #expect(schedule.nextWake == nil)
        schedule.finished("a.example", at: first, using: &random)
        let next = try! #require(schedule.nextDue(of: "a.example"))
        // One interval later, give or take a tenth of it.
        #expect(next >= first + .seconds(90) && next <= first + .seconds(110))
        #expect(schedule.takeDue(at: first + .seconds(89)).isEmpty)
        #expect(schedule.takeDue(at: first + .seconds(110)) == ["a.example"])
    }

    @Test func jitterIsCappedForLongIntervals() {
        var random = SeededRandomNumberGenerator(seed: 3)
        var schedule = AliasSchedule()
        schedule.update(intervals: ["a.example": .seconds(3600)], now: start, using: &random)
        let taken = start + .seconds(10)
        _ = schedule.takeDue(at: taken)
        for _ in 0..<20 {
            schedule.finished("a.example", at: taken + .seconds(1), using: &random)
            let next = schedule.nextDue(of: "a.example")!
            #expect(next >= taken + .seconds(3595) && next <= taken + .seconds(3605))
        }
    }

    @Test func theIntervalCountsFromTheStartOfTheEvaluationNotItsEnd() {
        var random = SeededRandomNumberGenerator(seed: 6)
        var schedule = AliasSchedule()
        schedule.update(intervals: ["a.example": .seconds(10)], now: start, using: &random)
        let taken = start + .seconds(5)
        #expect(schedule.takeDue(at: taken) == ["a.example"])
        // A dead member held the evaluation for 6 s: the next one is still ~10 s after the start.
        schedule.finished("a.example", at: taken + .seconds(6), using: &random)
        let next = try! #require(schedule.nextDue(of: "a.example"))
        #expect(next >= taken + .seconds(9) && next <= taken + .seconds(11))
    }

    @Test func anEvaluationLongerThanItsIntervalMakesTheAliasDueAtOnce() {
        var random = SeededRandomNumberGenerator(seed: 7)
        var schedule = AliasSchedule()
        schedule.update(intervals: ["a.example": .seconds(10)], now: start, using: &random)
        let taken = start + .seconds(5)
        _ = schedule.takeDue(at: taken)
        let finished = taken + .seconds(30)
        schedule.finished("a.example", at: finished, using: &random)
        #expect(schedule.takeDue(at: finished) == ["a.example"])
    }

    @Test func reloadingKeepsKnownAliasesAndDropsRemovedOnes() {
        var random = SeededRandomNumberGenerator(seed: 4)
        var schedule = AliasSchedule()
        schedule.update(
            intervals: ["a.example": .seconds(300), "b.example": .seconds(300)], now: start, using: &random)
        _ = schedule.takeDue(at: start + .seconds(10))
        schedule.finished("a.example", at: start + .seconds(10), using: &random)
        let aDue = schedule.nextDue(of: "a.example")
        schedule.update(
            intervals: ["a.example": .seconds(300), "c.example": .seconds(300)], now: start + .seconds(20),
            using: &random)
        #expect(schedule.aliases == ["a.example", "c.example"])
        #expect(schedule.nextDue(of: "a.example") == aDue)
        // A shorter interval takes effect at once.
        schedule.update(intervals: ["a.example": .seconds(30)], now: start + .seconds(20), using: &random)
        #expect(schedule.nextDue(of: "a.example")! <= start + .seconds(50))
    }

    @Test func aForgottenAliasIsScheduledAsANewOne() {
        var random = SeededRandomNumberGenerator(seed: 5)
        var schedule = AliasSchedule()
        schedule.update(intervals: ["a.example": .seconds(300)], now: start, using: &random)
        _ = schedule.takeDue(at: start + .seconds(10))
        schedule.finished("a.example", at: start + .seconds(10), using: &random)
        #expect(schedule.nextDue(of: "a.example")! > start + .seconds(250))
        // Its definition changed at a reload: evaluated again within the start spread.
        let reload = start + .seconds(20)
        schedule.forget("a.example")
        schedule.update(intervals: ["a.example": .seconds(300)], now: reload, using: &random)
        #expect(schedule.nextDue(of: "a.example")! < reload + AliasSchedule.startSpread)
    }
}
