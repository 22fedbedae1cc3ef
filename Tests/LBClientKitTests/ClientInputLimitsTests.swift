import Foundation
import Synchronization
import Testing

@testable import LBClientKit

/// A check that counts how many run at once.
private struct GaugedCheck: Check {
    let running: Gauge

    func run(in context: CheckContext) async throws -> CheckResult {
        running.enter()
        defer { running.leave() }
        try await Task.sleep(for: .milliseconds(5))
        return CheckResult(value: 1, detail: "gauged")
    }
}

/// A check that fails at once.
private struct FailingCheck: Check {
    func run(in context: CheckContext) async throws -> CheckResult { .fail("scripted failure") }
}

private final class Gauge: Sendable {
    private let state = Mutex((now: 0, peak: 0, total: 0))
    func enter() {
        state.withLock {
            $0.now += 1
            $0.peak = max($0.peak, $0.now)
            $0.total += 1
        }
    }
    func leave() { state.withLock { $0.now -= 1 } }
    var peak: Int { state.withLock { $0.peak } }
    var total: Int { state.withLock { $0.total } }
}

@Suite("lbclient input limits and alias names")
struct ClientInputLimitsTests {
    // MARK: Alias names

    @Test func aliasNamesMustBeDNSNames() {
        for good in [
            "a.example.org", "www", "_sip._tcp.example.org", "a-b.c_d.e1", String(repeating: "a", count: 63),
        ] {
            #expect(AliasName.problem(with: good) == nil, "\(good)")
        }
        let long = (0..<64).map { _ in "abc" }.joined(separator: ".")  // 255 octets
        for bad in [
            "a.example.org=5", "a,b.example.org", "a\u{01}b", "a b", "a..b", ".a", "a.", "",
            "caf\u{E9}.example.org", String(repeating: "a", count: 64), long, "a\u{7F}",
        ] {
            #expect(AliasName.problem(with: bad) != nil, "\(bad.debugDescription)")
        }
    }

    @Test func oneAliasCannotInjectALoadForAnother() {
        let (aliases, problems) = AliasListFile.read(
            """
            lbalias=good.example.org
            lbalias=evil.example.org=1,victim.example.org
            lbalias=ctl.example.org\u{0B}=1
            lbalias = other.example.org # comment
            lbalias=bell\u{07}.example.org
            """, path: "/etc/lbaliases")
        #expect(aliases == ["good.example.org", "other.example.org"])
        #expect(problems.map(\.line) == [2, 3, 5])
        #expect(
            problems[0].description.hasPrefix(
                "/etc/lbaliases:2: the alias name `evil.example.org=1,victim.example.org` contains `=`"))
        #expect(problems[1].message.contains("a control character (0xb)"))
        #expect(!problems[2].description.contains("\u{07}"))
        #expect(
            AliasListFile.parse("lbalias=a.example.org\r\nlbalias=b.example.org\r") == [
                "a.example.org", "b.example.org",
            ])
    }

    @Test func discoveryLeavesBadAliasesOutAndSaysWhere() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.write("lbclient.conf", "load constant 5\n")
        try scratch.write("lbaliases", "lbalias=a.example.org\nlbalias=b.example.org=1,a.example.org\n")
        let found = try ConfigDiscovery(directory: scratch.path, aliasesFile: scratch.path + "/lbaliases")
            .discover()
        #expect(found.mappings.flatMap(\.aliases) == ["a.example.org"])
        #expect(found.warnings.count == 1)
        #expect(found.warnings.first?.hasPrefix("\(scratch.path)/lbaliases:2: ") == true)
    }

    // MARK: File limits

    @Test func largeFilesAndLongFilesAreRefused() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let limits = ConfigurationLimits(maximumFileSize: 1000, maximumLineCount: 10)
        let atLimit = try scratch.write("ten", String(repeating: "check nologin\n", count: 10))
        #expect((try? limits.read(atLimit).get()) != nil)
        let eleven = try scratch.write(
            "eleven", String(repeating: "check nologin\n", count: 10) + "load constant 1")
        #expect(throws: Problem.self) { try limits.read(eleven).get() }
        if case .failure(let problem) = limits.read(eleven) {
            #expect(problem.message.contains("has 11 lines"))
        }
        let big = try scratch.write("big", String(repeating: "#", count: 1001))
        if case .failure(let problem) = limits.read(big) {
            #expect(
                problem.message
                    == "\(big) is larger than 1000 bytes; lbclient reads configuration files of at most that size"
            )
        } else {
            Issue.record("a file over the size limit was read")
        }
        if case .failure(let problem) = limits.read(scratch.path + "/missing") {
            #expect(problem.message == "cannot read \(scratch.path)/missing: No such file or directory")
        }
    }

    @Test func theStandardLimitsRefuseAHugeConfiguration() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        #expect(ConfigurationLimits.standard.maximumFileSize == 1 << 20)
        let lines = try scratch.write("lines.conf", String(repeating: "check nologin\n", count: 10_001))
        guard case .failure(let problem) = ClientEvaluator.load(lines) else {
            Issue.record("10,001 lines were accepted")
            return
        }
        #expect(problem.message.contains("at most 10000 lines"))
        let huge = try scratch.write("huge.conf", String(repeating: "# padding\n", count: 110_000))
        guard case .failure(let sizeProblem) = ClientEvaluator.load(huge) else {
            Issue.record("a 1.1 MB file was accepted")
            return
        }
        #expect(sizeProblem.message.contains("larger than 1048576 bytes"))
        let aliases = try scratch.write(
            "lbaliases", String(repeating: "lbalias=a.example.org\n", count: 10_001))
        try scratch.write("lbclient.conf", "load constant 5\n")
        #expect(throws: DiscoveryError.self) {
            try ConfigDiscovery(directory: scratch.path, aliasesFile: aliases).discover()
        }
    }

    // MARK: Bounded concurrency

    @Test func aFileRunsABoundedNumberOfLinesAtOnce() async {
        let gauge = Gauge()
        let lines = (1...200).map { number in
            PreparedLine(
                line: ConfigLine(
                    file: "lbclient.conf", lineNumber: number, text: "check command x", verb: .check,
                    keyword: .command, arguments: "x", argumentsColumn: 15),
                check: GaugedCheck(running: gauge))
        }
        let report = await FileEvaluator(maximumConcurrentLines: 16).evaluate(
            lines, for: ConfigMapping(path: "lbclient.conf", aliases: ["a"], isAliasSpecific: false),
            context: CheckContext(system: SystemEnvironment()))
        #expect(gauge.total == 200)
        #expect(gauge.peak <= 16)
        #expect(gauge.peak >= 2)
        #expect(report.lines.count == 200)
        #expect(report.lines.allSatisfy { $0.outcome == .finished(CheckResult(value: 1, detail: "gauged")) })
    }

    @Test func linesAfterADecidedFailureAreNotStarted() async {
        let gauge = Gauge()
        var lines = [
            PreparedLine(
                line: ConfigLine(
                    file: "lbclient.conf", lineNumber: 1, text: "load constant -1", verb: .load,
                    keyword: .constant, arguments: "-1", argumentsColumn: 15),
                check: FailingCheck())
        ]
        lines += (2...100).map { number in
            PreparedLine(
                line: ConfigLine(
                    file: "lbclient.conf", lineNumber: number, text: "check command x", verb: .check,
                    keyword: .command, arguments: "x", argumentsColumn: 15),
                check: GaugedCheck(running: gauge))
        }
        let report = await FileEvaluator(maximumConcurrentLines: 4).evaluate(
            lines, for: ConfigMapping(path: "lbclient.conf", aliases: ["a"], isAliasSpecific: false),
            context: CheckContext(system: SystemEnvironment()))
        #expect(report.value == -16)
        #expect(gauge.total < 10)
    }
}
