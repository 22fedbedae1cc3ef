import Foundation
import LBTestSupport
import Testing

/// `lbclient agent` and `lbclient snmpd-conf` against net-snmp: the agent enforces what its
/// access file says, a password with quotes, backslashes and blanks works for snmpd and for the
/// agent alike, and `--cache-time 0` evaluates for every request.
@Suite("lbclient agent access with net-snmp", .serialized)
struct AgentAccessInteropTests {
    /// Quotes, a backslash, blanks, a `#`: every character snmpd.conf treats specially.
    static let nastyPassword = #"a"b\c d'e #f"#
    static let loadOID = ".1.3.6.1.4.1.96.255.1"

    /// A node whose only file counts its evaluations in `evaluations` and answers 250.
    private func makeNode(_ scratch: Scratch) throws -> [String] {
        try scratch.write(
            "etc/lbclient.conf", "check command echo x >> \(scratch.path)/evaluations\nload constant 250\n")
        try scratch.write("etc/lbaliases", "lbalias=a.example.org\n")
        return [
            "--cm", scratch.path + "/etc", "--ca", scratch.path + "/etc/lbaliases", "--root", scratch.path,
        ]
    }

    private func startAgent(_ scratch: Scratch, access: String, extra: [String] = []) throws -> (
        PeerProcess, Int
    ) {
        let file = try scratch.write("agent.conf", access)
        let port = try Peers.freeUDPPort()
        let agent = try PeerProcess(
            LBClientBinary.path,
            [
                "agent", "--listen", "127.0.0.1:\(port)", "--snmp-config", file, "--log-file",
                scratch.path + "/agent.log",
            ]
                + extra + (try makeNode(scratch)))
        return (agent, port)
    }

    /// snmpget's answer for the load OID, or its error output when it failed.
    private func get(_ port: Int, _ credentials: [String], timeout: String = "2") throws -> (
        ok: Bool, text: String
    ) {
        let run = try Peers.run(
            Peers.find("snmpget")!,
            credentials + ["-On", "-t", timeout, "-r", "0", "127.0.0.1:\(port)", Self.loadOID], timeout: 30)
        let text = (run.status == 0 ? run.output : run.errors).trimmingCharacters(in: .whitespacesAndNewlines)
        return (run.status == 0 && !text.contains("Error"), text)
    }

    /// Polls with `credentials` until the agent answers (it takes a moment to start).
    private func waitUntilAnswering(_ port: Int, _ credentials: [String], name: String) throws {
        for _ in 0..<50 {
            if try get(port, credentials, timeout: "0.2").ok { return }
        }
        throw PeerError("\(name) did not answer on port \(port)")
    }

    private func v3(_ user: String, level: String, auth: String, _ password: String, privacy: String? = nil)
        -> [String]
    {
        var arguments = ["-v3", "-u", user, "-l", level, "-a", auth, "-A", password]
        if let privacy { arguments += ["-x", "AES", "-X", privacy] }
        return arguments
    }

    @Test func cacheTimeZeroEvaluatesForEveryRequest() throws {
        guard Peers.available("snmpget") else { return }
        let scratch = try Scratch()
        defer { scratch.remove() }
        let (agent, port) = try startAgent(
            scratch, access: "rocommunity public 127.0.0.1\n", extra: ["--cache-time", "0"])
        defer { agent.stop() }
        let v2c = ["-v2c", "-c", "public"]
        try waitUntilAnswering(port, v2c, name: "the lbclient agent")
        let before = evaluations(scratch)
        for _ in 0..<5 {
            #expect(try get(port, v2c).text == "\(Self.loadOID) = INTEGER: 250")
            Thread.sleep(forTimeInterval: 0.3)
        }
        // With the default 10 s cache these five requests would all get the first answer.
        #expect(
            evaluations(scratch) - before >= 4, "evaluations: \(evaluations(scratch)) (before: \(before))")
    }

    private func evaluations(_ scratch: Scratch) -> Int {
        ((try? String(contentsOfFile: scratch.path + "/evaluations", encoding: .utf8)) ?? "")
            .split(separator: "\n").count
    }

    @Test func aNastyPasswordWorksWithSnmpdAndWithTheAgent() throws {
        guard Peers.available("snmpd", "snmpget") else { return }
        let scratch = try Scratch()
        defer { scratch.remove() }
        let node = try makeNode(scratch)
        let snippet = try Peers.run(
            LBClientBinary.path,
            [
                "snmpd-conf", "--password", Self.nastyPassword, "--community", #"pub"lic x"#,
                "--community-source", "127.0.0.1",
                "--command", ([LBClientBinary.path] + node + ["--cache-time", "0"]).joined(separator: " "),
            ])
        #expect(snippet.status == 0, "\(snippet.errors)")
        let credentials = v3("loadbalancing", level: "authNoPriv", auth: "MD5", Self.nastyPassword)
        let community = ["-v2c", "-c", #"pub"lic x"#]

        let port = try Peers.freeUDPPort()
        let configFile = try scratch.write("snmpd/snmpd.conf", snippet.output)
        let snmpd = try PeerProcess(
            Peers.find("snmpd")!,
            ["-f", "-Lo", "-C", "-c", configFile, "-I", "-smux", "udp:127.0.0.1:\(port)"],
            environment: ["SNMP_PERSISTENT_DIR": scratch.path + "/snmpd/persist", "MIBS": ""])
        defer { snmpd.stop() }
        try waitUntilAnswering(port, credentials, name: "snmpd")
        #expect(try get(port, credentials).text == "\(Self.loadOID) = INTEGER: 250")
        #expect(try get(port, community).text == "\(Self.loadOID) = INTEGER: 250")
        #expect(!(try get(port, v3("loadbalancing", level: "authNoPriv", auth: "MD5", "a\"b\\c d'e")).ok))

        // The same lines, without snmpd's pass_persist, are the agent's access file.
        let access = snippet.output.split(separator: "\n").filter { !$0.hasPrefix("pass") }.joined(
            separator: "\n")
        let (agent, agentPort) = try startAgent(scratch, access: access)
        defer { agent.stop() }
        try waitUntilAnswering(agentPort, credentials, name: "the lbclient agent")
        #expect(try get(agentPort, credentials).text == "\(Self.loadOID) = INTEGER: 250")
        #expect(try get(agentPort, community).text == "\(Self.loadOID) = INTEGER: 250")
    }

    /// Needs the agent to see each request's source address (see SNMPAgentAccess).
    @Test func theAgentEnforcesSourceNetworksFamiliesAndSecurityLevels() throws {
        guard Peers.available("snmpget") else { return }
        let scratch = try Scratch()
        defer { scratch.remove() }
        let (agent, port) = try startAgent(
            scratch,
            access: """
                rocommunity public 10.0.0.0/8
                rocommunity6 six
                rocommunity local 127.0.0.0/8
                createUser secure SHA-256 "auth-password" AES "privacy-password"
                rouser secure priv
                """)
        defer { agent.stop() }
        try waitUntilAnswering(port, ["-v2c", "-c", "local"], name: "the lbclient agent")
        let authPriv = v3(
            "secure", level: "authPriv", auth: "SHA-256", "auth-password", privacy: "privacy-password")
        #expect(try get(port, authPriv).text == "\(Self.loadOID) = INTEGER: 250")
        // From 127.0.0.1: not in 10.0.0.0/8, and not IPv6.
        #expect(try get(port, ["-v2c", "-c", "public"], timeout: "0.5").text.contains("Timeout"))
        #expect(try get(port, ["-v2c", "-c", "six"], timeout: "0.5").text.contains("Timeout"))
        // rouser ... priv: authNoPriv is refused even with the right password.
        let authNoPriv = try get(port, v3("secure", level: "authNoPriv", auth: "SHA-256", "auth-password"))
        #expect(!authNoPriv.ok)
        #expect(authNoPriv.text.contains("authorizationError"), "\(authNoPriv.text)")
        for _ in 0..<20 { _ = try get(port, ["-v2c", "-c", "public"], timeout: "0.1") }
        kill(agent.pid, SIGTERM)
        #expect(agent.waitForExit(timeout: 10) == 0)
        let log = (try? String(contentsOfFile: scratch.path + "/agent.log", encoding: .utf8)) ?? ""
        let refusals = log.split(separator: "\n").filter { $0.contains("refused") }
        // One line for 127.0.0.1 (rate-limited), whatever the number of refused requests.
        #expect(refusals.count == 1, "\(log)")
        #expect(refusals.first?.contains("community `public` is not allowed from this address") == true)
    }
}
