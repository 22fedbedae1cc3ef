import Foundation
import Hummingbird
import LBTestSupport
import SNMP
import Testing

@testable import LBDaemonKit

/// `lbd explain` and the `_explain.<alias>` TXT answer against a running lbd (`Daemon.run` in
/// this process, agents of the SNMP library on 127.0.0.2-4 for the nodes), then from the state
/// directory once it stopped; dig asks the embedded server.
@Suite(.serialized) struct ExplainCommandTests {
    static let www = "www.example.org"

    static func configuration(
        snmpPort: Int, dnsPort: Int, httpPort: Int, explain: Bool, tokenFile: String? = nil
    ) -> String {
        """
        version: 1
        defaults:
          best_hosts: 2
          polling_interval: 1s
        aliases:
          \(www):
            members: [127.0.0.2, 127.0.0.3, 127.0.0.4]
        snmp:
          version: v2c
          community: public
          port: \(snmpPort)
          timeout: 500ms
          retries: 0
        dns:
          embedded:
            listen: 127.0.0.1:\(dnsPort)
            zone: example.org
            explain: \(explain)
        http:
          listen: 127.0.0.1:\(httpPort)
        \(tokenFile.map { "  token_file: \($0)\n" } ?? "")

        """
    }

    /// lbd running in this process with agents loaded 7, 5 and 9.
    struct Fixture {
        let directory: URL
        let state: URL
        let dnsPort: Int
        let httpPort: Int
        let agents: [SNMPAgent]
        let send: AsyncStream<DaemonSignal>.Continuation
        let task: Task<Void, any Error>

        var url: String { "http://127.0.0.1:\(httpPort)" }

        static func start(explain: Bool, token: String? = nil) async throws -> Fixture {
            let (agents, snmpPort) = try await LoopbackAgents.start([7, 5, 9])
            let dnsPort = try Peers.freeUDPAndTCPPort()
            let httpPort = try Peers.freeUDPAndTCPPort()
            let directory = try Peers.temporaryDirectory("lbd-explain")
            let file = directory.appendingPathComponent("lbd.yaml")
            let tokenFile = directory.appendingPathComponent("token")
            if let token { try token.write(to: tokenFile, atomically: true, encoding: .utf8) }
            try ExplainCommandTests.configuration(
                snmpPort: snmpPort, dnsPort: dnsPort, httpPort: httpPort, explain: explain,
                tokenFile: token == nil ? nil : tokenFile.path
            ).write(to: file, atomically: true, encoding: .utf8)
            let state = directory.appendingPathComponent("state")
            var logger = CapturedLog().logger
            logger.logLevel = .warning
            let daemon = Daemon(
                path: file.path, logger: logger, seed: 1, watchInterval: .seconds(3600),
                stateDirectory: state.path, instanceName: "lbd-explain-test")
            let (signals, send) = AsyncStream<DaemonSignal>.makeStream()
            let task = Task { try await daemon.run(signals: signals) }
            return Fixture(
                directory: directory, state: state, dnsPort: dnsPort, httpPort: httpPort, agents: agents,
                send: send, task: task)
        }

        func stopLBD() async throws {
            send.yield(.terminate)
            try await task.value
        }

        func stopAgents() async {
            for agent in agents { await agent.stop() }
            try? FileManager.default.removeItem(at: directory)
        }
    }

    func lbd(_ arguments: String...) async throws -> LBDCommandLineTests.Run {
        try await offThePool { try LBDCommandLineTests().lbd(arguments) }
    }

    /// `lbd explain ALIAS --url` once it prints a decision with `expected`, for at most 30 s.
    func explained(_ fixture: Fixture, containing expected: String, _ extra: String...) async throws
        -> LBDCommandLineTests.Run
    {
        var last: LBDCommandLineTests.Run?
        for _ in 0..<60 {
            let run = try await offThePool {
                try LBDCommandLineTests().lbd(
                    ["explain", Self.www, "--url", fixture.url, "--timeout", "2"] + extra)
            }
            if run.status == 0, run.stdout.contains(expected) { return run }
            last = run
            try await Task.sleep(for: .milliseconds(500))
        }
        return try #require(last)
    }

    /// `dig TXT NAME` against the embedded server: the whole answer text.
    func dig(_ name: String, port: Int, _ options: String...) async throws -> String {
        let dig = try #require(Peers.find("dig"))
        let run = try await offThePool {
            try Peers.run(
                dig, ["@127.0.0.1", "-p", String(port), name, "TXT", "+tries=1", "+time=2"] + options,
                timeout: 10)
        }
        #expect(run.status == 0, "\(run.errors)")
        return run.output
    }

    static let decided = """
          RANK  NODE       LOAD  DECISION    DETAIL
          2     127.0.0.2  7     chosen      127.0.0.2
          1     127.0.0.3  5     chosen      127.0.0.3
          3     127.0.0.4  9     ranked out  usable, but 2 less loaded member(s) were chosen

        """

    @Test func explainsFromTheRunningLBDThenFromTheStateDirectory() async throws {
        let fixture = try await Fixture.start(explain: true)
        do {
            let run = try await explained(
                fixture, containing: "www.example.org: publish 127.0.0.2 127.0.0.3\n")
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stdout.contains(Self.decided), "\(run.stdout)")
            #expect(run.stdout.contains("  embedded zone: "), "\(run.stdout)")
            #expect(run.stdout.contains(") by lbd-explain-test\n"), "\(run.stdout)")
            #expect(run.stdout.contains("published: yes"), "\(run.stdout)")
            #expect(run.stdout.contains("source: the running lbd at \(fixture.url)\n"), "\(run.stdout)")

            let json = try await lbd("explain", Self.www, "--url", fixture.url, "--json")
            #expect(json.status == 0)
            let detail = try InstanceStatus.makeDecoder().decode(
                AliasDetail.self, from: Data(json.stdout.utf8))
            #expect(detail.publish == ["127.0.0.2", "127.0.0.3"])

            let unknown = try await lbd("explain", "ww.example.org", "--url", fixture.url)
            #expect(unknown.status == 1)
            #expect(unknown.stderr.contains("no decision for alias 'ww.example.org'"), "\(unknown.stderr)")
            #expect(unknown.stderr.contains("close names: www.example.org"), "\(unknown.stderr)")

            // The TXT answer tells the same decision in one line, with TTL 0.
            if Peers.available("dig") {
                let answer = try await dig("_explain.\(Self.www).", port: fixture.dnsPort)
                #expect(answer.contains("status: NOERROR"), "\(answer)")
                #expect(
                    answer.contains(
                        "3/3 usable, best 2: 127.0.0.3 load 5, 127.0.0.2 load 7; 127.0.0.4: load 9, ranked out\""
                    ),
                    "\(answer)")
                #expect(
                    answer.range(
                        of: #"\n_explain\.www\.example\.org\.\s+0\s+IN\s+TXT\s+""#,
                        options: .regularExpression)
                        != nil, "\(answer)")
                // The A records are untouched and an unknown alias's name is still NXDOMAIN.
                #expect(
                    try await dig("_explain.nothing.example.org.", port: fixture.dnsPort).contains(
                        "status: NXDOMAIN"))
            }
        } catch {
            try? await fixture.stopLBD()
            await fixture.stopAgents()
            throw error
        }
        try await fixture.stopLBD()
        let decisions = fixture.state.appendingPathComponent("decisions.json").path
        #expect(FileManager.default.fileExists(atPath: decisions))

        // lbd is gone: --state-dir reads what it last decided, and so does a --url nobody answers.
        let stored = try await lbd("explain", Self.www, "--state-dir", fixture.state.path)
        #expect(stored.status == 0, "\(stored.stderr)")
        #expect(stored.stdout.hasPrefix("www.example.org: publish 127.0.0.2 127.0.0.3\n"), "\(stored.stdout)")
        #expect(stored.stdout.contains(Self.decided), "\(stored.stdout)")
        #expect(stored.stdout.contains(") by lbd-explain-test\n"))
        #expect(stored.stdout.contains("source: \(decisions), written "), "\(stored.stdout)")
        let fallback = try await lbd(
            "explain", Self.www, "--url", fixture.url, "--state-dir", fixture.state.path)
        #expect(fallback.status == 0, "\(fallback.stderr)")
        #expect(fallback.stdout.contains("source: \(decisions)"))
        let storedJSON = try await lbd("explain", Self.www, "--state-dir", fixture.state.path, "--json")
        #expect(storedJSON.status == 0)
        #expect(storedJSON.stdout.contains("\"best_hosts\" : 2"), "\(storedJSON.stdout)")
        let unknown = try await lbd("explain", "wwx.example.org", "--state-dir", fixture.state.path)
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("in \(decisions); close names: www.example.org"), "\(unknown.stderr)")

        // Nothing answers and no file: exit 2 naming both; a damaged file: exit 2 naming it.
        let empty = fixture.directory.appendingPathComponent("empty")
        let nothing = try await lbd("explain", Self.www, "--url", fixture.url, "--state-dir", empty.path)
        #expect(nothing.status == 2)
        #expect(
            nothing.stderr.contains("no lbd answers at \(fixture.url)/api/v1/aliases/www.example.org"),
            "\(nothing.stderr)")
        #expect(
            nothing.stderr.contains("there is no decisions file \(empty.path)/decisions.json"),
            "\(nothing.stderr)")
        try "{\"version\": 1, \"aliases\": [".write(toFile: decisions, atomically: true, encoding: .utf8)
        let damaged = try await lbd("explain", Self.www, "--state-dir", fixture.state.path)
        #expect(damaged.status == 2)
        #expect(damaged.stderr.contains("the decisions file \(decisions) is not lbd's"), "\(damaged.stderr)")
        await fixture.stopAgents()
    }

    @Test func withoutTheKeyTheExplainNameIsNXDOMAINAsBeforeAndATokenIsSent() async throws {
        guard Peers.available("dig") else { return }
        let fixture = try await Fixture.start(explain: false, token: "a-token-of-32-characters-or-so!!")
        do {
            let tokenFile = fixture.directory.appendingPathComponent("token").path
            _ = try await explained(
                fixture, containing: "www.example.org: publish 127.0.0.2 127.0.0.3\n", "--token-file",
                tokenFile)
            let refused = try await lbd("explain", Self.www, "--url", fixture.url)
            #expect(refused.status == 2)
            #expect(
                refused.stderr.contains("answered HTTP 401: give the bearer token with --token-file"),
                "\(refused.stderr)")
            let answer = try await dig("_explain.\(Self.www).", port: fixture.dnsPort)
            #expect(answer.contains("status: NXDOMAIN"), "\(answer)")
            #expect(!answer.contains("usable"))
        } catch {
            try? await fixture.stopLBD()
            await fixture.stopAgents()
            throw error
        }
        try await fixture.stopLBD()
        await fixture.stopAgents()
    }

    /// Something that is not lbd answers at the URL: garbage, an error, a garbage alias list, a
    /// flood. `lbd explain` exits 2 naming the URL and what was wrong, and does not fall back on
    /// the decisions file (only silence does).
    @Test func anAnswerThatIsNotLbdsExitsTwoNamingItAndReadsNoFile() async throws {
        let router = Router()
        router.get("api/v1/aliases/\(Self.www)") { _, _ in "<html>not json</html>" }
        router.get("failing/api/v1/aliases/\(Self.www)") { _, _ -> String in
            throw HTTPError(.internalServerError)
        }
        router.get("list/api/v1/aliases") { _, _ in "{\"nope\": 1}" }
        router.get("big/api/v1/aliases/\(Self.www)") { _, _ in
            String(repeating: " ", count: AliasExplanationClient.bodyLimit + 1)
        }
        let server = try await ForeignHTTPServer.start(router)
        defer { server.stop() }
        let url = server.baseURL
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("lbd-explain-\(UUID())")
            .path
        let cases = [
            ("", "\(url)/api/v1/aliases/\(Self.www) did not answer an lbd decision"),
            ("/failing", "\(url)/failing/api/v1/aliases/\(Self.www) answered HTTP 500"),
            ("/list", "\(url)/list/api/v1/aliases did not answer an lbd decision"),
            ("/big", "the answer is larger than 8 MiB"),
        ]
        for (prefix, expected) in cases {
            let run = try await lbd("explain", Self.www, "--url", url + prefix, "--state-dir", empty)
            #expect(run.status == 2, "\(prefix): \(run.stderr)")
            #expect(run.stdout.isEmpty)
            #expect(run.stderr.contains(expected), "\(prefix): \(run.stderr)")
            #expect(!run.stderr.contains("decisions file"), "\(prefix): \(run.stderr)")
        }
    }
}
