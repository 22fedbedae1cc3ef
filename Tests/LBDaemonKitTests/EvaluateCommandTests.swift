import DNS
import Foundation
import LBTestSupport
import NIOCore
import SNMP
import Testing

/// `lbd evaluate --once` end to end inside one machine: SNMP agents of the SNMP library on
/// 127.0.0.2-4 answer loads, our embedded DNS server takes the UPDATEs, and the built lbd polls,
/// decides and publishes.
@Suite(.serialized) struct EvaluateCommandTests {
    let cli = LBDCommandLineTests()
    let key = DNS.TSIGKey(
        name: try! DomainName(parsing: "lb-internal."), algorithm: .hmacSHA256, secret: Array(1...32))

    private func configuration(snmpPort: Int, dnsPort: Int) throws -> String {
        let file = try Peers.temporaryDirectory("lbd-evaluate").appendingPathComponent("lbd.yaml")
        try """
        version: 1
        aliases:
          www.example.org:
            members: [127.0.0.2, 127.0.0.3, 127.0.0.4]
            best_hosts: 2
            ttl: 90
        snmp:
          version: v2c
          community: public
          port: \(snmpPort)
          timeout: 1s
          retries: 1
        dns:
          server: 127.0.0.1:\(dnsPort)
          timeout: 1s
          retries: 1
          views:
            internal:
              key_name: lb-internal.
              algorithm: hmac-sha256
              secret: \(Data(key.secret).base64EncodedString())

        """.write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }

    /// Runs lbd on a Dispatch thread, so the in-process agents and server keep their threads.
    private func lbd(_ arguments: [String]) async throws -> LBDCommandLineTests.Run {
        let cli = self.cli
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try cli.lbd(arguments) }) }
        }
    }

    private func aliasEntry(_ output: String) throws -> [String: Any] {
        let document = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any]
        let aliases = try #require(document?["aliases"] as? [String: Any])
        return try #require(aliases["www.example.org"] as? [String: Any])
    }

    @Test func pollsDecidesAndPublishesOnlyWithoutDryRun() async throws {
        let (agents, snmpPort) = try await LoopbackAgents.start([7, 5, 9])
        let dns = try await EmbeddedUpdateServer(aliases: ["www.example.org"], keys: [key])
        let config = try configuration(snmpPort: snmpPort, dnsPort: dns.address.port!)

        let dry = try await lbd(["evaluate", "--once", "--dry-run", "--json", "--config", config])
        #expect(dry.status == 0, "\(dry.stderr)")
        let planned = try aliasEntry(dry.stdout)
        #expect(planned["publish"] as? [String] == ["127.0.0.2", "127.0.0.3"])
        let plannedDNS = try #require((planned["dns"] as? [[String: Any]])?.first)
        #expect(plannedDNS["target"] as? String == "internal view")
        #expect(plannedDNS["action"] as? String == "would-update")
        #expect(try await dns.records("www.example.org").isEmpty)

        let real = try await lbd(["evaluate", "--once", "--json", "--config", config])
        #expect(real.status == 0, "\(real.stderr)")
        let done = try #require((try aliasEntry(real.stdout)["dns"] as? [[String: Any]])?.first)
        #expect(done["action"] as? String == "updated")
        #expect(try await dns.records("www.example.org") == ["127.0.0.2 90", "127.0.0.3 90"])

        // Node 3 now fails its checks: it leaves the alias; node 4 comes in.
        agents[1].register(OID(".1.3.6.1.4.1.96.255.1")!, value: .integer(-14))
        let text = try await lbd(["evaluate", "--once", "--config", config])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("www.example.org: publish 127.0.0.2 127.0.0.4"))
        #expect(text.stdout.contains("internal view: updated (had 127.0.0.2 127.0.0.3, ttl 90)"))
        #expect(try await dns.records("www.example.org") == ["127.0.0.2 90", "127.0.0.4 90"])

        let again = try await lbd(["evaluate", "--once", "--config", config])
        #expect(again.stdout.contains("internal view: unchanged"))
        for agent in agents { await agent.stop() }
        await dns.stop()
    }

    @Test func withAStateDirectoryWhatWasPublishedIsRecordedAndADryRunRecordsNothing() async throws {
        let (agents, snmpPort) = try await LoopbackAgents.start([7, 5, 9])
        let dns = try await EmbeddedUpdateServer(aliases: ["www.example.org"], keys: [key])
        let config = try configuration(snmpPort: snmpPort, dnsPort: dns.address.port!)
        let state = try Peers.temporaryDirectory("lbd-evaluate-state")
        defer { try? FileManager.default.removeItem(at: state) }
        let file = state.appendingPathComponent("published-state.json")

        let dry = try await lbd([
            "evaluate", "--once", "--dry-run", "--config", config, "--state-dir", state.path,
        ])
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(!FileManager.default.fileExists(atPath: file.path))

        let real = try await lbd(["evaluate", "--once", "--config", config, "--state-dir", state.path])
        #expect(real.status == 0, "\(real.stderr)")
        let document = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any]
        let text = String(decoding: try Data(contentsOf: file), as: UTF8.self)
        #expect(document?["version"] as? Int == 1, "\(text)")
        #expect(text.contains("www.example.org") && text.contains("127.0.0.3"), "\(text)")
        for agent in agents { await agent.stop() }
        await dns.stop()
    }

    @Test func aDNSServerThatIsDownFailsThePublishingAndExitsOne() async throws {
        let (agents, snmpPort) = try await LoopbackAgents.start([7, 5, 9])
        // A port nothing listens on.
        let silent = try Peers.freeUDPAndTCPPort()
        let config = try configuration(snmpPort: snmpPort, dnsPort: silent)
        let run = try await lbd(["evaluate", "--once", "--config", config])
        #expect(run.status == 1)
        #expect(run.stdout.contains("www.example.org: publish 127.0.0.2 127.0.0.3"))
        #expect(run.stdout.contains("internal view: FAILED"))
        for agent in agents { await agent.stop() }
    }

    @Test func evaluateWithoutOnceIsRefused() async throws {
        let run = try await lbd(["evaluate", "--config", "/nonexistent.yaml"])
        #expect(run.status != 0)
        #expect(run.stderr.contains("--once"))
    }
}
