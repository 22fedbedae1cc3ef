import Testing

@testable import DNS

@Suite struct DNSUpdateTests {
    let zone = name("lb.example.org")
    let alias = name("web.lb.example.org")

    private func decoded(_ update: DNSUpdate) throws -> DNSMessage {
        try DNSMessage(decoding: try update.message.encode())
    }

    @Test func theZoneSectionIsTheZoneSOAIN() throws {
        let message = try decoded(DNSUpdate(zone: zone, id: 77))
        #expect(message.id == 77)
        #expect(message.opcode == .update)
        #expect(message.questions == [Question(name: zone, type: .soa, class: .in)])
    }

    @Test func prerequisitesHaveTheClassesAndEmptyRDATAOfRFC2136() throws {
        var update = DNSUpdate(zone: zone)
        update.requireRRsetExists(alias, type: .a)
        update.requireRRset(alias, equals: [.a(IPv4Address(10, 0, 0, 1))])
        update.requireRRsetDoesNotExist(alias, type: .aaaa)
        update.requireNameInUse(alias)
        update.requireNameNotInUse(name("new.lb.example.org"))
        let message = try decoded(update)
        #expect(message.authorities.isEmpty)
        let shape = message.answers.map { "\($0.class) \($0.type) \($0.ttl)" }
        #expect(shape == ["ANY A 0", "IN A 0", "NONE AAAA 0", "ANY ANY 0", "NONE ANY 0"])
        #expect(
            message.answers.map(\.data) == [
                .empty(.a), .a(IPv4Address(10, 0, 0, 1)), .empty(.aaaa), .empty(.any), .empty(.any),
            ])
    }

    @Test func updatesHaveTheClassesAndTTLsOfRFC2136() throws {
        var update = DNSUpdate(zone: zone)
        update.deleteRRset(alias, type: .a)
        update.add(alias, ttl: 60, data: .a(IPv4Address(10, 0, 0, 2)))
        update.delete(alias, data: .a(IPv4Address(10, 0, 0, 3)))
        update.deleteAllRRsets(name("old.lb.example.org"))
        let message = try decoded(update)
        #expect(message.answers.isEmpty)
        let shape = message.authorities.map { "\($0.class) \($0.type) \($0.ttl)" }
        #expect(shape == ["ANY A 0", "IN A 60", "NONE A 0", "ANY ANY 0"])
        #expect(
            message.authorities.map(\.data) == [
                .empty(.a), .a(IPv4Address(10, 0, 0, 2)), .a(IPv4Address(10, 0, 0, 3)), .empty(.any),
            ])
    }

    @Test func deletingAnRRsetHasZeroLengthRDATAOnTheWire() throws {
        var update = DNSUpdate(zone: zone)
        update.deleteRRset(alias, type: .a)
        let wire = try update.message.encode()
        // "web", a pointer to the zone, TYPE A, CLASS ANY, TTL 0, RDLENGTH 0.
        #expect(Array(wire.suffix(12)) == hexBytes("c00c 0001 00ff 00000000 0000"))
        #expect(wire[9] == 1)
    }
}
