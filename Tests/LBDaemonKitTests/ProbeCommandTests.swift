import Foundation
import NIOCore
import SNMP
import Testing

/// `lbd probe` against an agent of the SNMP library serving the load OID.
@Suite struct ProbeCommandTests {
    let cli = LBDCommandLineTests()
    let user = USMUser(
        name: "loadbalancing", authentication: .init(.md5, password: "probe-password"),
        privacy: .init(.aes128, password: "probe-privacy"))

    /// Runs lbd on a Dispatch thread: blocking the few cooperative threads of a 2-core machine
    /// would starve the in-process agent the command talks to.
    private func lbd(_ arguments: String...) async throws -> LBDCommandLineTests.Run {
        let cli = self.cli
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try cli.lbd(arguments) })
            }
        }
    }

    private func withAgent(value: SNMPValue, _ body: (Int) async throws -> Void) async throws {
        let agent = SNMPAgent(
            configuration: SNMPAgentConfiguration(
                host: "127.0.0.1", port: 0, communities: ["public"], users: [user]))
        agent.register(OID(".1.3.6.1.4.1.96.255.1")!, value: value)
        let address = try await agent.start()
        defer { Task { await agent.stop() } }
        try await body(try #require(address.port))
    }

    @Test func v2cPrintsTheIntegerLoadAndExitsZero() async throws {
        try await withAgent(value: .integer(12)) { port in
            let run = try await lbd("probe", "127.0.0.1", "--port", String(port), "--v2c", "public")
            #expect(run.status == 0)
            #expect(run.stdout == "127.0.0.1: INTEGER 12 (usable load)\n")
        }
    }

    @Test func v3AuthPrivPrintsPerAliasLoads() async throws {
        try await withAgent(value: .string("www.example.org=5,api.example.org=-3")) { port in
            let run = try await lbd(
                "probe", "127.0.0.1", "--port", String(port), "--auth-pass", "probe-password", "--priv-pass",
                "probe-privacy")
            #expect(run.status == 0)
            #expect(
                run.stdout == "127.0.0.1: STRING \"www.example.org=5,api.example.org=-3\" (per-alias loads)\n"
            )
        }
    }

    @Test func aWrongPasswordIsNamedAndExitsOne() async throws {
        try await withAgent(value: .integer(12)) { port in
            let run = try await lbd(
                "probe", "127.0.0.1", "--port", String(port), "--auth-pass", "wrong-password", "--priv-pass",
                "probe-privacy", "--timeout", "5", "--retries", "0")
            #expect(run.status == 1)
            #expect(
                run.stdout.contains("127.0.0.1: error: wrong digest (usmStatsWrongDigests)"), "\(run.stdout)")
            #expect(run.stdout.hasSuffix("[wrong_digest]\n"), "\(run.stdout)")
        }
    }

    @Test func aSilentNodeTimesOutAndExitsOne() async throws {
        // A port an agent just released: nothing answers there.
        let agent = SNMPAgent(configuration: SNMPAgentConfiguration(host: "127.0.0.1", port: 0))
        let port = try #require(try await agent.start().port)
        await agent.stop()
        let run = try await lbd(
            "probe", "127.0.0.1", "--port", String(port), "--v2c", "public", "--timeout", "0.2", "--retries",
            "0")
        #expect(run.status == 1)
        #expect(run.stdout == "127.0.0.1: error: no answer (timeout after 1 attempt) [timeout]\n")
    }

    @Test(arguments: [
        (SNMPValue.gauge32(12), "wrong type Gauge32", "wrong_type"),
        (.timeTicks(12), "wrong type Timeticks", "wrong_type"),
        (.counter32(12), "wrong type Counter32", "wrong_type"),
    ])
    func aNumberOfAnotherTypeIsTheErrorLbdSeesNotALoad(value: SNMPValue, text: String, code: String)
        async throws
    {
        // lbd once published these as loads while probe said the node was ignored: both now
        // read the answer with the engine's probe.
        try await withAgent(value: value) { port in
            let run = try await lbd("probe", "127.0.0.1", "--port", String(port), "--v2c", "public")
            #expect(run.status == 1)
            #expect(run.stdout.hasPrefix("127.0.0.1: error: \(text)"), "\(run.stdout)")
            #expect(run.stdout.hasSuffix("[\(code)]\n"), "\(run.stdout)")
        }
    }

    @Test func aMissingObjectIsNamedWithAHint() async throws {
        let agent = SNMPAgent(
            configuration: SNMPAgentConfiguration(host: "127.0.0.1", port: 0, communities: ["public"]))
        let port = try #require(try await agent.start().port)
        defer { Task { await agent.stop() } }
        let run = try await lbd("probe", "127.0.0.1", "--port", String(port), "--v2c", "public")
        #expect(run.status == 1)
        #expect(run.stdout.contains("noSuchObject"), "\(run.stdout)")
        #expect(run.stdout.contains("is lbclient configured in snmpd?"))
        #expect(run.stdout.hasSuffix("[no_such_object]\n"))
    }

    @Test func v3WithoutAnAuthenticationPasswordIsRefusedNotACrash() async throws {
        let run = try await lbd("probe", "127.0.0.1")
        #expect(run.status == 64)
        #expect(run.stderr.contains("--auth-pass"), "\(run.stderr)")
        let user = try await lbd("probe", "127.0.0.1", "--v3-user", "lb")
        #expect(user.status == 64)
    }

    @Test func badOptionCombinationsAreRefused() async throws {
        let run = try await lbd("probe", "127.0.0.1", "--priv-pass", "only-privacy")
        #expect(run.status == 64)
        #expect(run.stderr.contains("--priv-pass needs --auth-pass"))
        let unknown = try await lbd("probe", "127.0.0.1", "--auth-proto", "sha224", "--auth-pass", "x")
        #expect(unknown.status == 64)
    }
}
