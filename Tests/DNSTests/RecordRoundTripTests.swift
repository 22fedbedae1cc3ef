import Testing

@testable import DNS

@Suite struct RecordRoundTripTests {
    static let records: [ResourceRecord] = [
        ResourceRecord(name: name("a.example"), ttl: 60, data: .a(IPv4Address(192, 0, 2, 7))),
        ResourceRecord(name: name("a.example"), ttl: 60, data: .aaaa(IPv6Address("2001:db8::1")!)),
        ResourceRecord(name: name("example"), ttl: 86400, data: .ns(name("ns1.example"))),
        ResourceRecord(name: name("www.example"), ttl: 300, data: .cname(name("a.example"))),
        ResourceRecord(name: name("7.2.0.192.in-addr.arpa"), ttl: 300, data: .ptr(name("a.example"))),
        ResourceRecord(
            name: name("example"), ttl: 3600,
            data: .soa(
                StartOfAuthority(
                    primaryServer: name("ns1.example"), responsibleMailbox: name("hostmaster.example"),
                    serial: 2_024_010_101, refresh: 7200, retry: 900, expire: 1_209_600, minimum: 60))),
        ResourceRecord(name: name("a.example"), ttl: 60, data: .txt([Array("v=1".utf8), [], [0xFF, 0x00]])),
        ResourceRecord(
            name: name("a.example"), class: .ch, ttl: 0, data: .txt([Array(repeating: 0x41, count: 255)])),
        ResourceRecord(
            name: name("key.example"), class: .any, ttl: 0,
            data: .tsig(
                TSIGRecord(
                    algorithm: name("hmac-sha256"), timeSigned: 0xFFFF_FFFF_FFFF, fudge: 300, mac: [1, 2, 3],
                    originalID: 0xABCD, error: .badTime, otherData: [0, 0, 0x65, 0x53, 0xF1, 0]))),
        ResourceRecord(
            name: name("a.example"), ttl: 5, data: .unknown(RecordType(rawValue: 65280), [0xDE, 0xAD])),
        ResourceRecord(name: name("a.example"), class: .any, ttl: 0, data: .empty(.a)),
    ]

    @Test(arguments: records)
    func aRecordDecodesToItself(record: ResourceRecord) throws {
        let message = DNSMessage(id: 7, isResponse: true, answers: [record, record])
        let decoded = try DNSMessage(decoding: try message.encode())
        #expect(decoded == message)
    }

    @Test func theTypeComesFromTheData() {
        #expect(
            Self.records.map(\.type.description) == [
                "A", "AAAA", "NS", "CNAME", "PTR", "SOA", "TXT", "TXT", "TSIG", "TYPE65280", "A",
            ])
    }

    @Test func unknownRDATAIsKeptAndItsNamesAreNotCompressed() throws {
        // An MX-like RDATA holding a name already written: RFC 3597 forbids compressing it.
        let inner: [UInt8] = [0, 10] + [1, 0x61, 7] + Array("example".utf8) + [0]
        let record = ResourceRecord(
            name: name("a.example"), ttl: 5, data: .unknown(RecordType(rawValue: 4321), inner))
        let wire = try DNSMessage(id: 1, answers: [record]).encode()
        #expect(Array(wire.suffix(inner.count)) == inner)
        #expect(try DNSMessage(decoding: wire).answers == [record])
    }

    @Test func ipv6AddressesHaveTheirShortSpelling() {
        #expect(IPv6Address("2001:db8:0:0:1:0:0:1")?.description == "2001:db8::1:0:0:1")
        #expect(IPv6Address("::")?.description == "::")
        #expect(IPv6Address("::1")?.description == "::1")
        #expect(IPv6Address("1::2::3") == nil)
        #expect(IPv4Address("192.0.2.1")?.description == "192.0.2.1")
        #expect(IPv4Address("192.0.2.01") == nil)
    }

    @Test func anARecordOfTheWrongLengthIsRefused() throws {
        var wire = hexBytes("0001 0000 0000 0001 0000 0000  00 0001 0001 00000000 0003 010203")
        let error = #expect(throws: DNSDecodingError.self) { try DNSMessage(decoding: wire) }
        #expect(error?.code == .badRecordData)
        wire = hexBytes("0001 0000 0000 0001 0000 0000  00 0002 0001 00000000 0003 000000")
        let extra = #expect(throws: DNSDecodingError.self) { try DNSMessage(decoding: wire) }
        #expect(extra?.code == .badRecordData)
    }
}
