import LBCore
import NIOCore
import Testing

@testable import DNS

/// Mutated requests of every kind the server handles (queries, signed queries, AXFR, IXFR,
/// UPDATE, NOTIFY) through the query processor: every answer is a well-formed DNS message within
/// the transport's size, and nothing crashes or changes a zone without a valid signature.
@Suite struct ServerProcessorFuzzTests {
    private let key = TSIGKey(name: name("fuzz-key"), algorithm: .hmacSHA256, secret: Array(1...32))
    private let clock = TSIGClock.fixed(1_800_000_000)

    private func seeds() throws -> [[UInt8]] {
        let signer = TSIGSigner(key: key, clock: clock)
        var soa = ZoneFixtures.soa
        soa.serial = 100
        let ixfr = DNSMessage(
            id: 1, questions: [Question(name: name("example.org"), type: .ixfr)],
            authorities: [ResourceRecord(name: name("example.org"), ttl: 0, data: .soa(soa))])
        let axfr = DNSMessage(id: 2, questions: [Question(name: name("example.org"), type: .axfr)])
        let query = DNSMessage(
            id: 3, questions: [Question(name: name("pool.example.org"), type: .a)], edns: EDNS())
        var update = DNSUpdate(zone: name("example.org"), id: 4)
        update.deleteRRset(name("www.example.org"), type: .a)
        update.add(name("www.example.org"), ttl: 60, data: .a(IPv4Address(192, 0, 2, 77)))
        let notify = DNSMessage(
            id: 5, opcode: .notify, isAuthoritative: true,
            questions: [Question(name: name("example.org"), type: .soa)])
        return [
            try ixfr.encode(), try signer.sign(ixfr).bytes, try axfr.encode(), try signer.sign(axfr).bytes,
            try query.encode(), try signer.sign(query).bytes, try signer.sign(update.message).bytes,
            try update.message.encode(), try notify.encode(),
        ]
    }

    @Test(.timeLimit(.minutes(2))) func tenThousandMutatedRequestsGetWellFormedAnswers() throws {
        let store = ZoneStore()
        store.replace(ZoneFixtures.exampleOrg(serial: 100))
        store.replace(ZoneFixtures.exampleOrg(serial: 101, extra: [ZoneFixtures.a("new.example.org", 1)]))
        let processor = DNSQueryProcessor(
            store: store, responder: AuthoritativeResponder(),
            configuration: DNSServerConfiguration(
                transferSources: ["127.0.0.1"], transferKeys: [key], updateKeys: [key]),
            clock: clock)
        let source = try SocketAddress(ipAddress: "127.0.0.1", port: 5300)
        let seeds = try seeds()
        var generator = SeededRandomNumberGenerator(seed: 0xF022)
        var answered = 0
        for round in 0..<10_000 {
            var bytes = seeds[round % seeds.count]
            if round >= seeds.count { DecoderFuzzTests.mutate(&bytes, using: &generator) }
            let limit = [512, 1232, 4096][round % 3]
            if let datagram = processor.process(bytes, source: source, maximumSize: { _ in limit }) {
                #expect(datagram.count <= limit)
                #expect((try? DNSMessage(decoding: datagram)) != nil, "round \(round)")
                answered += 1
            }
            for message in processor.processStream(bytes, source: source) {
                #expect(message.count <= 0xFFFF)
                #expect((try? DNSMessage(decoding: message)) != nil, "round \(round)")
            }
        }
        #expect(answered > 5_000)
        // Only the signed, unmutated UPDATE (sent once per transport) could change the zone;
        // a mutated one fails its TSIG.
        let serial = try #require(store.zone(name("example.org"))?.soa.serial)
        #expect(serial >= 101 && serial <= 103)
    }
}
