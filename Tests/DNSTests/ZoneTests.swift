import Testing

@testable import DNS

/// The zones the server tests answer from.
enum ZoneFixtures {
    static let soa = StartOfAuthority(
        primaryServer: name("ns1.example.org"), responsibleMailbox: name("hostmaster.example.org"),
        serial: 100, refresh: 3600, retry: 600, expire: 86400, minimum: 300)

    static func a(_ owner: String, _ last: UInt8, ttl: UInt32 = 60) -> ResourceRecord {
        ResourceRecord(name: name(owner), ttl: ttl, data: .a(IPv4Address(192, 0, 2, last)))
    }

    /// example.org: NS at the apex, three A and one AAAA at www, a CNAME, an empty non-terminal
    /// (b.example.org above a.b.example.org) and a 200-address pool for truncation.
    static func exampleOrg(serial: UInt32 = 100, extra: [ResourceRecord] = []) -> Zone {
        var soa = soa
        soa.serial = serial
        let records =
            [
                ResourceRecord(name: name("example.org"), ttl: 3600, data: .ns(name("ns1.example.org"))),
                ResourceRecord(name: name("example.org"), ttl: 3600, data: .ns(name("ns2.example.org"))),
                a("ns1.example.org", 53),
                a("www.example.org", 1), a("www.example.org", 2), a("www.example.org", 3),
                ResourceRecord(
                    name: name("www.example.org"), ttl: 60, data: .aaaa(IPv6Address("2001:db8::1")!)),
                ResourceRecord(
                    name: name("alias.example.org"), ttl: 60, data: .cname(name("www.example.org"))),
                ResourceRecord(
                    name: name("away.example.org"), ttl: 60, data: .cname(name("www.example.net"))),
                ResourceRecord(name: name("a.b.example.org"), ttl: 60, data: .text("hello")),
            ]
            + (0..<200).map { index in
                ResourceRecord(
                    name: name("pool.example.org"), ttl: 30,
                    data: .a(IPv4Address(10, 1, UInt8(index / 256), UInt8(index % 256))))
            } + extra
        return try! Zone(origin: name("example.org"), soa: soa, soaTTL: 3600, records: records)
    }

    /// sub.example.org, a child zone served by the same server.
    static func subExampleOrg() -> Zone {
        var soa = soa
        soa.primaryServer = name("ns.sub.example.org")
        soa.minimum = 7200
        return try! Zone(
            origin: name("sub.example.org"), soa: soa, soaTTL: 900, records: [a("host.sub.example.org", 9)])
    }
}

@Suite struct ZoneTests {
    @Test func recordsOutsideTheOriginAreRefused() {
        #expect(throws: ZoneError.outOfZone(name("www.example.net"))) {
            try Zone(
                origin: name("example.org"), soa: ZoneFixtures.soa,
                records: [ZoneFixtures.a("www.example.net", 1)])
        }
    }

    @Test func anSOAAmongTheRecordsIsRefused() {
        let soa = ResourceRecord(name: name("example.org"), ttl: 60, data: .soa(ZoneFixtures.soa))
        #expect(throws: ZoneError.soaInRecords(name("example.org"))) {
            try Zone(origin: name("example.org"), soa: ZoneFixtures.soa, records: [soa])
        }
    }

    @Test func aCNAMEBesideOtherDataIsRefused() {
        let records = [
            ZoneFixtures.a("x.example.org", 1),
            ResourceRecord(name: name("x.example.org"), ttl: 60, data: .cname(name("www.example.org"))),
        ]
        #expect(throws: ZoneError.cnameAndOtherData(name("x.example.org"))) {
            try Zone(origin: name("example.org"), soa: ZoneFixtures.soa, records: records)
        }
    }

    @Test func namesAndEmptyNonTerminalsExist() {
        let zone = ZoneFixtures.exampleOrg()
        #expect(zone.contains(name("example.org")))
        #expect(zone.contains(name("WWW.example.org")))
        #expect(zone.contains(name("b.example.org")))
        #expect(!zone.contains(name("c.example.org")))
        #expect(zone.recordSet(name("www.example.org"), .a).count == 3)
        #expect(zone.recordSet(name("example.org"), .soa) == [zone.soaRecord])
        #expect(zone.recordSet(name("www.example.org"), .soa).isEmpty)
    }

    @Test func duplicateRecordsAreKeptOnce() throws {
        let record = ZoneFixtures.a("x.example.org", 1)
        let zone = try Zone(origin: name("example.org"), soa: ZoneFixtures.soa, records: [record, record])
        #expect(zone.recordSet(name("x.example.org"), .a) == [record])
    }

    @Test func theNegativeTTLIsTheSmallerOfSOATTLAndMinimum() {
        #expect(ZoneFixtures.exampleOrg().negativeSOARecord.ttl == 300)
        #expect(ZoneFixtures.subExampleOrg().negativeSOARecord.ttl == 900)
    }

    @Test func serialArithmeticWrapsAround() {
        #expect(SerialNumber.isGreater(2, than: 1))
        #expect(!SerialNumber.isGreater(1, than: 1))
        #expect(!SerialNumber.isGreater(1, than: 2))
        #expect(SerialNumber.isGreater(5, than: 0xFFFF_FFF0))
        #expect(!SerialNumber.isGreater(0xFFFF_FFF0, than: 5))
        #expect(!SerialNumber.isGreater(0x8000_0000, than: 0))
        #expect(SerialNumber.next(after: 0xFFFF_FFFF) == 0)
    }
}
