import Foundation
import Testing

@testable import LBClientKit

@Suite("Evaluation of every file and the pass answer")
struct ClientEvaluatorTests {
    private func evaluate(_ scratch: Scratch, timeout: Duration = .seconds(30)) async throws -> ClientReport {
        try await ClientEvaluator(
            discovery: ConfigDiscovery(
                directory: scratch.path + "/etc", aliasesFile: scratch.path + "/etc/lbaliases"),
            system: SystemEnvironment(root: scratch.path), lineTimeout: timeout
        ).evaluate()
    }

    @Test func oneFileGivesAnIntegerEvenForSeveralAliases() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.write("etc/lbclient.conf", "check command true\nload constant 250\n")
        try scratch.write("etc/lbaliases", "lbalias=a.cern.ch\nlbalias=b.cern.ch\n")
        let report = try await evaluate(scratch)
        #expect(report.answer.rendered == ".1.3.6.1.4.1.96.255.1\ninteger\n250\n")
    }

    @Test func severalFilesGiveAStringInAnswerOrder() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.write("etc/lbclient.conf", "load constant 50000\n")
        try scratch.write("etc/lbclient.conf.test2.cern.ch", "load constant 40000\n")
        try scratch.write("etc/lbaliases", "lbalias=test.cern.ch\nlbalias=test2.cern.ch\n")
        let report = try await evaluate(scratch)
        #expect(
            report.answer.rendered
                == ".1.3.6.1.4.1.96.255.1\nstring\ntest2.cern.ch=40000,test.cern.ch=50000\n")
    }

    @Test func aFailingCheckGivesItsCodeInTheSameFormat() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.write("etc/lbclient.conf", "load constant 3\n")
        try scratch.write("etc/lbclient.conf.b.cern.ch", "check nologin\nload constant 4\n")
        try scratch.write("etc/lbaliases", "lbalias=a.cern.ch\nlbalias=b.cern.ch\n")
        try scratch.write("etc/iss.nologin.b.cern.ch", "")
        let report = try await evaluate(scratch)
        #expect(report.answer.value == "b.cern.ch=-1,a.cern.ch=3")
    }

    /// golbclient printed nothing for every alias when one file was broken.
    @Test func aBrokenFileFailsOnlyItsOwnAliases() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.write("etc/lbclient.conf", "load constant 3\n")
        try scratch.write("etc/lbclient.conf.b.cern.ch", "check nologin\nload constnat 4\n")
        try scratch.write("etc/lbaliases", "lbalias=a.cern.ch\nlbalias=b.cern.ch\n")
        let report = try await evaluate(scratch)
        #expect(report.answer.value == "b.cern.ch=-1,a.cern.ch=3")
        #expect(report.files[0].reason.contains("lbclient.conf.b.cern.ch:2:6: unknown keyword `constnat`"))
    }

    @Test func anErrorInOneAliasLeavesTheOthersAnswering() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.write("etc/lbclient.conf", "load constant 3\n")
        try scratch.write("etc/lbclient.conf.b.cern.ch", "check roger\n")
        try scratch.write("etc/lbaliases", "lbalias=a.cern.ch\nlbalias=b.cern.ch\n")
        let report = try await evaluate(scratch)
        #expect(report.answer.value == "b.cern.ch=-13,a.cern.ch=3")
    }

    @Test func aHungCommandIsKilledWithItsChildrenAtTheTimeout() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let shellPid = scratch.path + "/shell.pid"
        let sleepPid = scratch.path + "/sleep.pid"
        try scratch.write(
            "etc/lbclient.conf",
            "check command echo $$ > \(shellPid); sleep 60 & echo $! > \(sleepPid); wait\nload constant 7\n")
        try scratch.write("etc/lbaliases", "lbalias=a.cern.ch\n")
        let started = ContinuousClock.now
        let report = try await evaluate(scratch, timeout: .seconds(1))
        #expect(started.duration(to: .now) < .seconds(5))
        #expect(report.answer.value == "-14")
        for file in [shellPid, sleepPid] {
            let pid = try #require(
                Int32(
                    String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(
                        in: .whitespacesAndNewlines)))
            #expect(await processEnds(pid), "process \(pid) from \(file) survived the timeout")
        }
    }

    private func processEnds(_ pid: Int32) async -> Bool {
        for _ in 0..<100 {
            guard kill(pid, 0) == 0 else { return true }
            if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                stat.contains(") Z ")
            {
                return true
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return false
    }
}

@Suite("pass_persist protocol")
struct PassPersistSessionTests {
    @Test func answersPingGetGetnextAndSet() {
        var session = PassPersistSession()
        #expect(session.receive("PING") == .reply("PONG\n"))
        #expect(session.receive("get") == .readMore)
        #expect(session.receive(".1.3.6.1.4.1.96.255.1") == .answer(oid: ".1.3.6.1.4.1.96.255.1"))
        #expect(session.receive("get") == .readMore)
        #expect(session.receive(".1.3.6.1.4.1.96.255.2") == .reply("NONE\n"))
        #expect(session.receive("getnext") == .readMore)
        #expect(session.receive(".1.3.6.1.4.1.96.255") == .answer(oid: ".1.3.6.1.4.1.96.255.1"))
        #expect(session.receive("getnext") == .readMore)
        #expect(session.receive(".1.3.6.1.4.1.96.255.1") == .reply("NONE\n"))
        #expect(session.receive("set") == .readMore)
        #expect(session.receive(".1.3.6.1.4.1.96.255.1") == .readMore)
        #expect(session.receive("integer 5") == .reply("not-writable\n"))
        #expect(session.receive("get") == .readMore)
        #expect(session.receive("not an oid") == .reply("NONE\n"))
        #expect(session.receive("") == .finish)
    }

    @Test func unknownCommandsGetNone() {
        var session = PassPersistSession()
        #expect(session.receive("DANCE") == .reply("NONE\n"))
        #expect(session.receive("PING\r") == .reply("PONG\n"))
    }
}

@Suite("Answer cache")
struct AnswerCacheTests {
    final class Clock: Sendable {
        let start = ContinuousClock.now
        let offset = Counter()
        var now: ContinuousClock.Instant { start.advanced(by: .seconds(offset.value)) }
    }

    @Test func evaluatesOnceUntilStaleThenServesTheOldValueWhileRefreshing() async {
        let clock = Clock()
        let evaluations = Counter()
        let cache = AnswerCache(maximumAge: .seconds(10), now: { clock.now }) {
            evaluations.increment()
            return .integer(evaluations.value)
        }
        #expect(await cache.answer() == .integer(1))
        #expect(await cache.answer() == .integer(1))
        #expect(evaluations.value == 1)
        for _ in 0..<11 { clock.offset.increment() }
        // Stale: the old value comes back at once and one refresh starts.
        #expect(await cache.answer() == .integer(1))
        var refreshed: PassAnswer?
        for _ in 0..<100 {
            refreshed = await cache.answer()
            if refreshed != .integer(1) { break }
            try? await Task.sleep(for: .milliseconds(10))
        }
        #expect(refreshed == .integer(2))
        #expect(await cache.evaluations == 2)
    }

    @Test func aZeroCacheTimeEvaluatesForEveryRequest() async {
        let evaluations = Counter()
        let cache = AnswerCache(maximumAge: .zero) {
            evaluations.increment()
            return .integer(evaluations.value)
        }
        #expect(await cache.answer() == .integer(1))
        #expect(await cache.answer() == .integer(2))
        #expect(await cache.answer() == .integer(3))
    }

    @Test func concurrentFirstRequestsShareOneEvaluation() async {
        let evaluations = Counter()
        let cache = AnswerCache(maximumAge: .seconds(10)) {
            evaluations.increment()
            try? await Task.sleep(for: .milliseconds(100))
            return .integer(7)
        }
        await withTaskGroup(of: PassAnswer?.self) { group in
            for _ in 0..<20 { group.addTask { await cache.answer() } }
            for await answer in group { #expect(answer == .integer(7)) }
        }
        #expect(evaluations.value == 1)
    }
}
