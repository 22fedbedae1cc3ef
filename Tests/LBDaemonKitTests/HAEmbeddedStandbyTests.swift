import DNS
import Foundation
import LBTestSupport
import NIOCore
import Testing

/// Two real `lbd run`s in heartbeat mode, each with its embedded DNS server and `peer_dns`
/// naming the other over the direct link: the standby answers what the active publishes, not
/// what it would decide itself, follows each change, and after a takeover goes on with a serial
/// that keeps growing.
@Suite(.serialized) struct HAEmbeddedStandbyTests {
    static let alias = HAPairFixture.alias
    static let dnsPort = 5300

    static func embedded(notify peer: String) -> String {
        """
        dns:
          embedded:
            listen: 0.0.0.0:\(dnsPort)
            nameserver: ns.ha.test.
            mailbox: hostmaster.ha.test.
            notify: ["\(peer):\(dnsPort)"]
            transfer_from: [\(peer)]
        """
    }

    static func serial(at server: SocketAddress) async -> UInt32? {
        let client = DNSClient(options: DNSClient.Options(timeout: .milliseconds(300), retries: 0))
        guard
            let response = try? await client.query(
                try! DomainName(parsing: alias + "."), type: .soa, server: server),
            case .soa(let soa)? = response.message.answers.first?.data
        else { return nil }
        return soa.serial
    }

    @Test func theStandbyServesTheActivesAnswersAndGoesOnAfterTakeover() async throws {
        guard NetworkLab.available(), Peers.available("snmpget") else { return }
        let fixture = try HAPairFixture()
        defer { fixture.tearDown() }
        let topology = fixture.topology
        try fixture.a.writeConfiguration(
            fixture.configuration(
                publishing: Self.embedded(notify: topology.bPeerAddress),
                ha: fixture.heartbeat(
                    fixture.a, extra: "  peer_dns: \(topology.bPeerAddress):\(Self.dnsPort)")))
        try fixture.b.writeConfiguration(
            fixture.configuration(
                publishing: Self.embedded(notify: topology.aPeerAddress),
                ha: fixture.heartbeat(
                    fixture.b, extra: "  peer_dns: \(topology.aPeerAddress):\(Self.dnsPort)")))
        let serverA = try SocketAddress(ipAddress: topology.aAddress, port: Self.dnsPort)
        let serverB = try SocketAddress(ipAddress: topology.bAddress, port: Self.dnsPort)
        let read = { (server: SocketAddress) async -> [String]? in
            try? await ChaosDNS.addresses(Self.alias, at: server)
        }

        try fixture.a.start()
        try #require(
            await HAWait.until(seconds: 20) { await read(serverA) == fixture.onlyA } != nil,
            "a's server does not answer. \(fixture.logs())")
        try fixture.b.start()
        // b serves a's answer (node 0, which b cannot even poll), not its own choice (node 1).
        let following = await HAWait.until(seconds: 20) { await read(serverB) == fixture.onlyA }
        let bAnswer = await read(serverB)
        #expect(
            following != nil,
            "b does not serve a's zone: \(String(describing: bAnswer)). \(fixture.logs())")

        // Each change of a reaches b: node 0 drained (both would pick node 1), then back.
        for (change, expected) in [
            ({ try fixture.nodes[0].drain() }, fixture.fromB),
            ({ fixture.nodes[0].undrain() }, fixture.onlyA),
        ] as [(() throws -> Void, [String])] {
            try change()
            let both = await HAWait.until(seconds: 15) {
                let a = await read(serverA)
                let b = await read(serverB)
                return a == expected && b == expected
            }
            #expect(both != nil, "a and b do not both answer \(expected). \(fixture.logs())")
            let serials = (await Self.serial(at: serverA), await Self.serial(at: serverB))
            #expect(serials.0 != nil && serials.0 == serials.1, "serials a, b: \(serials)")
        }
        // Once in step, b keeps answering what a answers.
        var mismatches: [String] = []
        for _ in 0..<20 {
            let (a, b) = (await read(serverA), await read(serverB))
            if a != b { mismatches.append("a \(String(describing: a)) b \(String(describing: b))") }
            try await Task.sleep(for: .milliseconds(150))
        }
        #expect(mismatches.isEmpty, "\(mismatches)")

        let lastSerial = try #require(await Self.serial(at: serverB))
        fixture.a.kill9()
        // b takes over: its own choice, node 1, with a serial after a's.
        let tookOver = await HAWait.until(seconds: 20) { await read(serverB) == fixture.fromB }
        #expect(tookOver != nil, "b does not take over. \(fixture.logs())")
        let serialAfter = try #require(await Self.serial(at: serverB))
        #expect(SerialNumber.isGreater(serialAfter, than: lastSerial), "\(lastSerial) -> \(serialAfter)")
        // And on: node 1 drained, node 2 published with a serial growing again.
        try fixture.nodes[1].drain()
        let next = await HAWait.until(seconds: 10) { await read(serverB) == [fixture.nodes[2].address] }
        #expect(next != nil, "b does not publish the next change. \(fixture.b.tail())")
        let serialLater = try #require(await Self.serial(at: serverB))
        #expect(SerialNumber.isGreater(serialLater, than: serialAfter), "\(serialAfter) -> \(serialLater)")
    }
}
