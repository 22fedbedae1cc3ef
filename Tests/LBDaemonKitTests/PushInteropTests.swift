import DNS
import Foundation
import LBTestSupport
import Testing

/// The push fast path with real peers: two nodes, each a net-snmp `snmpd` running
/// `lbclient --pass-persist --notify` toward lbd's notification listener, and `lbd run` with
/// `polling_interval: 300` publishing to BIND by TSIG-signed UPDATE. Draining a node (the
/// nologin file) must change BIND's answer within seconds: only the push can do that, the next
/// scheduled poll is five minutes away.
@Suite(.serialized) struct PushInteropTests {
    static var available: Bool { Peers.available("snmpd", "snmpget", "named", "dig") }

    static let password = "lbd-push-snmp-password"
    static let alias = "www.lb.example"

    private func configuration(snmpPort: Int, notifyPort: Int, dnsPort: Int, secrets: [String]) -> String {
        """
        version: 1
        defaults:
          polling_interval: 300s
        aliases:
          \(Self.alias):
            members: [127.0.0.2, 127.0.0.3]
            best_hosts: 1
        snmp:
          version: v3
          port: \(snmpPort)
          user: loadbalancing
          auth_protocol: md5
          auth_password: \(Self.password)
          timeout: 1s
          retries: 1
          notifications:
            listen: 127.0.0.1:\(notifyPort)
            per_node_interval: 1s
            max_per_second: 50
        dns:
          server: 127.0.0.1:\(dnsPort)
          views:
            internal: {key_name: lb-internal., algorithm: hmac-md5, secret: \(secrets[0])}
            external: {key_name: lb-external., algorithm: hmac-md5, secret: \(secrets[1])}
        http:
          listen: off

        """
    }

    /// Reads `alias` until the answer is `expected` or `seconds` passed; the last answer.
    private func waitFor(_ expected: [String], within seconds: Int, _ read: () throws -> [String]) async
        -> (answer: [String]?, elapsed: Duration)
    {
        let start = ContinuousClock.now
        var last: [String]?
        while ContinuousClock.now < start + .seconds(seconds) {
            if let answer = try? read() {
                last = answer
                if answer == expected { break }
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return (last, ContinuousClock.now - start)
    }

    @Test func aDrainedNodeLeavesBindWithinSecondsThroughLbclientsNotification() async throws {
        guard Self.available else {
            if Peers.required { Issue.record("snmpd, named or dig is not installed") }
            return
        }
        let work = try Peers.temporaryDirectory("lbd-push")
        defer { try? FileManager.default.removeItem(at: work) }
        // lbclient takes its INFORM credentials from an access file in snmpd.conf syntax.
        let access = work.appendingPathComponent("notify.conf")
        try "createUser loadbalancing MD5 \"\(Self.password)\"\nrouser loadbalancing auth\n".write(
            to: access, atomically: true, encoding: .utf8)
        let notifyPort = try Peers.freeUDPPort()
        let snmpPort = try Peers.freeUDPPort()
        var nodes: [String: SnmpdNode] = [:]
        defer { nodes.values.forEach { $0.stop() } }
        for (address, load) in [("127.0.0.2", 10), ("127.0.0.3", 20)] {
            nodes[address] = try SnmpdNode(
                address: address, port: snmpPort, load: load, aliases: [Self.alias], password: Self.password,
                lbclientArguments: [
                    "--notify", "127.0.0.1:\(notifyPort)", "--snmp-config", access.path, "--notify-source",
                    address,
                    "--notify-interval", "200ms",
                ])
        }
        let secrets = (0..<2).map { _ in
            Data((0..<16).map { _ in UInt8.random(in: .min ... .max) }).base64EncodedString()
        }
        let internalKey = DNS.TSIGKey(
            name: try DomainName(parsing: "lb-internal."), algorithm: .hmacMD5, base64Secret: secrets[0])!
        let externalKey = DNS.TSIGKey(
            name: try DomainName(parsing: "lb-external."), algorithm: .hmacMD5, base64Secret: secrets[1])!
        let named = try await TwoViewNamed(
            aliases: [Self.alias], internalKey: internalKey, externalKey: externalKey)
        defer { named.stop() }
        let file = work.appendingPathComponent("lbd.yaml")
        try configuration(snmpPort: snmpPort, notifyPort: notifyPort, dnsPort: named.port, secrets: secrets)
            .write(to: file, atomically: true, encoding: .utf8)
        let lbd = try PeerProcess(
            try LBDCommandLineTests.executable(),
            [
                "run", "--config", file.path, "--log-format", "json", "--state-dir",
                work.appendingPathComponent("state").path,
            ])
        defer { lbd.stop() }
        let log = { "lbd: \(lbd.errorOutput.suffix(3000))" }
        let read = { try named.dig(Self.alias, "A", key: internalKey) }

        // The first round, at start.
        let first = await waitFor(["127.0.0.2"], within: 20, read)
        #expect(first.answer == ["127.0.0.2"], "\(log())")
        #expect(lbd.errorOutput.contains("listening for SNMP notifications"), "\(log())")

        try nodes["127.0.0.2"]!.drain()
        let drained = await waitFor(["127.0.0.3"], within: 10, read)
        #expect(
            drained.answer == ["127.0.0.3"],
            "\(log())\nlbclient: \(nodes["127.0.0.2"]!.lbclientLog.suffix(2000))")
        #expect(lbd.errorOutput.contains("push from 127.0.0.2: re-polling 1 alias(es)"), "\(log())")
        print("[push] a drained node left BIND after \(drained.elapsed)")

        kill(lbd.pid, SIGTERM)
        #expect(lbd.waitForExit(timeout: 15) == 0, "\(log())")
        #expect(lbd.errorOutput.contains("stopped listening for SNMP notifications"), "\(log())")
    }
}
