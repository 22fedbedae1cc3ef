import Foundation
import Testing

@testable import LBClientKit

/// golbclient's collectd references with a name and no slash (`[X:1]`, `[Y]`, `[test:out]`, as
/// in the seed paper's examples) reach collectdctl as written instead of being a configuration
/// error that answers -1.
@Suite("collectd names without a slash")
struct CollectdNameWithoutSlashTests {
    private func configLine(_ arguments: String, verb: Verb = .check) -> ConfigLine {
        let prefix = "\(verb.rawValue) collectd "
        return ConfigLine(
            file: "lbclient.conf", lineNumber: 1, text: prefix + arguments, verb: verb, keyword: .collectd,
            arguments: arguments, argumentsColumn: prefix.count + 1)
    }

    private func fakeCollectdctl(_ scratch: Scratch) throws {
        try scratch.script(
            "collectdctl",
            """
            echo "$*" >> '\(scratch.path)/collectdctl.log'
            case "$2" in
            X) printf 'first=3\\nsecond=4\\n' ;;
            Y) echo 'value=7' ;;
            test) printf 'in=1\\nout=2.5e+00\\n' ;;
            *) echo "ERROR: No such value" >&2; exit 1 ;;
            esac
            """)
    }

    private func run(_ arguments: String, verb: Verb = .check, scratch: Scratch) async throws -> CheckResult {
        let check = try MetricExpressionCheck(line: configLine(arguments, verb: verb))
        let context = CheckContext(
            system: SystemEnvironment(
                collectdctl: scratch.path + "/collectdctl", collectdSocket: scratch.path + "/collectd.sock"),
            timeout: .seconds(20))
        for _ in 0..<20 {
            do {
                return try await check.run(in: context)
            } catch let error as CheckError where error.message.contains("Text file busy") {
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        return try await check.run(in: context)
    }

    @Test func namesWithoutASlashGoToCollectdctlAsWritten() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try fakeCollectdctl(scratch)
        #expect(try await run("[X:1] == 3 && [X:2] == 4", scratch: scratch).value == 1)
        #expect(try await run("[Y] * 2", verb: .load, scratch: scratch).value == 14)
        #expect(try await run("[test:out] > 2", scratch: scratch).value == 1)
        let calls = (try? String(contentsOfFile: scratch.path + "/collectdctl.log", encoding: .utf8)) ?? ""
        #expect(calls == "getval X\ngetval Y\ngetval test\n")
    }

    @Test func theSocketIsNotAskedForANameItCannotTake() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try fakeCollectdctl(scratch)
        let server = try FakeCollectdServer(
            path: scratch.path + "/collectd.sock",
            answers: ["node1/load/load": "1 Value found\nshortterm=2\n"])
        defer { server.stop() }
        #expect(try await run("[node1/load/load] + [Y]", verb: .load, scratch: scratch).value == 9)
        #expect(server.requests == [#"GETVAL "node1/load/load""#])
        let calls = (try? String(contentsOfFile: scratch.path + "/collectdctl.log", encoding: .utf8)) ?? ""
        #expect(calls == "getval Y\n")
    }

    @Test func aWholeFileWithGolbclientsExamplesAnswersTheLoad() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try fakeCollectdctl(scratch)
        let path = try scratch.write(
            "lbclient.conf", "check collectd [X:1] > 2\nload collectd [Y] + [test:out]\n")
        let lines = try ClientEvaluator.load(path).get()
        let report = await FileEvaluator().evaluate(
            lines, for: ConfigMapping(path: path, aliases: ["a.example.org"], isAliasSpecific: false),
            context: CheckContext(
                system: SystemEnvironment(
                    collectdctl: scratch.path + "/collectdctl", collectdSocket: scratch.path + "/none")))
        #expect(report.value == 9, "\(report.reason)")
    }
}
