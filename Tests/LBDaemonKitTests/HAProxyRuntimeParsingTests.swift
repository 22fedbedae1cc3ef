import LBCore
import Testing

@testable import LBDaemonKit

/// The readers of HAProxy's runtime API answers: real answers of HAProxy 2.6, malformed ones,
/// and random bytes, which give an error and never a trap or a hang.
@Suite struct HAProxyRuntimeParsingTests {
    static let header =
        "# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight "
        + "srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state "
        + "srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl "
        + "srv_check_port srv_check_addr srv_agent_addr srv_agent_port"

    /// What HAProxy 2.6.12 wrote for `prompt`, `show servers state web`, two `set server`, a
    /// refused weight and `del server`, then `quit`.
    static let promptTranscript =
        "\n> 1\n\(header)\n3 web 1 static1 127.0.0.1 2 0 10 10 1 1 0 2 0 0 0 0 - 18081 - 0 0 - - 0\n"
        + "3 web 2 lbd-a 127.0.0.2 2 8 7 5 0 1 0 0 0 0 0 0 - 18081 - 0 0 - - 0\n\n> \n> \n> "
        + "Absolute weight can only be between 0 and 256 inclusive.\n\n> Server deleted.\n> "

    @Test func promptModeAnswersAreSplitAtThePrompts() throws {
        let answers = try HAProxyRuntimeAnswers.split(Self.promptTranscript, expected: 5)
        #expect(answers.count == 5)
        #expect(answers[0].hasPrefix("1\n# be_id"))
        #expect(answers[1] == "" && answers[2] == "")
        #expect(answers[3] == "Absolute weight can only be between 0 and 256 inclusive.")
        #expect(answers[4] == "Server deleted.")
    }

    @Test func aTranscriptCutShortIsAnError() {
        #expect(throws: HAProxyRuntimeError.self) {
            try HAProxyRuntimeAnswers.split("\n> \n> ", expected: 3)
        }
        #expect(throws: HAProxyRuntimeError.self) {
            try HAProxyRuntimeAnswers.split("\n> \n> half an answer", expected: 1)
        }
        #expect(throws: HAProxyRuntimeError.self) { try HAProxyRuntimeAnswers.split("", expected: 1) }
    }

    @Test func serversStateIsReadByColumnName() throws {
        let answers = try HAProxyRuntimeAnswers.split(Self.promptTranscript, expected: 5)
        let servers = try HAProxyServerState.parse(answers[0], backend: "web")
        #expect(
            servers == [
                HAProxyServerState(
                    name: "static1", address: "127.0.0.1", port: 18081, operationalState: 2, adminState: 0,
                    weight: 10),
                HAProxyServerState(
                    name: "lbd-a", address: "127.0.0.2", port: 18081, operationalState: 2, adminState: 8,
                    weight: 7),
            ])
        #expect(servers[1].isDraining && !servers[1].isInMaintenance)
    }

    @Test func anUnknownBackendAndBrokenTablesAreTypedErrors() {
        func code(_ text: String) -> HAProxyRuntimeError.Code? {
            do {
                _ = try HAProxyServerState.parse(text, backend: "web")
                return nil
            } catch {
                return error.code
            }
        }
        #expect(code("Can't find backend.\n") == .unknownBackend)
        #expect(code("") == .malformedAnswer)
        #expect(code("2\n\(Self.header)\n") == .malformedAnswer)
        #expect(code("1\nno header\n") == .malformedAnswer)
        #expect(code("1\n# be_id be_name\n") == .malformedAnswer)
        #expect(code("1\n\(Self.header)\n3 web 1 short\n") == .malformedAnswer)
        #expect(
            code("1\n\(Self.header)\n3 web 1 s 127.0.0.1 x 0 10 10 1 1 0 2 0 0 0 0 - 80 - 0 0 - - 0\n")
                == .malformedAnswer)
        #expect(code("1\n\(Self.header)\n") == nil)
    }

    @Test func showInfoGivesThePidAndStartTime() throws {
        let info = try HAProxyProcessInfo.parse(
            "Name: HAProxy\nVersion: 2.6.12\nPid: 13068\nUptime_sec: 1\nStart_time_sec: 1796451894\n")
        #expect(info == HAProxyProcessInfo(pid: 13068, startTime: 1_796_451_894))
        #expect(throws: HAProxyRuntimeError.self) { try HAProxyProcessInfo.parse("Name: HAProxy\nPid: x\n") }
    }

    @Test func commandsAreCheckedAgainstTheirSuccessfulAnswer() throws {
        try HAProxyCommand("set server web/a weight 3").check("")
        try HAProxyCommand("del server web/a", success: .startsWith(["Server deleted"])).check(
            "Server deleted.")
        #expect(throws: HAProxyRuntimeError.self) {
            try HAProxyCommand("set server web/a weight 3").check("No such server.")
        }
        #expect(throws: HAProxyRuntimeError.self) {
            try HAProxyCommand("add server web/a 1.2.3.4:80", success: .startsWith(["New server registered"]))
                .check("Permission denied")
        }
    }

    @Test func randomAndMutatedAnswersGiveErrorsNotTraps() {
        var random = SeededRandomNumberGenerator(seed: 15)
        let alphabet = Array("> \n\r#:0123456789abc-_.web1lbd-aPidStart_time_sec".utf8)
        let seeds = [
            Self.promptTranscript,
            "1\n\(Self.header)\n3 web 1 s 127.0.0.1 2 0 1 1 1 1 0 2 0 0 0 0 - 80 - 0 0 - - 0\n",
        ]
        for round in 0..<3000 {
            var bytes: [UInt8]
            if round % 2 == 0 {
                bytes = (0..<Int.random(in: 0...300, using: &random)).map { _ in
                    Bool.random(using: &random)
                        ? alphabet.randomElement(using: &random)! : UInt8.random(in: 0...255, using: &random)
                }
            } else {
                bytes = Array(seeds[round / 2 % seeds.count].utf8)
                for _ in 0..<Int.random(in: 1...8, using: &random) where !bytes.isEmpty {
                    let index = Int.random(in: 0..<bytes.count, using: &random)
                    switch Int.random(in: 0..<3, using: &random) {
                    case 0: bytes[index] = alphabet.randomElement(using: &random)!
                    case 1: bytes.remove(at: index)
                    default: bytes.insert(UInt8.random(in: 0...255, using: &random), at: index)
                    }
                }
            }
            let text = String(decoding: bytes, as: UTF8.self)
            let answers =
                (try? HAProxyRuntimeAnswers.split(text, expected: Int.random(in: 0...5, using: &random))) ?? [
                    text
                ]
            for answer in answers {
                _ = try? HAProxyServerState.parse(answer, backend: "web")
                _ = try? HAProxyProcessInfo.parse(answer)
                _ = try? HAProxyCommand("x", success: .startsWith(["Server"])).check(answer)
            }
        }
    }
}
