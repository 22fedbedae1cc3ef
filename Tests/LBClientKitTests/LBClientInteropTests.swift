import Foundation
import LBTestSupport
import Testing

/// lbclient as snmpd runs it (`pass`, `pass_persist`) and as its own agent, queried with
/// net-snmp's `snmpget`.
@Suite("lbclient interop with net-snmp", .serialized)
struct LBClientInteropTests {
    static let password = "password-md5"

    /// A node's configuration: a default file and, optionally, an alias-specific one.
    private func makeNode(_ scratch: Scratch, specific: Bool) throws -> [String] {
        try scratch.write("etc/lbclient.conf", "check nologin\nload constant 250\n")
        if specific {
            try scratch.write(
                "etc/lbclient.conf.b.example.org",
                "check command test -e \(scratch.path)/drain && exit 1 || exit 0\nload constant 40\n")
            try scratch.write("etc/lbaliases", "lbalias=a.example.org\nlbalias=b.example.org\n")
        } else {
            try scratch.write("etc/lbaliases", "lbalias=a.example.org\n")
        }
        return [
            LBClientBinary.path, "--cm", scratch.path + "/etc", "--ca", scratch.path + "/etc/lbaliases",
            "--root",
            scratch.path, "--cache-time", "0",
        ]
    }

    private func startSnmpd(_ scratch: Scratch, directive: String) throws -> (PeerProcess, Int) {
        let port = try Peers.freeUDPPort()
        let config = """
            rocommunity public 127.0.0.1
            createUser loadbalancing MD5 "\(Self.password)"
            rouser loadbalancing auth
            \(directive)

            """
        let configFile = try scratch.write("snmpd/snmpd.conf", config)
        let snmpd = try PeerProcess(
            Peers.find("snmpd")!,
            ["-f", "-Lo", "-C", "-c", configFile, "-I", "-smux", "udp:127.0.0.1:\(port)"],
            environment: ["SNMP_PERSISTENT_DIR": scratch.path + "/snmpd/persist", "MIBS": ""])
        try waitUntilAnswering(port: port, oid: ".1.3.6.1.2.1.1.3.0", name: "snmpd")
        return (snmpd, port)
    }

    /// Polls `oid` with snmpget v2c until it answers (snmpd or our agent takes a moment to start).
    private func waitUntilAnswering(port: Int, oid: String, name: String) throws {
        for _ in 0..<100 {
            let probe = try Peers.run(
                Peers.find("snmpget")!,
                ["-v2c", "-c", "public", "-On", "-t", "0.2", "-r", "0", "127.0.0.1:\(port)", oid],
                timeout: 5)
            if probe.status == 0 { return }
        }
        throw PeerError("\(name) did not answer on port \(port)")
    }

    private func get(_ port: Int, v3 arguments: [String]? = nil) throws -> String {
        let credentials = arguments ?? ["-v2c", "-c", "public"]
        let run = try Peers.run(
            Peers.find("snmpget")!,
            credentials + ["-On", "-t", "10", "-r", "0", "127.0.0.1:\(port)", ".1.3.6.1.4.1.96.255.1"],
            timeout: 30)
        #expect(run.status == 0, "snmpget failed: \(run.errors)")
        return run.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private let v3MD5 = ["-v3", "-u", "loadbalancing", "-l", "authNoPriv", "-a", "MD5", "-A", password]

    @Test func passGivesTheIntegerOfOneFile() throws {
        guard Peers.available("snmpd", "snmpget") else { return }
        let scratch = try Scratch()
        defer { scratch.remove() }
        let command = try makeNode(scratch, specific: false).dropLast(2).joined(separator: " ")
        let (snmpd, port) = try startSnmpd(scratch, directive: "pass .1.3.6.1.4.1.96.255.1 \(command)")
        defer { snmpd.stop() }
        #expect(try get(port) == ".1.3.6.1.4.1.96.255.1 = INTEGER: 250")
        #expect(try get(port, v3: v3MD5) == ".1.3.6.1.4.1.96.255.1 = INTEGER: 250")
    }

    /// snmpd caches the output of a `pass` program for 30 s, so the failing value is checked
    /// with a node that is drained before snmpd first runs lbclient.
    @Test func passGivesTheStringOfSeveralFiles() throws {
        guard Peers.available("snmpd", "snmpget") else { return }
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.write("etc/nologin", "")
        let command = try makeNode(scratch, specific: true).dropLast(2).joined(separator: " ")
        let (snmpd, port) = try startSnmpd(scratch, directive: "pass .1.3.6.1.4.1.96.255.1 \(command)")
        defer { snmpd.stop() }
        let v2c = try get(port)
        #expect(v2c == #".1.3.6.1.4.1.96.255.1 = STRING: "b.example.org=40,a.example.org=-1""#)
        let v3 = try get(port, v3: v3MD5)
        #expect(v3 == #".1.3.6.1.4.1.96.255.1 = STRING: "b.example.org=40,a.example.org=-1""#)
    }

    @Test func passPersistAnswersFromOneLongRunningLbclient() throws {
        guard Peers.available("snmpd", "snmpget") else { return }
        let scratch = try Scratch()
        defer { scratch.remove() }
        let command = try makeNode(scratch, specific: true).joined(separator: " ")
        let log = scratch.path + "/lbclient.log"
        let (snmpd, port) = try startSnmpd(
            scratch,
            directive:
                "pass_persist .1.3.6.1.4.1.96.255.1 \(command) --pass-persist -d debug --log-file \(log)")
        defer { snmpd.stop() }
        #expect(try get(port) == #".1.3.6.1.4.1.96.255.1 = STRING: "b.example.org=40,a.example.org=250""#)
        #expect(
            try get(port, v3: v3MD5)
                == #".1.3.6.1.4.1.96.255.1 = STRING: "b.example.org=40,a.example.org=250""#)
        // With a cache time of 0 every request after the change starts a refresh; the value
        // follows within a couple of requests.
        try scratch.write("drain", "")
        var answer = ""
        for _ in 0..<20 {
            answer = try get(port)
            if answer.contains("-14") { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        #expect(answer == #".1.3.6.1.4.1.96.255.1 = STRING: "b.example.org=-14,a.example.org=250""#)
        if !answer.contains("-14") {
            Issue.record("lbclient log: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "none")")
        }
    }

    @Test func theAgentAnswersV2cAndV3() throws {
        guard Peers.available("snmpget") else { return }
        let scratch = try Scratch()
        defer { scratch.remove() }
        let command = try makeNode(scratch, specific: false)
        let access = try scratch.write(
            "agent.conf",
            """
            rocommunity public
            createUser loadbalancing MD5 "\(Self.password)"
            createUser secure SHA-256 "auth-password" AES "privacy-password"
            rouser loadbalancing
            rouser secure priv
            """)
        let port = try Peers.freeUDPPort()
        let agent = try PeerProcess(
            command[0],
            ["agent", "--listen", "127.0.0.1:\(port)", "--snmp-config", access] + command.dropFirst())
        defer { agent.stop() }
        try waitUntilAnswering(port: port, oid: ".1.3.6.1.4.1.96.255.1", name: "the lbclient agent")
        #expect(try get(port) == ".1.3.6.1.4.1.96.255.1 = INTEGER: 250")
        #expect(try get(port, v3: v3MD5) == ".1.3.6.1.4.1.96.255.1 = INTEGER: 250")
        let authPriv = [
            "-v3", "-u", "secure", "-l", "authPriv", "-a", "SHA-256", "-A", "auth-password", "-x", "AES",
            "-X", "privacy-password",
        ]
        #expect(try get(port, v3: authPriv) == ".1.3.6.1.4.1.96.255.1 = INTEGER: 250")
        let wrong = try Peers.run(
            Peers.find("snmpget")!,
            [
                "-v2c", "-c", "wrong", "-On", "-t", "0.5", "-r", "0", "127.0.0.1:\(port)",
                ".1.3.6.1.4.1.96.255.1",
            ])
        #expect(wrong.status != 0)
        kill(agent.pid, SIGTERM)
        #expect(agent.waitForExit(timeout: 10) == 0)
    }
}

/// The lbclient executable built next to the test binary.
enum LBClientBinary {
    static var path: String {
        let testBinary =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: testBinary).deletingLastPathComponent().appendingPathComponent("lbclient")
            .path
    }
}
