import Foundation
import LBTestSupport
import SNMP
import Testing

/// What `lbd run` says about a node it cannot use, in both log formats.
@Suite(.serialized) struct RunCommandLogTests {
    private func start(format: String) async throws -> (lbd: PeerProcess, agents: [SNMPAgent]) {
        let (agents, snmpPort) = try await LoopbackAgents.start([7, 5, 9])
        // Node .3 answers a Gauge32: golbd took it as a load; lbd must not, and must say why.
        agents[1].register(OID(".1.3.6.1.4.1.96.255.1")!, value: .gauge32(3))
        let dnsPort = try Peers.freeUDPAndTCPPort()
        let directory = try Peers.temporaryDirectory("lbd-run-log")
        let file = directory.appendingPathComponent("lbd.yaml")
        try """
        version: 1
        aliases:
          www.example.org:
            members: [127.0.0.2, 127.0.0.3, 127.0.0.4]
            best_hosts: 2
            polling_interval: 1s
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

        """.write(to: file, atomically: true, encoding: .utf8)
        let lbd = try PeerProcess(
            try LBDCommandLineTests.executable(),
            [
                "run", "--config", file.path, "--log-format", format, "--state-dir",
                directory.appendingPathComponent("state").path,
            ])
        return (lbd, agents)
    }

    /// The stderr lines of `lbd` once one contains `needle`, waiting 15 s at most.
    private func lines(of lbd: PeerProcess, containing needle: String) async throws -> [Substring] {
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline {
            let found = lbd.errorOutput.split(separator: "\n").filter { $0.contains(needle) }
            if !found.isEmpty { return found }
            try await Task.sleep(for: .milliseconds(100))
        }
        return []
    }

    @Test func theTextLogNamesTheCauseAndPrintsTheFields() async throws {
        let (lbd, agents) = try await start(format: "text")
        defer { lbd.stop() }
        let cause = try await lines(of: lbd, containing: "127.0.0.3 is not usable")
        let line = try #require(cause.first, "\(lbd.errorOutput.suffix(3000))")
        #expect(
            line.contains(" warning www.example.org: 127.0.0.3 is not usable: wrong type Gauge32"), "\(line)")
        #expect(line.contains("error=wrong_type") && line.contains("node=127.0.0.3"), "\(line)")
        let decision = try #require(try await lines(of: lbd, containing: "www.example.org: updated").first)
        #expect(decision.contains("alias=www.example.org") && decision.contains("usable=2"), "\(decision)")
        // The two usable nodes are chosen; the Gauge32 is not a load.
        #expect(decision.contains("chosen=\"127.0.0.2 127.0.0.4\""), "\(decision)")
        #expect(!lbd.errorOutput.contains("[IPv4]"))
        for agent in agents { await agent.stop() }
    }

    @Test func theJSONLogCarriesNumbersAndTheErrorCode() async throws {
        let (lbd, agents) = try await start(format: "json")
        defer { lbd.stop() }
        let cause = try #require(
            try await lines(of: lbd, containing: "127.0.0.3 is not usable").first,
            "\(lbd.errorOutput.suffix(3000))")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(cause.utf8)) as? [String: Any])
        #expect(object["error"] as? String == "wrong_type")
        #expect(object["level"] as? String == "warning")
        let decision = try #require(try await lines(of: lbd, containing: "\"action\":\"updated\"").first)
        #expect(decision.contains("\"usable\":2"), "\(decision)")
        #expect(decision.contains("\"members\":3"), "\(decision)")
        #expect(decision.contains("\"unusable\":{\"127.0.0.3\":\"wrong_type\"}"), "\(decision)")
        for agent in agents { await agent.stop() }
    }
}
