import Foundation
import Synchronization
import Testing

@testable import LBClientKit

/// The timer thread behind the line timeouts (``withDeadline(_:timer:operation:)``).
@Suite("Deadline timer")
struct DeadlineTimerTests {
    private final class Fired: Sendable {
        private let times = Mutex<[String]>([])
        func record(_ name: String) { times.withLock { $0.append(name) } }
        var names: [String] { times.withLock { $0 } }
    }

    /// Polls until `condition` holds or 10 s pass.
    private func eventually(_ condition: () -> Bool) async {
        for _ in 0..<1000 where !condition() { try? await Task.sleep(for: .milliseconds(10)) }
    }

    @Test func callsFireInTheOrderOfTheirTimeAndCancelledOnesNever() async {
        let timer = DeadlineTimer()
        let fired = Fired()
        _ = timer.schedule(after: .milliseconds(60)) { fired.record("late") }
        let cancelled = timer.schedule(after: .milliseconds(30)) { fired.record("cancelled") }
        _ = timer.schedule(after: .milliseconds(10)) { fired.record("early") }
        _ = timer.schedule(after: .zero) { fired.record("now") }
        cancelled.cancel()
        await eventually { fired.names.count == 3 }
        try? await Task.sleep(for: .milliseconds(50))
        #expect(fired.names == ["now", "early", "late"])
    }

    @Test func aLentThreadServesTheTimersUntilDoneAndThenHandsOver() async {
        let timer = DeadlineTimer()
        let fired = Fired()
        let servingThread = Mutex<pthread_t?>(nil)
        await withCheckedContinuation { (finished: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread {
                let lender = pthread_self()
                timer.lendCurrentThread { done in
                    _ = timer.schedule(after: .milliseconds(5)) {
                        servingThread.withLock { $0 = pthread_self() }
                        fired.record("while lent")
                        done()
                    }
                    // Still pending when the lending ends: another thread takes it.
                    _ = timer.schedule(after: .milliseconds(200)) { fired.record("after") }
                }
                #expect(servingThread.withLock { $0 }.map { pthread_equal($0, lender) != 0 } == true)
                finished.resume()
            }
        }
        #expect(fired.names == ["while lent"])
        await eventually { fired.names.count == 2 }
        #expect(fired.names == ["while lent", "after"])
    }

    @Test func lendingWhileTheTimerHasItsOwnThreadOnlyWaits() async {
        let timer = DeadlineTimer()
        let fired = Fired()
        // The first call starts the timer's own thread.
        _ = timer.schedule(after: .zero) { fired.record("own thread") }
        await eventually { fired.names.count == 1 }
        await withCheckedContinuation { (finished: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread {
                timer.lendCurrentThread { done in
                    _ = timer.schedule(after: .milliseconds(5)) {
                        fired.record("served")
                        done()
                    }
                }
                finished.resume()
            }
        }
        #expect(fired.names == ["own thread", "served"])
    }

    @Test func withDeadlineGivesTheFirstOfValueAndTimeout() async throws {
        let timer = DeadlineTimer()
        let quick = try await withDeadline(.seconds(10), timer: timer) { 42 }
        #expect(quick == 42)
        await #expect(throws: DeadlineExceeded.self) {
            try await withDeadline(.milliseconds(20), timer: timer) {
                try await Task.sleep(for: .seconds(10))
                return 0
            }
        }
        await #expect(throws: CheckError("no")) {
            try await withDeadline(.seconds(10), timer: timer) { () async throws -> Int in
                throw CheckError("no")
            }
        }
    }
}

@Suite("Keyword look-ups without sets or string tables")
struct KeywordLookupTests {
    @Test func takesAgreesWithVerbsForEveryKeyword() {
        for keyword in Keyword.allCases {
            for verb in [Verb.check, .load] {
                #expect(keyword.takes(verb) == keyword.verbs.contains(verb), "\(keyword) \(verb)")
            }
        }
    }

    @Test func everyNameInAnyCaseFindsItsKeyword() {
        for keyword in Keyword.allCases {
            #expect(Keyword(caseInsensitive: keyword.rawValue) == keyword)
            #expect(Keyword(caseInsensitive: keyword.rawValue.uppercased()) == keyword)
        }
        #expect(Keyword(caseInsensitive: "nologins") == nil)
        #expect(Keyword(caseInsensitive: "") == nil)
        #expect(Verb(lowercased: "check") == .check && Verb(lowercased: "load") == .load)
        #expect(Verb(lowercased: "Check") == nil)
    }

    @Test func columnsCountCharactersNotBytes() {
        let errors = ClientConfigFile.parseKeepingGoing("  \u{E9}t\u{E9}  constant 5\n", path: "f").1
        #expect(errors.first?.column == 3)
        let lines = ClientConfigFile.parseKeepingGoing("\tload  constant   7  \n", path: "f").0.lines
        #expect(lines.first?.arguments == "7")
        #expect(lines.first?.argumentsColumn == 19)
    }
}
