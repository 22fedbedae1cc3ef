import Testing

@testable import DNS

/// The responder's dynamic TXT hook (lbd's `_explain.<alias>`): a name the hook knows holds one
/// TXT record with TTL 0, computed at each query; every other name is answered from the zone,
/// exactly as without the hook.
@Suite struct AuthoritativeResponderDynamicTextTests {
    private static let zones: [DomainName: Zone] = [name("example.org"): ZoneFixtures.exampleOrg()]
    private static let known = name("_explain.www.example.org")

    private func responder(_ strings: [[UInt8]] = [Array("2/3 usable".utf8)]) -> AuthoritativeResponder {
        AuthoritativeResponder(
            counter: RoundRobinCounter(), dynamicText: { $0 == Self.known ? strings : nil })
    }

    private func respond(_ owner: String, _ type: RecordType, _ responder: AuthoritativeResponder) throws
        -> DNSMessage
    {
        let request = DNSMessage(id: 7, questions: [Question(name: name(owner), type: type)])
        let response = try #require(responder.respond(to: request, zones: Self.zones))
        #expect(try DNSMessage(decoding: response.encode()) == response)
        return response
    }

    @Test func aKnownNameIsAnsweredWithTheTextAndTTLZero() throws {
        let response = try respond("_EXPLAIN.www.example.org", .txt, responder())
        #expect(response.responseCode == .noError)
        #expect(response.isAuthoritative)
        #expect(
            response.answers == [
                ResourceRecord(
                    name: name("_EXPLAIN.www.example.org"), ttl: 0, data: .txt([Array("2/3 usable".utf8)]))
            ])
        #expect(try respond("_explain.www.example.org", .any, responder()).answers.count == 1)
    }

    @Test func otherTypesAtAKnownNameAreNODATA() throws {
        let response = try respond("_explain.www.example.org", .a, responder())
        #expect(response.responseCode == .noError)
        #expect(response.answers.isEmpty)
        #expect(response.authorities == [ZoneFixtures.exampleOrg().negativeSOARecord])
    }

    @Test func otherNamesAreAnsweredAsWithoutTheHook() throws {
        let plain = AuthoritativeResponder(counter: RoundRobinCounter())
        for (owner, type) in [
            ("_explain.nothing.example.org", RecordType.txt), ("www.example.org", .aaaa),
            ("www.example.org", .txt),
            ("nothing.example.org", .a),
        ] {
            #expect(try respond(owner, type, responder()) == respond(owner, type, plain), "\(owner) \(type)")
        }
        // Outside every zone the hook is not even asked.
        let outside = try respond("_explain.www.example.net", .txt, responder())
        #expect(outside.responseCode == .refused)
    }

    @Test func theTextIsAskedAtEachQuery() throws {
        let counter = RoundRobinCounter()
        let responder = AuthoritativeResponder(
            counter: RoundRobinCounter(),
            dynamicText: { _ in [Array("round \(counter.next())".utf8)] })
        let first = try respond("_explain.www.example.org", .txt, responder)
        let second = try respond("_explain.www.example.org", .txt, responder)
        #expect(first.answers.map(\.data) == [.txt([Array("round 0".utf8)])])
        #expect(second.answers.map(\.data) == [.txt([Array("round 1".utf8)])])
    }
}
