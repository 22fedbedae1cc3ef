import DNS
import LBTestSupport
import NIOCore
import Testing

/// UPDATE and query interop with a real BIND 9 `named`, one server per test.
@Suite(.serialized)
struct BindInteropTests {
    static var available: Bool { Peers.available("named", "dig") }

    @Test(arguments: [TSIGAlgorithm.hmacMD5, .hmacSHA256])
    func replaceApexAddressesAndReadBack(algorithm: TSIGAlgorithm) async throws {
        guard Self.available else { return }
        let key = PeerZone.makeKey(algorithm: algorithm)
        let named = try await Named(keys: [key])
        defer { named.stop() }
        let client = DNSClient()

        let response = try await client.update(
            InteropUpdates.replaceApex(a: ["192.0.2.10", "192.0.2.11"], aaaa: ["2001:db8::10"]),
            server: named.address, key: key)
        #expect(response.transport == .udp)
        #expect(response.tsig != nil)

        let a = try await client.query(PeerZone.name, type: .a, server: named.address)
        #expect(InteropUpdates.addresses(a.message) == ["192.0.2.10", "192.0.2.11"])
        let aaaa = try await client.query(PeerZone.name, type: .aaaa, server: named.address)
        #expect(InteropUpdates.addresses(aaaa.message) == ["2001:db8::10"])
        #expect(try PeerZone.dig(port: named.port, type: "A") == ["192.0.2.10", "192.0.2.11"])
    }

    @Test func wrongSecretIsBadSignature() async throws {
        guard Self.available else { return }
        let key = PeerZone.makeKey(algorithm: .hmacSHA256)
        let named = try await Named(keys: [key])
        defer { named.stop() }
        let forged = TSIGKey(name: key.name, algorithm: key.algorithm, secret: Array(repeating: 7, count: 32))

        // BIND answers NOTAUTH with an unsigned TSIG record (empty MAC) whose error field is
        // BADSIG (RFC 8945 section 5.2.3); the client reports the TSIG error, not the RCODE.
        let error = try await #require(throws: DNSClientError.self) {
            try await DNSClient().update(
                InteropUpdates.replaceApex(a: ["192.0.2.66"], aaaa: []), server: named.address, key: forged)
        }
        #expect(error.tsigError?.code == .rejectedByPeer)
        #expect(error.tsigError?.peerError == .badSignature)
        #expect(try PeerZone.dig(port: named.port, type: "A") == ["192.0.2.1"])
    }

    @Test func unknownKeyNameIsBadKey() async throws {
        guard Self.available else { return }
        let key = PeerZone.makeKey(algorithm: .hmacSHA256)
        let named = try await Named(keys: [key])
        defer { named.stop() }
        let stranger = PeerZone.makeKey(name: "unknown-key", algorithm: .hmacSHA256)

        // An unknown key name: NOTAUTH with TSIG error BADKEY, again with an empty MAC.
        let error = try await #require(throws: DNSClientError.self) {
            try await DNSClient().update(
                InteropUpdates.replaceApex(a: ["192.0.2.66"], aaaa: []), server: named.address, key: stranger)
        }
        #expect(error.tsigError?.code == .rejectedByPeer)
        #expect(error.tsigError?.peerError == .badKey)
    }

    @Test func updateOfAZoneNotServedIsNotAuth() async throws {
        guard Self.available else { return }
        let key = PeerZone.makeKey(algorithm: .hmacSHA256)
        let named = try await Named(keys: [key])
        defer { named.stop() }
        var update = DNSUpdate(zone: try DomainName(parsing: "other.example."))
        update.add(try DomainName(parsing: "other.example."), ttl: 60, data: .a(IPv4Address("192.0.2.5")!))

        // BIND 9.18 answers NOTAUTH for a zone it does not serve, signed with the (valid) key.
        let error = try await #require(throws: DNSClientError.self) {
            try await DNSClient().update(update, server: named.address, key: key)
        }
        #expect(error.code == .responseCode(.notAuth), "\(error)")
    }

    @Test func twoHundredAddressesGoOverTCP() async throws {
        guard Self.available else { return }
        let key = PeerZone.makeKey(algorithm: .hmacSHA256)
        let named = try await Named(keys: [key])
        defer { named.stop() }
        let client = DNSClient()
        let many = (0..<200).map { "10.0.\($0 / 100).\($0 % 100 + 1)" }

        let response = try await client.update(
            InteropUpdates.replaceApex(a: many, aaaa: []), server: named.address, key: key)
        #expect(response.requestSize > 512)
        #expect(response.transport == .tcp)

        // 200 A records (about 3.2 KB) exceed the 1232-octet EDNS size: TC over UDP, then TCP.
        let answer = try await client.query(PeerZone.name, type: .a, server: named.address)
        #expect(answer.transport == .tcp)
        #expect(InteropUpdates.addresses(answer.message) == many.sorted())
        #expect(try PeerZone.dig(port: named.port, type: "A").count == 200)
    }
}
