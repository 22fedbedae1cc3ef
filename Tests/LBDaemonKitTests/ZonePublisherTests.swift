import DNS
import LBCore
import NIOCore
import Testing

@testable import LBDaemonKit

/// `ZonePublisher` in both layouts, read back through a started `DNSServer` as resolvers would.
@Suite(.serialized)
struct ZonePublisherTests {
    static let apex = ZoneApexTemplate(
        primaryServer: name("lbd.example.org"), responsibleMailbox: name("hostmaster.example.org"),
        nameServers: [name("ns1.example.org"), name("ns2.example.org")])
    static let sharedOrigin = name("lb.example.org")

    static func name(_ text: String) -> DomainName { try! DomainName(parsing: text + ".") }

    static func publication(_ alias: String, _ addresses: [String], ttl: Int = 60) -> Publication {
        Publication(alias: alias, addresses: addresses.map { NodeAddress($0)! }, ttl: ttl)
    }

    /// A store served by a started server, and a publisher whose serial clock stands still, so
    /// that each change is the store's "current serial + 1".
    private func withServer(
        _ layout: AliasZoneLayout, store: ZoneStore = ZoneStore(),
        _ body: (ZonePublisher, ZoneReader) async throws -> Void
    ) async throws {
        let server = DNSServer(
            configuration: DNSServerConfiguration(host: "127.0.0.1", port: 0, udpSockets: 1), store: store)
        let address = try await server.start()
        let publisher = ZonePublisher(store: store, layout: layout, apex: Self.apex, serial: { 100 })
        do {
            try await body(publisher, ZoneReader(server: address))
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    /// Reads names through the server with `DNSClient`.
    struct ZoneReader {
        var server: SocketAddress

        /// The A and AAAA records of `alias`, "address ttl", sorted; nil for NXDOMAIN or REFUSED.
        func addresses(_ alias: String) async throws -> [String]? {
            var lines: [String] = []
            for type in [RecordType.a, .aaaa] {
                guard let answers = try await answers(alias, type) else { return nil }
                lines += answers.compactMap { record in
                    switch record.data {
                    case .a(let address): return "\(address) \(record.ttl)"
                    case .aaaa(let address): return "\(address) \(record.ttl)"
                    default: return nil
                    }
                }
            }
            return lines.sorted()
        }

        func soa(_ zone: String) async throws -> StartOfAuthority? {
            guard case .soa(let soa)? = try await answers(zone, .soa)?.first?.data else { return nil }
            return soa
        }

        func answers(_ name: String, _ type: RecordType) async throws -> [ResourceRecord]? {
            do {
                return try await DNSClient().query(ZonePublisherTests.name(name), type: type, server: server)
                    .message.answers
            } catch let error as DNSClientError
                where error.responseCode == .nameError || error.responseCode == .refused
            {
                return nil
            }
        }
    }

    // MARK: - A zone per alias

    @Test func aZonePerAliasHasTheConfiguredApexAndTheAddresses() async throws {
        try await withServer(.zonePerAlias) { (publisher, reader) async throws in
            let results = await publisher.publish(
                Self.publication("www.lb.example.org", ["192.0.2.10", "2001:db8::10"], ttl: 120),
                dryRun: false)
            #expect(results == [PublicationResult(target: "embedded zone", previous: [], action: .updated)])

            #expect(
                try await reader.addresses("www.lb.example.org") == ["192.0.2.10 120", "2001:db8::10 120"])
            let soa = try #require(try await reader.soa("www.lb.example.org"))
            #expect(soa.primaryServer == Self.name("lbd.example.org"))
            #expect(soa.responsibleMailbox == Self.name("hostmaster.example.org"))
            #expect(soa.serial == 100)
            let ns = try await reader.answers("www.lb.example.org", .ns) ?? []
            #expect(
                Set(ns.map(\.data)) == [.ns(Self.name("ns1.example.org")), .ns(Self.name("ns2.example.org"))])
        }
    }

    @Test func aZonePerAliasChangesItsSerialOnlyOnChange() async throws {
        try await withServer(.zonePerAlias) { (publisher, reader) async throws in
            let alias = "www.lb.example.org"
            _ = await publisher.publish(Self.publication(alias, ["192.0.2.10"]), dryRun: false)

            let same = await publisher.publish(Self.publication(alias, ["192.0.2.10"]), dryRun: false)
            #expect(
                same == [
                    PublicationResult(
                        target: "embedded zone", previous: [NodeAddress("192.0.2.10")!], previousTTL: 60,
                        action: .unchanged)
                ])
            #expect(try await reader.soa(alias)?.serial == 100)

            let ttl = await publisher.publish(
                Self.publication(alias, ["192.0.2.10"], ttl: 300), dryRun: false)
            #expect(ttl.map(\.action) == [.updated])
            #expect(try await reader.soa(alias)?.serial == 101)
            #expect(try await reader.addresses(alias) == ["192.0.2.10 300"])

            let dry = await publisher.publish(Self.publication(alias, ["192.0.2.99"], ttl: 300), dryRun: true)
            #expect(dry.map(\.action) == [.wouldUpdate])
            #expect(try await reader.soa(alias)?.serial == 101)
            #expect(try await reader.addresses(alias) == ["192.0.2.10 300"])

            let empty = await publisher.publish(Self.publication(alias, []), dryRun: false)
            #expect(empty.map(\.action) == [.updated])
            #expect(try await reader.addresses(alias) == [])
            #expect(try await reader.soa(alias)?.serial == 102)
        }
    }

    @Test func withdrawingAnAliasRemovesItsZone() async throws {
        try await withServer(.zonePerAlias) { (publisher, reader) async throws in
            _ = await publisher.publish(Self.publication("www.lb.example.org", ["192.0.2.10"]), dryRun: false)
            _ = await publisher.publish(Self.publication("db.lb.example.org", ["192.0.2.20"]), dryRun: false)

            #expect(publisher.withdraw(alias: "www.lb.example.org"))
            #expect(try await reader.addresses("www.lb.example.org") == nil)
            #expect(try await reader.addresses("db.lb.example.org") == ["192.0.2.20 60"])
            #expect(!publisher.withdraw(alias: "www.lb.example.org"))
        }
    }

    // MARK: - One shared zone

    /// The shared zone as an operator would load it, with records lbd must keep.
    static func sharedZone() throws -> Zone {
        let origin = sharedOrigin
        return try Zone(
            origin: origin,
            soa: apex.soa(serial: 7), soaTTL: 3600,
            records: [
                ResourceRecord(name: origin, ttl: 3600, data: .ns(name("ns1.example.org"))),
                ResourceRecord(name: name("www.lb.example.org"), ttl: 300, data: .text("owner=web team")),
                ResourceRecord(
                    name: name("static.lb.example.org"), ttl: 300, data: .a(IPv4Address("192.0.2.200")!)),
            ])
    }

    @Test func aSharedZoneKeepsItsOtherRecords() async throws {
        let store = ZoneStore()
        store.replace(try Self.sharedZone())
        try await withServer(.sharedZone(Self.sharedOrigin), store: store) {
            (publisher, reader) async throws in
            let www = await publisher.publish(
                Self.publication("www.lb.example.org", ["192.0.2.10", "2001:db8::10"]), dryRun: false)
            let db = await publisher.publish(
                Self.publication("db.lb.example.org", ["192.0.2.20"]), dryRun: false)
            #expect(www.map(\.action) == [.updated])
            #expect(db.map(\.action) == [.updated])

            #expect(try await reader.addresses("www.lb.example.org") == ["192.0.2.10 60", "2001:db8::10 60"])
            #expect(try await reader.addresses("db.lb.example.org") == ["192.0.2.20 60"])
            #expect(try await reader.addresses("static.lb.example.org") == ["192.0.2.200 300"])
            #expect(try await reader.answers("www.lb.example.org", .txt)?.count == 1)
            // Two changes: the clock's serial, then the store's next one.
            #expect(try await reader.soa("lb.example.org")?.serial == 101)
        }
    }

    @Test func aSharedZoneChangesOnlyOnChange() async throws {
        let store = ZoneStore()
        store.replace(try Self.sharedZone())
        try await withServer(.sharedZone(Self.sharedOrigin), store: store) {
            (publisher, reader) async throws in
            let alias = "www.lb.example.org"
            _ = await publisher.publish(Self.publication(alias, ["192.0.2.10"]), dryRun: false)
            #expect(try await reader.soa("lb.example.org")?.serial == 100)

            #expect(
                await publisher.publish(Self.publication(alias, ["192.0.2.10"]), dryRun: false).map(\.action)
                    == [.unchanged])
            #expect(try await reader.soa("lb.example.org")?.serial == 100)

            let ttl = await publisher.publish(
                Self.publication(alias, ["192.0.2.10"], ttl: 120), dryRun: false)
            #expect(ttl.map(\.action) == [.updated])
            #expect(ttl.first?.previousTTL == 60)
            #expect(try await reader.soa("lb.example.org")?.serial == 101)

            let dry = await publisher.publish(Self.publication(alias, ["192.0.2.11"], ttl: 120), dryRun: true)
            #expect(dry.map(\.action) == [.wouldUpdate])
            #expect(try await reader.addresses(alias) == ["192.0.2.10 120"])
            #expect(try await reader.soa("lb.example.org")?.serial == 101)
        }
    }

    @Test func withdrawingFromASharedZoneRemovesOnlyTheAliasAddresses() async throws {
        let store = ZoneStore()
        store.replace(try Self.sharedZone())
        try await withServer(.sharedZone(Self.sharedOrigin), store: store) {
            (publisher, reader) async throws in
            _ = await publisher.publish(Self.publication("www.lb.example.org", ["192.0.2.10"]), dryRun: false)
            _ = await publisher.publish(Self.publication("db.lb.example.org", ["192.0.2.20"]), dryRun: false)

            #expect(publisher.withdraw(alias: "db.lb.example.org"))
            #expect(try await reader.addresses("db.lb.example.org") == nil)
            #expect(publisher.withdraw(alias: "www.lb.example.org"))
            // The TXT record keeps the name: NODATA, not NXDOMAIN.
            #expect(try await reader.addresses("www.lb.example.org") == [])
            #expect(try await reader.answers("www.lb.example.org", .txt)?.count == 1)
            #expect(try await reader.addresses("static.lb.example.org") == ["192.0.2.200 300"])
            #expect(!publisher.withdraw(alias: "db.lb.example.org"))
        }
    }

    @Test func aSharedZoneIsCreatedWhenTheStoreHasNone() async throws {
        try await withServer(.sharedZone(Self.sharedOrigin)) { (publisher, reader) async throws in
            let results = await publisher.publish(
                Self.publication("www.lb.example.org", ["192.0.2.10"]), dryRun: false)
            #expect(results.map(\.action) == [.updated])
            #expect(try await reader.soa("lb.example.org")?.primaryServer == Self.name("lbd.example.org"))
            #expect(try await reader.addresses("www.lb.example.org") == ["192.0.2.10 60"])
        }
    }

    @Test func anAliasOutsideTheSharedZoneFails() async throws {
        try await withServer(.sharedZone(Self.sharedOrigin)) { (publisher, _) async throws in
            let results = await publisher.publish(
                Self.publication("www.other.example", ["192.0.2.10"]), dryRun: false)
            guard case .failed(let failure) = results.first?.action else {
                Issue.record("expected a failure, got \(results)")
                return
            }
            #expect(failure.code == .outsideZone)
            #expect(failure.message.contains("www.other.example"))
        }
    }
}
