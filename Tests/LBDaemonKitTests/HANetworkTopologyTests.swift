import Foundation
import LBTestSupport
import Testing

/// The network namespace harness of the HA tests, checked with real programs: an `lbclient agent`
/// in one namespace answers `snmpget` from the other over the direct link, not when that link
/// is down, and again when it is up; both namespaces reach a node of the root namespace whatever
/// the direct link does; the root namespace does not forward between them; and nothing is left
/// behind.
@Suite(.serialized) struct HANetworkTopologyTests {
    static let loadOID = ".1.3.6.1.4.1.96.255.1"

    /// snmpget of the load OID from `namespace` (the root one when nil); whether it answered.
    static func answers(_ target: String, from namespace: NetworkNamespace?) throws -> Bool {
        let snmpget = try #require(Peers.find("snmpget"))
        let arguments = ["-v2c", "-c", "public", "-On", "-t", "0.5", "-r", "0", target, loadOID]
        let result =
            try namespace?.run(snmpget, arguments, timeout: 10) ?? Peers.run(snmpget, arguments, timeout: 10)
        return result.status == 0 && result.output.contains("INTEGER")
    }

    @Test func theDirectLinkCarriesTrafficOnlyWhileUpAndTheRootStaysReachable() async throws {
        guard NetworkLab.available(), Peers.available("snmpget") else { return }
        let topology = try HAPairTopology(nodes: 1)
        defer { topology.tearDown() }
        let names = [topology.a.name, topology.b.name]

        // A node in the root namespace, and an agent inside b on every address of b.
        let node = try HANode(address: topology.nodeAddresses[0], port: 1161, load: 7, aliases: ["x.ha.test"])
        defer { node.stop() }
        let scratch = try Peers.temporaryDirectory("ha-topology")
        defer { try? FileManager.default.removeItem(at: scratch) }
        try "check nologin\nload constant 9\n".write(
            to: scratch.appendingPathComponent("lbclient.conf"), atomically: true, encoding: .utf8)
        try "lbalias=x.ha.test\n".write(
            to: scratch.appendingPathComponent("lbaliases"), atomically: true, encoding: .utf8)
        try "rocommunity public 10.99.0.0/16\n".write(
            to: scratch.appendingPathComponent("access.conf"), atomically: true, encoding: .utf8)
        let agent = try topology.b.spawn(
            try LBClientExecutable.path(),
            [
                "agent", "--listen", "0.0.0.0:1161", "--snmp-config",
                scratch.appendingPathComponent("access.conf").path,
                "--cm", scratch.path, "--ca", scratch.appendingPathComponent("lbaliases").path, "--root",
                scratch.path,
            ])
        let overLink = "\(topology.bPeerAddress):1161"
        var up = false
        for _ in 0..<50 where !up {
            up = try Self.answers(overLink, from: topology.a)
            if !up { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(up, "the agent in b does not answer a over the direct link: \(agent.errorOutput)")
        // The root namespace reaches b's root link; a does not reach it: no forwarding.
        #expect(try Self.answers("\(topology.bAddress):1161", from: nil))
        #expect(try !Self.answers("\(topology.bAddress):1161", from: topology.a))

        try topology.peerLink.setUp(false)
        #expect(try !Self.answers(overLink, from: topology.a), "the direct link is down")
        #expect(try Self.answers("\(node.address):1161", from: topology.a))
        #expect(try Self.answers("\(node.address):1161", from: topology.b))

        try topology.peerLink.setUp(true)
        var back = false
        for _ in 0..<30 where !back {
            back = try Self.answers(overLink, from: topology.a)
            if !back { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(back, "the direct link is up again")

        topology.tearDown()
        #expect(!agent.isRunning, "the namespace's programs are killed")
        let ip = try #require(Peers.find("ip"))
        let left = try Peers.run(ip, ["netns", "list"], timeout: 10).output
        for name in names { #expect(!left.contains(name), "namespace \(name) deleted") }
        let links = try Peers.run(ip, ["-o", "link", "show"], timeout: 10).output
        #expect(!links.contains(topology.rootLinkA.first.interface))
        #expect(!links.contains(topology.rootLinkB.first.interface))
    }
}
