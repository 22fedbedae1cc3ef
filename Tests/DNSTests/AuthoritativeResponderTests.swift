import Testing

@testable import DNS

@Suite struct AuthoritativeResponderTests {
    /// Built once: every test answers from the same immutable zones.
    private static let zones: [DomainName: Zone] = [
        name("example.org"): ZoneFixtures.exampleOrg(), name("sub.example.org"): ZoneFixtures.subExampleOrg(),
    ]
    private var zones: [DomainName: Zone] { Self.zones }

    /// A responder whose rotations are 0, 1, 2...
    private func responder(start: UInt64 = 0) -> AuthoritativeResponder {
        AuthoritativeResponder(counter: RoundRobinCounter(start: start))
    }

    private func query(
        _ owner: String, _ type: RecordType, class: RecordClass = .in, rd: Bool = true, edns: EDNS? = nil
    ) -> DNSMessage {
        DNSMessage(
            id: 0x1234, recursionDesired: rd,
            questions: [Question(name: name(owner), type: type, class: `class`)],
            edns: edns)
    }

    private func respond(_ request: DNSMessage, _ responder: AuthoritativeResponder? = nil) throws
        -> DNSMessage
    {
        let response = try #require((responder ?? self.responder()).respond(to: request, zones: zones))
        // Every response must also survive the wire.
        #expect(try DNSMessage(decoding: response.encode()) == response)
        return response
    }

    @Test func anAnswerIsAuthoritativeWithoutRecursion() throws {
        let response = try respond(query("www.example.org", .aaaa))
        #expect(response.id == 0x1234)
        #expect(response.isResponse)
        #expect(response.isAuthoritative)
        #expect(response.recursionDesired)
        #expect(!response.recursionAvailable)
        #expect(response.responseCode == .noError)
        #expect(response.questions == [Question(name: name("www.example.org"), type: .aaaa)])
        #expect(response.answers.map(\.data) == [.aaaa(IPv6Address("2001:db8::1")!)])
        #expect(response.authorities.isEmpty)
    }

    @Test func rdIsCopiedNotSet() throws {
        #expect(try !respond(query("www.example.org", .a, rd: false)).recursionDesired)
    }

    @Test func theClosestEnclosingZoneWins() throws {
        let response = try respond(query("host.sub.example.org", .a))
        #expect(response.answers == [ZoneFixtures.a("host.sub.example.org", 9)])
        let missing = try respond(query("nothing.sub.example.org", .a))
        #expect(missing.responseCode == .nameError)
        #expect(missing.authorities == [ZoneFixtures.subExampleOrg().negativeSOARecord])
    }

    @Test func aMissingNameIsNXDOMAINWithTheSOA() throws {
        let response = try respond(query("nothing.example.org", .a))
        #expect(response.responseCode == .nameError)
        #expect(response.isAuthoritative)
        #expect(response.answers.isEmpty)
        let soa = try #require(response.authorities.first)
        #expect(response.authorities.count == 1)
        #expect(soa.name == name("example.org"))
        #expect(soa.type == .soa)
        #expect(soa.ttl == 300)
    }

    @Test func aMissingTypeIsNODATAWithTheSOA() throws {
        let response = try respond(query("www.example.org", .txt))
        #expect(response.responseCode == .noError)
        #expect(response.answers.isEmpty)
        #expect(response.authorities == [ZoneFixtures.exampleOrg().negativeSOARecord])
    }

    @Test func anEmptyNonTerminalIsNODATA() throws {
        let response = try respond(query("b.example.org", .a))
        #expect(response.responseCode == .noError)
        #expect(response.answers.isEmpty)
        #expect(response.authorities.first?.type == .soa)
    }

    @Test func nsAndSOAAreAnsweredAtTheApex() throws {
        let ns = try respond(query("example.org", .ns))
        #expect(ns.answers.map(\.data) == [.ns(name("ns1.example.org")), .ns(name("ns2.example.org"))])
        let soa = try respond(query("EXAMPLE.org", .soa))
        #expect(soa.answers == [ZoneFixtures.exampleOrg().soaRecord])
        #expect(soa.answers.first?.ttl == 3600)
    }

    @Test func aCNAMEIsAnsweredAndFollowedInTheZone() throws {
        let response = try respond(query("alias.example.org", .a))
        #expect(response.answers.first?.data == .cname(name("www.example.org")))
        #expect(response.answers.dropFirst().map(\.type) == [.a, .a, .a])
        let asked = try respond(query("alias.example.org", .cname))
        #expect(asked.answers.map(\.data) == [.cname(name("www.example.org"))])
    }

    @Test func aCNAMEOutOfTheZoneIsAnsweredAlone() throws {
        let response = try respond(query("away.example.org", .a))
        #expect(response.responseCode == .noError)
        #expect(response.answers.map(\.data) == [.cname(name("www.example.net"))])
    }

    @Test func namesOutsideEveryZoneAreRefused() throws {
        let response = try respond(query("www.example.net", .a))
        #expect(response.responseCode == .refused)
        #expect(!response.isAuthoritative)
        #expect(response.answers.isEmpty)
        #expect(try respond(query("org", .ns)).responseCode == .refused)
    }

    @Test func anyAnswersEveryRecordAtTheName() throws {
        let response = try respond(query("www.example.org", .any))
        #expect(response.answers.map(\.type) == [.a, .a, .a, .aaaa])
        let apex = try respond(query("example.org", .any))
        #expect(apex.answers.map(\.type) == [.soa, .ns, .ns])
    }

    @Test(arguments: [UInt8(1), 2, 3, 6, 15])
    func otherOpcodesAreNotImplemented(opcode: UInt8) throws {
        var request = query("www.example.org", .a)
        request.opcode = Opcode(rawValue: opcode)
        let response = try respond(request)
        #expect(response.responseCode == .notImplemented)
        #expect(response.opcode.rawValue == opcode)
        #expect(response.answers.isEmpty)
    }

    @Test(arguments: [0, 2])
    func aQuestionCountOtherThanOneIsFORMERR(count: Int) throws {
        var request = query("www.example.org", .a)
        request.questions = Array(repeating: request.questions[0], count: count)
        #expect(try respond(request).responseCode == .formatError)
    }

    @Test func responsesAreNotAnswered() {
        var request = query("www.example.org", .a)
        request.isResponse = true
        #expect(responder().respond(to: request, zones: zones) == nil)
    }

    @Test func otherClassesAreRefused() throws {
        #expect(try respond(query("www.example.org", .a, class: .ch)).responseCode == .refused)
    }

    @Test func transfersAreRefusedHere() throws {
        #expect(try respond(query("example.org", .axfr)).responseCode == .refused)
    }

    @Test func ednsIsEchoedWithOurPayloadSize() throws {
        let response = try respond(query("www.example.org", .a, edns: EDNS(udpPayloadSize: 4096)))
        #expect(response.edns == EDNS(udpPayloadSize: 1232))
        #expect(try respond(query("www.example.org", .a)).edns == nil)
    }

    @Test func anUnknownEDNSVersionIsBADVERS() throws {
        let response = try respond(query("www.example.org", .a, edns: EDNS(udpPayloadSize: 4096, version: 1)))
        #expect(response.responseCode == .badVersion)
        #expect(response.edns?.version == 0)
        #expect(response.answers.isEmpty)
        let wire = try response.encode()
        // The upper bits of BADVERS (16) travel in the OPT record's TTL.
        #expect(try DNSMessage(decoding: wire).responseCode.rawValue == 16)
    }

    @Test func addressRecordsRotateBetweenAnswers() throws {
        let responder = responder()
        let lasts = try (0..<4).map { _ in
            try respond(query("www.example.org", .a), responder).answers.map { record -> UInt8 in
                guard case .a(let address) = record.data else { return 0 }
                return address.octets.3
            }
        }
        #expect(lasts == [[1, 2, 3], [2, 3, 1], [3, 1, 2], [1, 2, 3]])
    }

    @Test func theRotationIsInjectable() throws {
        let fixed = AuthoritativeResponder(rotation: { 1 })
        let response = try respond(query("www.example.org", .a), fixed)
        #expect(response.answers.map(\.data) == [2, 3, 1].map { .a(IPv4Address(192, 0, 2, $0)) })
    }
}
