import Foundation
import Testing

@testable import LBClientKit

@Suite("CollectdAlarmsCheck")
struct CollectdAlarmsCheckTests {
    private static let fakeCollectdctl = """
        echo "$@" >> "$(dirname "$0")/calls.log"
        case "$2" in
          state=okay) printf 'node1/load/load\\nnode1/memory/memory-used\\n\\n' ;;
          state=warning) printf 'node1/df-root/percent_bytes-used\\r\\n' ;;
          state=failure) echo 'node1/cpu-0/cpu-idle' ;;
          state=broken) echo "cannot connect to collectd" >&2; exit 1 ;;
          *) ;;
        esac
        """

    private func run(_ arguments: String, collectdctl: String? = CollectdAlarmsCheckTests.fakeCollectdctl)
        async throws -> (CheckResult, [String])
    {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let program =
            try collectdctl.map { try scratch.script("bin/collectdctl", $0) } ?? scratch.path + "/bin/none"
        let check = try CollectdAlarmsCheck(line: CheckFixtures.line(.collectdAlarms, arguments))
        let result = try await check.run(in: CheckFixtures.context(root: scratch.path, collectdctl: program))
        let calls = (try? String(contentsOfFile: scratch.path + "/bin/calls.log", encoding: .utf8)) ?? ""
        return (result, calls.split(separator: "\n").map(String.init).sorted())
    }

    @Test func everyIdentifierInAnAcceptedStatePasses() async throws {
        let (result, calls) = try await run(
            #"[{"load/load": "okay", "df-root/percent_bytes-used": ["okay", "warning"]}, {"memory/memory-used": "okay"}]"#
        )
        #expect(result.passed, "\(result.detail)")
        #expect(result.value == 1)
        // One listval per distinct state.
        #expect(calls == ["listval state=okay", "listval state=warning"])
    }

    @Test func everyObjectIsChecked() async throws {
        // golbclient looked at the first object only and passed this.
        let (result, _) = try await run(#"[{"load/load": "okay"}, {"df-root/percent_bytes-used": "okay"}]"#)
        #expect(
            result
                == .fail(
                    "collectd value df-root/percent_bytes-used is not in state okay"))
    }

    @Test func wrongStateFails() async throws {
        let (result, _) = try await run(
            #"[{"cpu-0/cpu-idle": ["okay", "failure"]}, {"load/load": "failure"}]"#)
        #expect(result == .fail("collectd value load/load is in state okay, expected failure"))
        let (unknown, _) = try await run(#"[{"nothing/here": "okay"}]"#)
        #expect(!unknown.passed)
    }

    @Test func textAroundTheArrayIsIgnored() async throws {
        let (result, _) = try await run(#"x [{"load/load":"okay"}] && 1"#)
        #expect(result.passed)
    }

    @Test func collectdctlFailureIsAnError() async throws {
        let error = await #expect(throws: CheckError.self) {
            _ = try await run(#"[{"load/load": "broken"}]"#)
        }
        #expect(error?.message.contains("cannot connect to collectd") == true)
        await #expect(throws: CheckError.self) {
            _ = try await run(#"[{"load/load": "okay"}]"#, collectdctl: nil)
        }
    }

    @Test func listvalParsing() {
        let output = "node1/load/load\n\n  node1/a/b/c  \r\nno-slash-line\nnode1/\n"
        #expect(CollectdAlarmsCheck.identifiers(inListval: output) == ["load/load", "a/b/c", ""])
    }

    @Test func identifierOrderWithinAnObjectIsStable() throws {
        let check = try CollectdAlarmsCheck(
            line: CheckFixtures.line(.collectdAlarms, #"[{"b": "okay", "a": ["x", "y"]}, {"c": "z"}]"#))
        #expect(
            check.alarms == [
                .init(identifier: "a", acceptedStates: ["x", "y"]),
                .init(identifier: "b", acceptedStates: ["okay"]),
                .init(identifier: "c", acceptedStates: ["z"]),
            ])
    }

    @Test(
        arguments: [
            (#"{"a": "okay"}"#, "JSON array", 0),
            ("", "JSON array", 0),
            (#"[{"a": "okay"}"#, "JSON array", 0),
            ("[]", "lists no alarm", 0),
            ("[1]", "element 1 of the array is not an object", 0),
            (#"[{"a": "okay"}, "b"]"#, "element 2 of the array is not an object", 0),
            (#"x [{"a": 1}]"#, "the state of a must be a string", 4),
            (#"[{"a": ["okay", 2]}]"#, "the states of a must be strings", 2),
            (#"[{"a": []}]"#, "no state listed for a", 2),
            (#"[{"a": }]"#, "invalid JSON", 0),
        ])
    func configErrors(arguments: String, message: String, offset: Int) throws {
        let error = #expect(throws: ClientConfigError.self) {
            _ = try CollectdAlarmsCheck(line: CheckFixtures.line(.collectdAlarms, arguments))
        }
        #expect(error?.message.contains(message) == true, "\(error?.message ?? "")")
        #expect(error?.column == CheckFixtures.argumentsColumn + offset)
    }
}
