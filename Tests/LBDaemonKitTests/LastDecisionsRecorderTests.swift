import Foundation
import LBCore
import LBTestSupport
import Testing

@testable import LBDaemonKit

/// `decisions.json` is written from the recorder's own task, at most once per interval, with
/// the newest decisions; a failing write is logged once and never reaches the engine.
@Suite struct LastDecisionsRecorderTests {
    static func round(_ evaluations: AliasEvaluation...) -> EvaluationRound {
        EvaluationRound(
            evaluations: evaluations, startedAt: ExplanationTests.finished, pollDuration: .zero,
            duration: .zero,
            nodesPolled: 1, scheduled: true)
    }

    static func evaluation(load: Int) -> AliasEvaluation {
        ExplanationTests.evaluation(members: [
            ExplanationTests.report("a.example.org", "192.0.2.1", .integer(load))
        ])
    }

    /// Waits for `condition`, checking every 20 ms for at most 10 s.
    static func eventually(_ condition: () -> Bool) async throws -> Bool {
        for _ in 0..<500 {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return condition()
    }

    @Test func aBurstOfRoundsIsWrittenOnceWithTheNewestDecisions() async throws {
        let directory = try Peers.temporaryDirectory("lbd-decisions")
        defer { try? FileManager.default.removeItem(at: directory) }
        let recorder = LastDecisionsRecorder(
            stateDirectory: directory.path, instance: "lbd1", logger: CapturedLog().logger,
            interval: .milliseconds(300), now: { ExplanationTests.finished })
        for load in 1...20 { await recorder.observe(Self.round(Self.evaluation(load: load))) }
        #expect(recorder.latest(ExplanationTests.alias)?.decision.members.first?.evaluation.load == 20)
        #expect(try await Self.eventually { recorder.writes >= 1 })
        try await Task.sleep(for: .milliseconds(700))
        #expect(recorder.writes == 1)
        let read = try DecisionsFile.read(try #require(recorder.path))
        #expect(read.instance == "lbd1")
        #expect(read.evaluations[ExplanationTests.alias]?.decision == Self.evaluation(load: 20).decision)
        // A flush with nothing new writes nothing.
        await recorder.flush()
        #expect(recorder.writes == 1)
        await recorder.observe(Self.round(Self.evaluation(load: 42)))
        await recorder.flush()
        #expect(recorder.writes == 2)
        let again = try DecisionsFile.read(try #require(recorder.path))
        #expect(again.evaluations[ExplanationTests.alias]?.decision.members.first?.evaluation.load == 42)
    }

    @Test func anAliasRemovedAtAReloadIsForgottenAndLeavesTheFile() async throws {
        let directory = try Peers.temporaryDirectory("lbd-decisions")
        defer { try? FileManager.default.removeItem(at: directory) }
        let recorder = LastDecisionsRecorder(
            stateDirectory: directory.path, instance: "lbd1", logger: CapturedLog().logger,
            interval: .milliseconds(50), now: { ExplanationTests.finished })
        var gone = Self.evaluation(load: 7)
        gone.decision.alias = "gone.example.org"
        await recorder.observe(Self.round(Self.evaluation(load: 3), gone))
        await recorder.flush()
        #expect(try DecisionsFile.read(try #require(recorder.path)).evaluations.count == 2)
        let writes = recorder.writes
        // Keeping every alias recorded changes nothing and writes nothing.
        recorder.keepOnly([ExplanationTests.alias, "gone.example.org", "new.example.org"])
        await recorder.flush()
        #expect(recorder.writes == writes)
        recorder.keepOnly([ExplanationTests.alias])
        #expect(recorder.latest("gone.example.org") == nil)
        #expect(recorder.latest(ExplanationTests.alias) != nil)
        #expect(
            try await Self.eventually {
                (try? DecisionsFile.read(recorder.path ?? ""))?.evaluations.keys.sorted() == [
                    ExplanationTests.alias
                ]
            })
        // An evaluation of the withdrawn alias still under way when the reload was told.
        await recorder.observe(Self.round(gone))
        #expect(recorder.latest("gone.example.org") == nil)
    }

    @Test func aFailingWriteIsLoggedOnceAndTheDecisionsAreStillServed() async throws {
        let directory = try Peers.temporaryDirectory("lbd-decisions")
        defer { try? FileManager.default.removeItem(at: directory) }
        // The "directory" is a file: every write fails.
        let blocker = directory.appendingPathComponent("not-a-directory")
        try "x".write(to: blocker, atomically: true, encoding: .utf8)
        let log = CapturedLog()
        let recorder = LastDecisionsRecorder(
            stateDirectory: blocker.path, instance: "lbd1", logger: log.logger, interval: .milliseconds(10))
        for load in 1...3 {
            await recorder.observe(Self.round(Self.evaluation(load: load)))
            await recorder.flush()
        }
        #expect(recorder.writes == 0)
        let errors = log.all.filter { $0.hasPrefix("error ") }
        #expect(errors.count == 1, "\(log.all)")
        #expect(
            errors.first?.contains("cannot write the decisions file \(blocker.path)/decisions.json") == true)
        #expect(recorder.latest(ExplanationTests.alias)?.decision.members.first?.evaluation.load == 3)
    }

    @Test func withoutAStateDirectoryNothingIsWritten() async {
        let recorder = LastDecisionsRecorder(
            stateDirectory: nil, instance: "lbd1", logger: CapturedLog().logger)
        await recorder.observe(Self.round(Self.evaluation(load: 4)))
        await recorder.flush()
        #expect(recorder.path == nil)
        #expect(recorder.writes == 0)
        #expect(recorder.evaluations.count == 1)
    }
}
