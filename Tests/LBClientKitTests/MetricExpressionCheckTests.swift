import Foundation
import Testing

@testable import LBClientKit

@Suite("MetricExpressionCheck")
struct MetricExpressionCheckTests {
    /// `check <keyword> <arguments>` as line 3 of lbclient.conf.
    private func line(_ keyword: Keyword, _ arguments: String, verb: Verb = .check) -> ConfigLine {
        let prefix = "\(verb.rawValue) \(keyword.rawValue) "
        return ConfigLine(
            file: "lbclient.conf", lineNumber: 3, text: prefix + arguments, verb: verb, keyword: keyword,
            arguments: arguments, argumentsColumn: prefix.count + 1)
    }

    private func configError(_ keyword: Keyword, _ arguments: String, verb: Verb = .check)
        -> ClientConfigError?
    {
        do {
            _ = try MetricExpressionCheck(line: line(keyword, arguments, verb: verb))
            return nil
        } catch {
            return error as? ClientConfigError
        }
    }

    private func context(_ scratch: Scratch, timeout: Duration = .seconds(20)) -> CheckContext {
        CheckContext(
            system: SystemEnvironment(
                lemonCLI: scratch.path + "/lemon-cli", collectdctl: scratch.path + "/collectdctl",
                collectdSocket: scratch.path + "/collectd.sock"),
            timeout: timeout)
    }

    private func run(_ keyword: Keyword, _ arguments: String, verb: Verb = .check, in context: CheckContext)
        async throws -> CheckResult
    {
        let check = try MetricExpressionCheck(line: line(keyword, arguments, verb: verb))
        // A script written by a test can be briefly held open by a program another test is
        // spawning at that moment (ETXTBSY); that is the tests' race, not the check's.
        for _ in 0..<20 {
            do {
                return try await check.run(in: context)
            } catch let error as CheckError where error.message.contains("Text file busy") {
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        return try await check.run(in: context)
    }

    private func checkError(_ keyword: Keyword, _ arguments: String, in context: CheckContext) async
        -> CheckError?
    {
        do {
            _ = try await run(keyword, arguments, in: context)
            return nil
        } catch {
            return error as? CheckError
        }
    }

    private func log(_ scratch: Scratch, _ name: String) -> String {
        (try? String(contentsOfFile: scratch.path + "/" + name, encoding: .utf8)) ?? ""
    }

    /// A lemon-cli that records its arguments and prints `output`.
    @discardableResult
    private func fakeLemon(_ scratch: Scratch, output: String, status: Int = 0) throws -> String {
        try scratch.write("lemon-output", output)
        return try scratch.script(
            "lemon-cli",
            """
            printf '%s|' "$@" >> '\(scratch.path)/lemon.log'
            echo >> '\(scratch.path)/lemon.log'
            cat '\(scratch.path)/lemon-output'
            exit \(status)
            """)
    }

    /// A collectdctl that records its arguments and knows a few identifiers.
    private func fakeCollectdctl(_ scratch: Scratch) throws {
        try scratch.script(
            "collectdctl",
            """
            echo "$*" >> '\(scratch.path)/collectdctl.log'
            case "$2" in
            load/load-relative) printf 'shortterm=1.500000e+00\\nmidterm=5\\nlongterm=-1\\n' ;;
            irq/irq-15) echo 'value=nan' ;;
            node1.cern.ch/cpu-0/cpu-idle) echo 'value=9.840000e+01' ;;
            *) echo "ERROR: No such value" >&2; exit 1 ;;
            esac
            """)
    }

    // MARK: Configuration errors

    @Test func emptyExpressionIsAConfigurationError() {
        #expect(configError(.lemon, "")?.message.hasPrefix("detected a check without metrics") == true)
        #expect(
            configError(.collectd, "  ", verb: .load)?.message.hasPrefix("detected a load without metrics")
                == true)
    }

    @Test func syntaxErrorsAreLocatedOnTheLine() throws {
        let error = try #require(configError(.lemon, "[13163] # c"))
        #expect(error.file == "lbclient.conf")
        #expect(error.line == 3)
        #expect(error.column == "check lemon ".count + 9)
        #expect(error.message.contains("invalid token '#'"))
        #expect(configError(.collectd, "[a/b] > 2b")?.column == "check collectd ".count + 10)
    }

    @Test func badReferencesAreConfigurationErrors() throws {
        #expect(configError(.lemon, "[13163] + [13423:x]")?.column == "check lemon ".count + 11)
        #expect(configError(.lemon, "[13423:0] > 1")?.message.contains("start at 1") == true)
        let emptyAnchor = try #require(configError(.collectd, "[load/load-relative:] > 1"))
        #expect(emptyAnchor.message.hasPrefix("empty anchor"))
        #expect(emptyAnchor.column == "check collectd ".count + 1)
        // A name without a slash is golbclient's too (`[X:1]`, `[Y]`): it goes to collectdctl as it is.
        #expect(configError(.collectd, "[load] > 1") == nil)
        #expect(configError(.collectd, "[a/b/c/d] > 1") != nil)
        #expect(configError(.collectd, "[a//b] > 1") != nil)
    }

    @Test func onlyMetricKeywordsTakeExpressions() {
        #expect(configError(.nologin, "[1] > 0") != nil)
    }

    // MARK: Lemon

    @Test func lemonRunsOncePerLineWithEveryID() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try fakeLemon(scratch, output: "node1 13163 1700000000 1\nnode1 13423 1700000000 22 23\n")
        let result = try await run(
            .lemon, "[13163] + [13423:2] * 2 + _13163 - _13423:2 * 0", in: context(scratch))
        #expect(result.value == 48)
        #expect(log(scratch, "lemon.log") == "--script|-m|13163 13423|\n")
    }

    @Test func lemonIndicesOfAnyLengthAndBooleanValues() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let values = (1...12).map(String.init).joined(separator: " ")
        try fakeLemon(scratch, output: "h 5 0 \(values)\nh 7 0 true f\nh 8 0 abc\n")
        let context = context(scratch)
        #expect(try await run(.lemon, "[5:12]", in: context).value == 12)
        #expect(try await run(.lemon, "[7] * 10 + [7:2]", in: context).value == 9)
        #expect(try await run(.lemon, "[8] == -1", in: context).value == 1)
    }

    @Test func lemonLastLineForAnIDWins() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try fakeLemon(scratch, output: "h 5 0 1\n\nh 5 0 2\n")
        #expect(try await run(.lemon, "[5]", in: context(scratch)).value == 2)
    }

    @Test func lemonResultsConvertToLineValues() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try fakeLemon(scratch, output: "h 12521 0 0.12\n")
        let context = context(scratch)
        #expect(try await run(.lemon, "[12521] == 0.12", in: context).value == 1)
        #expect(try await run(.lemon, "[12521] > 1", in: context).value == -1)
        #expect(try await run(.lemon, "[12521] * 1000", in: context).value == 120)
        #expect(try await run(.lemon, "[12521] / 0", in: context).value == -1)
    }

    @Test func lemonWithoutReferencesIsNotCalled() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try fakeLemon(scratch, output: "")
        let result = try await run(.lemon, "5", verb: .load, in: context(scratch))
        #expect(result.value == 5)
        #expect(log(scratch, "lemon.log") == "")
    }

    @Test func lemonMissingMetricFailsOnlyWhenNeeded() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try fakeLemon(scratch, output: "h 13163 0 1\n")
        let context = context(scratch)
        #expect(try await run(.lemon, "[13163] > 0 || [99999] > 0", in: context).value == 1)
        let error = try #require(await checkError(.lemon, "[13163] < 0 || [99999] > 0", in: context))
        #expect(error.message.contains("no value for the metric [99999]"))
        #expect(error.message.contains("column 16"))
    }

    @Test func lemonProblemsAreErrorsNotCrashes() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let context = context(scratch)

        try fakeLemon(scratch, output: "h 13163\n")
        #expect(
            await checkError(.lemon, "[13163] > 0", in: context)?.message.contains("malformed line 1") == true
        )

        try fakeLemon(scratch, output: "h 13163 0 1\n")
        #expect(
            await checkError(.lemon, "[13163:3] > 0", in: context)?.message.contains("which has 1") == true)

        try fakeLemon(scratch, output: "  \n")
        #expect(
            await checkError(.lemon, "[13163] > 0", in: context)?.message.contains("printed nothing") == true)

        try fakeLemon(scratch, output: "h 13163 0 1\n", status: 3)
        #expect(
            await checkError(.lemon, "[13163] > 0", in: context)?.message.contains("exit status 3") == true)
    }

    @Test func missingLemonProgramIsAnError() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        #expect(
            await checkError(.lemon, "[1] > 0", in: context(scratch))?.message.contains("cannot run") == true)
    }

    @Test func listResultIsAnError() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        #expect(
            await checkError(.lemon, "1, 2", in: context(scratch))?.message.contains("gives a list") == true)
    }

    // MARK: collectd through collectdctl

    @Test func collectdctlIsQueriedOncePerIdentifier() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try fakeCollectdctl(scratch)
        let expression =
            "[load/load-relative:shortterm] + [load/load-relative:2] + [load/load-relative:3] + [load/load-relative]"
        let result = try await run(.collectd, expression, in: context(scratch))
        #expect(result.value == 7)
        #expect(log(scratch, "collectdctl.log") == "getval load/load-relative\n")
    }

    @Test func collectdIdentifiersWithDigitsDotsAndSlashes() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try fakeCollectdctl(scratch)
        let context = context(scratch)
        #expect(try await run(.collectd, "[node1.cern.ch/cpu-0/cpu-idle] * 1", in: context).value == 98)
        #expect(try await run(.collectd, "[irq/irq-15] > 0", in: context).value == -1)
        #expect(try await run(.collectd, "[irq/irq-15] != [irq/irq-15]", in: context).value == 1)
        #expect(try await run(.collectd, "[load/load-relative:longterm] < 0", in: context).value == 1)
    }

    @Test func collectdSelectionErrors() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try fakeCollectdctl(scratch)
        let context = context(scratch)
        #expect(
            await checkError(.collectd, "[load/load-relative:4] > 0", in: context)?.message.contains(
                "which has 3")
                == true)
        #expect(
            await checkError(.collectd, "[load/load-relative:nope] > 0", in: context)?.message.contains(
                "no value named 'nope'") == true)
        #expect(
            await checkError(.collectd, "[x/unknown] > 0", in: context)?.message.contains("No such value")
                == true)
    }

    @Test func collectdWithoutReferencesRunsNothing() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try fakeCollectdctl(scratch)
        #expect(try await run(.collectd, "5", verb: .load, in: context(scratch)).value == 5)
        #expect(log(scratch, "collectdctl.log") == "")
    }

    // MARK: collectd through its unixsock socket

    @Test func socketIsPreferredToCollectdctl() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try fakeCollectdctl(scratch)
        let server = try FakeCollectdServer(
            path: scratch.path + "/collectd.sock",
            answers: [
                "node1/load/load-relative":
                    "3 Values found\nshortterm=2.000000e+00\nmidterm=1\nlongterm=nan\n",
                "node1/interface-eth0/if_octets": "2 Values found\nrx=1.000000e+03\ntx=-5\n",
            ])
        defer { server.stop() }
        let expression =
            "[node1/load/load-relative:shortterm] * 10 + [node1/interface-eth0/if_octets:tx] + [node1/load/load-relative:2]"
        let result = try await run(.collectd, expression, in: context(scratch))
        #expect(result.value == 16)
        #expect(
            server.requests == [
                #"GETVAL "node1/load/load-relative""#, #"GETVAL "node1/interface-eth0/if_octets""#,
            ])
        #expect(server.connections == 1)
        #expect(log(scratch, "collectdctl.log") == "")
    }

    @Test func socketGetsTheHostNameWhenTheIdentifierHasNone() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let host = CollectdSocketClient.localHostName()
        let server = try FakeCollectdServer(
            path: scratch.path + "/collectd.sock",
            answers: ["\(host)/load/load": "1 Value found\nshortterm=0.5\n"])
        defer { server.stop() }
        #expect(try await run(.collectd, "[load/load] * 4", in: context(scratch)).value == 2)
        #expect(server.requests == ["GETVAL \"\(host)/load/load\""])
    }

    @Test func socketErrorStatusIsAnError() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let server = try FakeCollectdServer(path: scratch.path + "/collectd.sock", answers: [:])
        defer { server.stop() }
        let error = try #require(await checkError(.collectd, "[h/p/t] > 0", in: context(scratch)))
        #expect(error.message == "collectd has no value h/p/t: No such value")
    }

    @Test func socketAnswersAreBoundedByTheTimeout() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let server = try FakeCollectdServer(path: scratch.path + "/collectd.sock", answers: ["h/p/t": ""])
        defer { server.stop() }
        let started = ContinuousClock.now
        let error = try #require(
            await checkError(.collectd, "[h/p/t] > 0", in: context(scratch, timeout: .milliseconds(300))))
        #expect(error.message.contains("did not answer in time"))
        #expect(started.duration(to: .now) < .seconds(10))
    }

    @Test func regularFileIsNotASocket() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try fakeCollectdctl(scratch)
        try scratch.write("collectd.sock", "not a socket")
        #expect(try await run(.collectd, "[irq/irq-15] > 0", in: context(scratch)).value == -1)
        #expect(log(scratch, "collectdctl.log") == "getval irq/irq-15\n")
    }
}
