import DNS
import Foundation
import LBTestSupport
import NIOCore
import SNMP
import Testing

/// `lbd run` as a service manager runs it: agents of the SNMP library on 127.0.0.2-4 stand for
/// the nodes, lbd serves the alias from its embedded DNS server, and the test changes nodes, the
/// configuration and sends signals.
@Suite(.serialized) struct RunCommandTests {
    private func configuration(snmpPort: Int, dnsPort: Int, aliases: String) -> String {
        """
        version: 1
        defaults:
          best_hosts: 2
          polling_interval: 1s
        aliases:
        \(aliases)
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

        """
    }

    private let www = "  www.example.org:\n    members: [127.0.0.2, 127.0.0.3, 127.0.0.4]"
    private let api = "  api.example.org:\n    members: [127.0.0.3]"

    /// The A records of `name` once they equal `expected`, polling for at most 15 s; the last
    /// answer otherwise.
    private func waitFor(_ expected: [String], _ name: String, port: Int) async throws -> [String] {
        let server = try SocketAddress(ipAddress: "127.0.0.1", port: port)
        let client = DNSClient(options: DNSClient.Options(timeout: .milliseconds(300), retries: 0))
        var last: [String] = []
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline {
            if let answer = try? await client.query(try DomainName(parsing: name), type: .a, server: server) {
                last = answer.message.answers.compactMap { record in
                    if case .a(let address) = record.data { return "\(address)" }
                    return nil
                }.sorted()
                if last == expected { return last }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        return last
    }

    @Test func followsNodesReloadsAndStopsCleanly() async throws {
        let (agents, snmpPort) = try await LoopbackAgents.start([7, 5, 9])
        let dnsPort = try Peers.freeUDPAndTCPPort()
        let directory = try Peers.temporaryDirectory("lbd-run")
        let file = directory.appendingPathComponent("lbd.yaml")
        try configuration(snmpPort: snmpPort, dnsPort: dnsPort, aliases: www)
            .write(to: file, atomically: true, encoding: .utf8)
        let lbd = try PeerProcess(
            try LBDCommandLineTests.executable(),
            [
                "run", "--config", file.path, "--log-format", "json", "--state-dir",
                directory.appendingPathComponent("state").path,
            ])
        defer { lbd.stop() }

        // The two least loaded.
        #expect(
            try await waitFor(["127.0.0.2", "127.0.0.3"], "www.example.org.", port: dnsPort) == [
                "127.0.0.2", "127.0.0.3",
            ], "\(lbd.errorOutput.suffix(3000))")
        // Node .3 fails a check (lbclient answers -14): .4 takes its place.
        agents[1].register(OID(".1.3.6.1.4.1.96.255.1")!, value: .integer(-14))
        #expect(
            try await waitFor(["127.0.0.2", "127.0.0.4"], "www.example.org.", port: dnsPort) == [
                "127.0.0.2", "127.0.0.4",
            ])
        // Node .2 stops answering: only .4 is left.
        await agents[0].stop()
        #expect(try await waitFor(["127.0.0.4"], "www.example.org.", port: dnsPort) == ["127.0.0.4"])

        // A broken file (and a SIGHUP) is reported, and the running configuration keeps serving.
        try "aliases: [unclosed".write(to: file, atomically: true, encoding: .utf8)
        kill(lbd.pid, SIGHUP)
        try await Task.sleep(for: .seconds(2))
        #expect(lbd.isRunning)
        #expect(lbd.errorOutput.contains("the running one is kept"))
        #expect(try await waitFor(["127.0.0.4"], "www.example.org.", port: dnsPort) == ["127.0.0.4"])

        // A good file with one more alias is picked up without a signal.
        agents[1].register(OID(".1.3.6.1.4.1.96.255.1")!, value: .integer(3))
        try configuration(snmpPort: snmpPort, dnsPort: dnsPort, aliases: www + "\n" + api)
            .write(to: file, atomically: true, encoding: .utf8)
        #expect(try await waitFor(["127.0.0.3"], "api.example.org.", port: dnsPort) == ["127.0.0.3"])
        #expect(
            try await waitFor(["127.0.0.3", "127.0.0.4"], "www.example.org.", port: dnsPort) == [
                "127.0.0.3", "127.0.0.4",
            ])

        kill(lbd.pid, SIGTERM)
        #expect(lbd.waitForExit(timeout: 15) == 0)
        // JSON lines with the stable fields.
        let lines = lbd.errorOutput.split(separator: "\n")
        // Counts are JSON numbers and `unusable` an object: keep the text fields.
        let decisions = lines.compactMap { line -> [String: String]? in
            guard let data = line.data(using: .utf8),
                let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                object["alias"] as? String == "www.example.org", object["action"] as? String == "updated"
            else { return nil }
            #expect(object["members"] as? Int == 3, "counts are numbers: \(line)")
            return object.compactMapValues { $0 as? String }
        }
        #expect(!decisions.isEmpty, "\(lbd.errorOutput.suffix(2000))")
        // Node .3 answers a load again at the end: www has it back beside .4.
        #expect(decisions.last?["chosen"] == "127.0.0.3 127.0.0.4")
        #expect(decisions.last?["previous"] != nil)
        for agent in agents { await agent.stop() }
        try? FileManager.default.removeItem(at: directory)
    }

    @Test func aConfigurationThatDoesNotLoadStopsTheStartWithStatusOne() async throws {
        let directory = try Peers.temporaryDirectory("lbd-run")
        let file = directory.appendingPathComponent("lbd.yaml")
        try "aliases: [unclosed".write(to: file, atomically: true, encoding: .utf8)
        let run = try LBDCommandLineTests().lbd([
            "run", "--config", file.path, "--state-dir", directory.appendingPathComponent("state").path,
        ])
        #expect(run.status == 1)
        #expect(run.stderr.contains("lbd.yaml"))
        try? FileManager.default.removeItem(at: directory)
    }
}
