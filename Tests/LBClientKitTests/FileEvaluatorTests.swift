import Foundation
import OSThreads
import Synchronization
import Testing

@testable import LBClientKit

/// A check whose behaviour the test chooses.
private struct ScriptedCheck: Check {
    enum Behaviour: Sendable {
        case value(Int, after: Duration = .zero)
        case error(String, after: Duration = .zero)
        /// Sleeps cooperatively; counts a cancellation in `cancelled`.
        case sleep(Duration, cancelled: Counter)
        /// Blocks a thread, ignoring cancellation, like a stat() on a hung network filesystem.
        case block(seconds: UInt32)
    }
    let behaviour: Behaviour

    func run(in context: CheckContext) async throws -> CheckResult {
        switch behaviour {
        case .value(let value, let after):
            if after > .zero { try await Task.sleep(for: after) }
            return CheckResult(value: value, detail: "scripted \(value)")
        case .error(let message, let after):
            if after > .zero { try await Task.sleep(for: after) }
            throw CheckError(message)
        case .sleep(let duration, let cancelled):
            do {
                try await Task.sleep(for: duration)
            } catch {
                cancelled.increment()
                throw error
            }
            return .pass("slept")
        case .block(let seconds):
            _ = try await BlockingThread.run { sleep(seconds) }
            return .pass("blocked")
        }
    }
}

final class Counter: Sendable {
    private let count = Mutex(0)
    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}

@Suite("Concurrent evaluation of one file")
struct FileEvaluatorTests {
    private let mapping = ConfigMapping(
        path: "lbclient.conf", aliases: ["a.example.org"], isAliasSpecific: false)

    private func line(_ number: Int, _ verb: Verb, _ keyword: Keyword, _ behaviour: ScriptedCheck.Behaviour)
        -> PreparedLine
    {
        PreparedLine(
            line: ConfigLine(
                file: "lbclient.conf", lineNumber: number, text: "\(verb.rawValue) \(keyword.rawValue)",
                verb: verb,
                keyword: keyword, arguments: "", argumentsColumn: 1),
            check: ScriptedCheck(behaviour: behaviour))
    }

    private func context(root: String = "/") -> CheckContext {
        CheckContext(system: SystemEnvironment(root: root))
    }

    @Test func theFirstFailureInFileOrderDecidesEvenWhenALaterOneFailsSooner() async {
        let report = await FileEvaluator().evaluate(
            [
                line(1, .check, .roger, .value(-1, after: .milliseconds(300))),
                line(2, .check, .command, .value(-1)),
            ], for: mapping, context: context())
        #expect(report.value == -13)
        #expect(report.reason.contains("line 1"))
    }

    @Test func passingLoadsAreSummedAndChecksAddNothing() async {
        let report = await FileEvaluator().evaluate(
            [
                line(1, .check, .nologin, .value(1)),
                line(2, .load, .constant, .value(5, after: .milliseconds(50))),
                line(3, .load, .lemon, .value(7)),
                line(4, .check, .command, .value(0)),
            ], for: mapping, context: context())
        #expect(report.value == 12)
        #expect(report.defaultLoad == nil)
    }

    @Test func aLineThatCannotBeEvaluatedReportsItsKeywordsCode() async {
        let report = await FileEvaluator().evaluate(
            [
                line(1, .load, .constant, .value(5)),
                line(2, .check, .collectd, .error("collectdctl is missing")),
            ],
            for: mapping, context: context())
        #expect(report.value == -15)
        #expect(report.reason.contains("collectdctl is missing"))
    }

    @Test func linesAfterADecidedFailureAreCancelled() async {
        let cancelled = Counter()
        let started = ContinuousClock.now
        let report = await FileEvaluator().evaluate(
            [
                line(1, .check, .nologin, .value(-1)),
                line(2, .check, .command, .sleep(.seconds(30), cancelled: cancelled)),
                line(3, .check, .eos, .sleep(.seconds(30), cancelled: cancelled)),
            ], for: mapping, context: context())
        #expect(report.value == -1)
        #expect(started.duration(to: .now) < .seconds(10))
        // Each sleeping line was cancelled in its sleep, or never started when the failure came
        // first: which, depends on scheduling, so only the bound is certain.
        #expect(cancelled.value <= 2)
        #expect(report.lines.map(\.outcome)[1...] == [.skipped, .skipped])
    }

    @Test func anEarlierSlowLineStillRunsWhenALaterOneFails() async {
        let cancelled = Counter()
        let report = await FileEvaluator().evaluate(
            [
                line(1, .check, .roger, .value(1, after: .milliseconds(200))),
                line(2, .check, .command, .value(-1)),
                line(3, .check, .eos, .sleep(.seconds(30), cancelled: cancelled)),
            ], for: mapping, context: context())
        #expect(report.value == -14)
        #expect(cancelled.value == 1)
    }

    @Test func aLineThatIgnoresCancellationIsAbandonedAtItsTimeout() async {
        let started = ContinuousClock.now
        let report = await FileEvaluator(lineTimeout: .milliseconds(300)).evaluate(
            [line(1, .load, .constant, .value(5)), line(2, .check, .afs, .block(seconds: 5))],
            for: mapping, context: context())
        #expect(started.duration(to: .now) < .seconds(3))
        #expect(report.value == -10)
        #expect(report.lines[1].outcome == .timedOut(.milliseconds(300)))
    }

    @Test func theRunDeadlineCutsLongTimeouts() async {
        let started = ContinuousClock.now
        let cancelled = Counter()
        let report = await FileEvaluator(lineTimeout: .seconds(30)).evaluate(
            [line(1, .check, .command, .sleep(.seconds(30), cancelled: cancelled))],
            for: mapping, context: context(), deadline: .now.advanced(by: .milliseconds(300)))
        #expect(started.duration(to: .now) < .seconds(5))
        #expect(report.value == -14)
        if case .timedOut = report.lines[0].outcome {
        } else {
            Issue.record("expected a timeout, got \(report.lines[0].outcome)")
        }
    }

    @Test func aTotalOfZeroUsesTheBuiltInLoad() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.write("proc/loadavg", "2.14 1.00 0.50 1/100 1234\n")
        try scratch.write(
            "proc/meminfo",
            "MemTotal: 24731708 kB\nMemFree: 21513044 kB\nSwapTotal: 0 kB\nSwapFree: 0 kB\nCommitLimit: 12365852 kB\nCommitted_AS: 316404 kB\n"
        )
        let report = await FileEvaluator().evaluate(
            [line(1, .check, .nologin, .value(1)), line(2, .load, .constant, .value(0))],
            for: mapping, context: context(root: scratch.path))
        let expected = DefaultLoad(system: SystemEnvironment(root: scratch.path)).compute().value
        #expect(report.defaultLoad != nil)
        #expect(report.value == expected)
        #expect(report.value > 0)
    }

    /// golbclient's `-t` added negative loads and ignored failed checks; we run every line but
    /// report what the node would answer: here the first failing line, nologin.
    @Test func checkConfigModeRunsEveryLineAndReportsWhatTheNodeWouldAnswer() async {
        let cancelled = Counter()
        let report = await FileEvaluator(runsEveryLine: true).evaluate(
            [
                line(1, .check, .nologin, .value(-1)),
                line(2, .load, .constant, .value(10)),
                line(3, .load, .lemon, .value(-3)),
                line(4, .check, .command, .sleep(.milliseconds(100), cancelled: cancelled)),
            ], for: mapping, context: context())
        #expect(cancelled.value == 0)
        #expect(report.lines.allSatisfy { $0.outcome != .skipped })
        #expect(report.value == -1)
        #expect(report.reason.contains("line 1"))
    }
}
