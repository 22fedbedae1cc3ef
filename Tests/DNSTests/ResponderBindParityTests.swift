import Testing

@testable import DNS

/// Answers changed to agree with BIND where DifferentialBindTests found them differing and no
/// policy of ours stood behind the difference.
@Suite struct ResponderBindParityTests {
    private static let zones: [DomainName: Zone] = [name("example.org"): ZoneFixtures.exampleOrg()]

    private func respond(_ owner: String, _ type: RecordType) throws -> DNSMessage {
        let request = DNSMessage(id: 1, questions: [Question(name: name(owner), type: type)])
        let response = try #require(AuthoritativeResponder().respond(to: request, zones: Self.zones))
        return try DNSMessage(decoding: response.encode())
    }

    @Test func anNSAnswerCarriesTheAddressesOfInZoneServers() throws {
        let response = try respond("example.org", .ns)
        #expect(response.answers.count == 2)
        // ns1 has an address in the zone, ns2 none.
        #expect(response.additionals == [ZoneFixtures.a("ns1.example.org", 53)])
        // Other answers stay minimal.
        #expect(try respond("www.example.org", .a).additionals.isEmpty)
        #expect(try respond("example.org", .any).additionals.isEmpty)
    }

    @Test func anSOAQueryAnsweredNXDOMAINHasTheSOAWithTTLZero() throws {
        let soaQuery = try respond("nowhere.example.org", .soa)
        #expect(soaQuery.responseCode == .nameError)
        #expect(soaQuery.authorities.map(\.ttl) == [0])
        let addressQuery = try respond("nowhere.example.org", .a)
        #expect(addressQuery.authorities.map(\.ttl) == [300])
        // NODATA keeps the negative TTL, as BIND does.
        #expect(try respond("www.example.org", .soa).authorities.map(\.ttl) == [300])
    }

    @Test(arguments: [UInt16(253), 254]) func theMailMetaTypesAreNotImplemented(type: UInt16) throws {
        let response = try respond("www.example.org", RecordType(rawValue: type))
        #expect(response.responseCode == .notImplemented)
        #expect(!response.isAuthoritative)
    }

    @Test func aQuestionInOtherCaseLeavesTheZonesNamesAlone() throws {
        let response = try respond("NoWhere.ExAmPlE.oRg", .a)
        guard case .soa(let soa)? = response.authorities.first?.data else {
            Issue.record("no SOA in the authority section")
            return
        }
        #expect(
            soa.primaryServer.wireLabels == [Array("ns1".utf8), Array("example".utf8), Array("org".utf8)])
        #expect(response.authorities.first?.name.wireLabels == [Array("example".utf8), Array("org".utf8)])
        #expect(response.questions.first?.name.description == "NoWhere.ExAmPlE.oRg.")
    }

    @Test func namesInTheSameCaseAreStillCompressed() throws {
        let message = DNSMessage(
            id: 1, questions: [Question(name: name("www.example.org"), type: .a)],
            answers: [ZoneFixtures.a("www.example.org", 1)])
        // Header 12, question 17 + 4, answer owner a 2-octet pointer + 10 + 4.
        #expect(try message.encode().count == 12 + 21 + 16)
    }
}
