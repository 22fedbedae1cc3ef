import DNS
import LBTestSupport
import NIOCore
import Testing

/// UPDATE and query interop with a real Knot DNS `knotd`.
@Suite(.serialized)
struct KnotInteropTests {
    @Test func replaceApexAddressesAndReadBack() async throws {
        guard Peers.available("knotd", "dig") else { return }
        let key = PeerZone.makeKey(algorithm: .hmacSHA256)
        let knotd = try await Knotd(key: key)
        defer { knotd.stop() }
        let client = DNSClient()

        let response = try await client.update(
            InteropUpdates.replaceApex(a: ["192.0.2.20", "192.0.2.21"], aaaa: ["2001:db8::20"]),
            server: knotd.address, key: key)
        #expect(response.tsig != nil)

        let a = try await client.query(PeerZone.name, type: .a, server: knotd.address)
        #expect(InteropUpdates.addresses(a.message) == ["192.0.2.20", "192.0.2.21"])
        let aaaa = try await client.query(PeerZone.name, type: .aaaa, server: knotd.address)
        #expect(InteropUpdates.addresses(aaaa.message) == ["2001:db8::20"])
        #expect(try PeerZone.dig(port: knotd.port, type: "A") == ["192.0.2.20", "192.0.2.21"])
    }
}
