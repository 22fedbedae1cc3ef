import NIOCore
import Testing

@testable import DNS

/// AXFR and IXFR through the query processor: who may transfer, what an incremental answer
/// holds, and that applying it to the client's version gives the server's.
@Suite struct ZoneTransferTests {
    private let transferKey = TSIGKey(name: name("xfr-key"), algorithm: .hmacSHA256, secret: Array(1...32))
    private let clock = TSIGClock.fixed(1_800_000_000)

    private func processor(
        _ store: ZoneStore, sources: Set<String> = [], keys: [TSIGKey] = [], updateKeys: [TSIGKey] = []
    ) -> DNSQueryProcessor {
        DNSQueryProcessor(
            store: store, responder: AuthoritativeResponder(rotation: { 0 }),
            configuration: DNSServerConfiguration(
                transferSources: sources, transferKeys: keys, updateKeys: updateKeys),
            clock: clock)
    }

    private func ixfr(_ zone: String, from serial: UInt32, id: UInt16 = 9) -> DNSMessage {
        var soa = ZoneFixtures.soa
        soa.serial = serial
        return DNSMessage(
            id: id, questions: [Question(name: name(zone), type: .ixfr)],
            authorities: [ResourceRecord(name: name(zone), ttl: 0, data: .soa(soa))])
    }

    /// A store whose example.org went 100 -> 101 (www .1 replaced by .9) -> 102 (a TXT added).
    private func changedStore() -> (ZoneStore, old: Zone, new: Zone) {
        let store = ZoneStore()
        let old = store.replace(ZoneFixtures.exampleOrg(serial: 100))
        var records = old.recordsWithoutSOA.filter { $0 != ZoneFixtures.a("www.example.org", 1) }
        records.append(ZoneFixtures.a("www.example.org", 9))
        store.replace(try! Zone(origin: old.origin, soa: old.soa, soaTTL: old.soaTTL, records: records))
        records.append(ResourceRecord(name: name("note.example.org"), ttl: 60, data: .text("v102")))
        let new = store.replace(
            try! Zone(origin: old.origin, soa: old.soa, soaTTL: old.soaTTL, records: records))
        return (store, old, new)
    }

    private func decode(_ messages: [[UInt8]]) throws -> [DNSMessage] {
        try messages.map { try DNSMessage(decoding: $0) }
    }

    /// Applies an IXFR answer's difference sequences to `records` as a secondary would.
    private func apply(_ answer: [ResourceRecord], to records: Set<ResourceRecord>) throws -> Set<
        ResourceRecord
    > {
        var records = records
        var index = 1  // after the leading current SOA
        while index < answer.count - 1 {
            #expect(answer[index].type == .soa)  // old SOA: deletions follow
            index += 1
            while answer[index].type != .soa {
                #expect(records.remove(answer[index]) != nil)
                index += 1
            }
            index += 1  // new SOA: additions follow
            while index < answer.count - 1, answer[index].type != .soa {
                records.insert(answer[index])
                index += 1
            }
        }
        return records
    }

    @Test func incrementalRecordsChooseBetweenSOAOnlyDifferencesAndFullTransfer() {
        let (store, old, new) = changedStore()
        let (zone, history) = store.zoneWithHistory(old.origin)!
        #expect(history.count == 2)
        #expect(ZoneTransfer.incrementalRecords(of: zone, history: history, from: 102) == [new.soaRecord])
        // A client claiming a newer serial is told the current one, not sent anything older.
        #expect(ZoneTransfer.incrementalRecords(of: zone, history: history, from: 200) == [new.soaRecord])
        let fromOld = ZoneTransfer.incrementalRecords(of: zone, history: history, from: 100)
        #expect(fromOld.first == new.soaRecord && fromOld.last == new.soaRecord)
        #expect(fromOld[1] == old.soaRecord)
        #expect(fromOld.filter { $0.type == .soa }.count == 6)
        let fromMiddle = ZoneTransfer.incrementalRecords(of: zone, history: history, from: 101)
        #expect(fromMiddle.filter { $0.type == .soa }.count == 4)
        // A serial never held, or one older than the history: a full transfer.
        #expect(
            ZoneTransfer.incrementalRecords(of: zone, history: history, from: 99)
                == ZoneTransfer.fullRecords(of: zone))
        #expect(
            ZoneTransfer.incrementalRecords(of: zone, history: [], from: 100)
                == ZoneTransfer.fullRecords(of: zone))
    }

    @Test func ixfrOverTCPTakesTheClientToTheCurrentVersion() throws {
        let (store, old, new) = changedStore()
        let messages = try decode(
            processor(store, sources: ["127.0.0.1"]).processStream(
                try ixfr("example.org", from: 100).encode(), source: address("127.0.0.1")))
        #expect(messages.first?.id == 9)
        #expect(messages.allSatisfy { $0.responseCode == .noError && $0.isAuthoritative })
        let answer = messages.flatMap(\.answers)
        let updated = try apply(answer, to: Set(old.recordsWithoutSOA))
        #expect(updated == Set(new.recordsWithoutSOA))
        #expect(answer.count == 1 + 2 * 2 + 3 + 1)  // SOA, (SOA -1 SOA +1), (SOA SOA +1), SOA
    }

    @Test func ixfrWithoutHistoryIsAFullTransferAndAnUpToDateClientGetsTheSOA() throws {
        let (store, _, new) = changedStore()
        let processor = processor(store, sources: ["127.0.0.1"])
        let full = try decode(
            processor.processStream(try ixfr("example.org", from: 7).encode(), source: address("127.0.0.1")))
        #expect(full.flatMap(\.answers) == ZoneTransfer.fullRecords(of: new))
        let current = try decode(
            processor.processStream(try ixfr("example.org", from: 102).encode(), source: address("127.0.0.1"))
        )
        #expect(current.count == 1)
        #expect(current[0].answers == [new.soaRecord])
    }

    @Test func ixfrOverUDPSendsTheAnswerWhenItFitsElseTheSOA() throws {
        let (store, old, new) = changedStore()
        let processor = processor(store, sources: ["127.0.0.1"])
        let small = try #require(
            processor.process(try ixfr("example.org", from: 101).encode(), source: address("127.0.0.1")) {
                _ in 512
            })
        let smallAnswer = try DNSMessage(decoding: small).answers
        #expect(
            try apply(
                smallAnswer,
                to: Set(
                    store.history(old.origin)[0].added
                        + old.recordsWithoutSOA.filter { $0 != ZoneFixtures.a("www.example.org", 1) }))
                == Set(new.recordsWithoutSOA))
        // The full zone (200-address pool) does not fit in 512 octets: only the SOA, no TC.
        let large = try #require(
            processor.process(try ixfr("example.org", from: 5).encode(), source: address("127.0.0.1")) { _ in
                512
            })
        let decoded = try DNSMessage(decoding: large)
        #expect(decoded.answers == [new.soaRecord])
        #expect(!decoded.isTruncated)
        // AXFR needs TCP.
        let axfr = DNSMessage(id: 1, questions: [Question(name: name("example.org"), type: .axfr)])
        let refused = try #require(
            processor.process(try axfr.encode(), source: address("127.0.0.1")) { _ in 512 })
        #expect(try DNSMessage(decoding: refused).responseCode == .refused)
    }

    @Test func malformedIXFRRequestsAreFORMERRAndOtherZonesNOTAUTH() throws {
        let (store, _, _) = changedStore()
        let processor = processor(store, sources: ["127.0.0.1"])
        let noSOA = DNSMessage(id: 3, questions: [Question(name: name("example.org"), type: .ixfr)])
        let answer = try decode(processor.processStream(try noSOA.encode(), source: address("127.0.0.1")))
        #expect(answer.map(\.responseCode) == [.formatError])
        let other = try decode(
            processor.processStream(try ixfr("example.net", from: 1).encode(), source: address("127.0.0.1")))
        #expect(other.map(\.responseCode) == [.notAuth])
    }

    @Test func aTransferSignedWithATransferKeyIsAllowedFromAnywhereAndSigned() throws {
        let (store, _, new) = changedStore()
        let processor = processor(store, keys: [transferKey])
        let request = DNSMessage(id: 4, questions: [Question(name: name("example.org"), type: .axfr)])
        let (bytes, mac) = try TSIGSigner(key: transferKey, clock: clock).sign(request)
        let messages = processor.processStream(bytes, source: address("192.0.2.99"))
        var verifier = TSIGStreamVerifier(
            verifier: TSIGVerifier(keys: [transferKey], clock: clock), requestMAC: mac)
        let decoded = try messages.map { try verifier.verify($0) }
        try verifier.finish()
        #expect(decoded.flatMap(\.answers) == ZoneTransfer.fullRecords(of: new))
        // Unsigned from the same address: refused.
        let unsigned = try decode(
            processor.processStream(try request.encode(), source: address("192.0.2.99")))
        #expect(unsigned.map(\.responseCode) == [.refused])
    }

    @Test func keysOtherThanTransferKeysCannotTransfer() throws {
        let (store, _, _) = changedStore()
        let updateKey = TSIGKey(name: name("update-key"), algorithm: .hmacSHA256, secret: Array(40...71))
        let processor = processor(store, keys: [transferKey], updateKeys: [updateKey])
        let request = DNSMessage(id: 4, questions: [Question(name: name("example.org"), type: .axfr)])
        // A known key without transfer rights: REFUSED, signed.
        let (signed, mac) = try TSIGSigner(key: updateKey, clock: clock).sign(request)
        let refusal = try #require(processor.processStream(signed, source: address("192.0.2.99")).first)
        let verified = try TSIGVerifier(keys: [updateKey], clock: clock).verify(refusal, requestMAC: mac)
        #expect(verified.message.responseCode == .refused)
        // An unknown key: NOTAUTH with BADKEY, unsigned.
        let stranger = TSIGKey(name: name("stranger"), algorithm: .hmacSHA256, secret: Array(1...32))
        let (strange, _) = try TSIGSigner(key: stranger, clock: clock).sign(request)
        let answer = try DNSMessage(
            decoding: try #require(processor.processStream(strange, source: address("192.0.2.99")).first))
        #expect(answer.responseCode == .notAuth)
        #expect(answer.tsig?.record.error == .badKey)
        #expect(answer.tsig?.record.mac == [])
        // The right name with the wrong secret: BADSIG.
        let forged = TSIGKey(name: transferKey.name, algorithm: .hmacSHA256, secret: Array(2...33))
        let (bad, _) = try TSIGSigner(key: forged, clock: clock).sign(request)
        let badAnswer = try DNSMessage(
            decoding: try #require(processor.processStream(bad, source: address("192.0.2.99")).first))
        #expect(badAnswer.tsig?.record.error == .badSignature)
    }

    @Test func aSignedQueryGetsASignedAnswerCutToTheUDPSize() throws {
        let store = ZoneStore()
        store.replace(ZoneFixtures.exampleOrg())
        let processor = processor(store, keys: [transferKey])
        let query = DNSMessage(id: 6, questions: [Question(name: name("pool.example.org"), type: .a)])
        let (bytes, mac) = try TSIGSigner(key: transferKey, clock: clock).sign(query)
        let response = try #require(processor.process(bytes) { _ in 512 })
        #expect(response.count <= 512)
        let verified = try TSIGVerifier(keys: [transferKey], clock: clock).verify(response, requestMAC: mac)
        #expect(verified.message.isTruncated)
        #expect(verified.message.isAuthoritative)
        let small = DNSMessage(id: 7, questions: [Question(name: name("www.example.org"), type: .a)])
        let (smallBytes, smallMAC) = try TSIGSigner(key: transferKey, clock: clock).sign(small)
        let answer = try #require(processor.process(smallBytes) { _ in 512 })
        let smallVerified = try TSIGVerifier(keys: [transferKey], clock: clock).verify(
            answer, requestMAC: smallMAC)
        #expect(smallVerified.message.answers.count == 3)
    }

    @Test func aBadTimeIsAnsweredSignedWithTheServerTime() throws {
        let store = ZoneStore()
        store.replace(ZoneFixtures.exampleOrg())
        let processor = processor(store, keys: [transferKey])
        let query = DNSMessage(id: 6, questions: [Question(name: name("www.example.org"), type: .a)])
        let (bytes, mac) = try TSIGSigner(key: transferKey, clock: .fixed(1_800_000_000 - 3600)).sign(query)
        let response = try #require(processor.process(bytes) { _ in 512 })
        let message = try DNSMessage(decoding: response)
        #expect(message.responseCode == .notAuth)
        #expect(message.tsig?.record.error == .badTime)
        #expect(message.tsig?.record.otherData == [0, 0, 0x6B, 0x49, 0xD2, 0x00])
        // The MAC is genuine (checked before the error field): the client learns the error.
        do {
            _ = try TSIGVerifier(keys: [transferKey], clock: clock).verify(response, requestMAC: mac)
            Issue.record("a BADTIME answer verified as a success")
        } catch {
            #expect(error.code == .rejectedByPeer)
            #expect(error.peerError == .badTime)
        }
    }
}

/// A client address for the query processor.
private func address(_ ip: String) -> SocketAddress {
    try! SocketAddress(ipAddress: ip, port: 5300)
}
