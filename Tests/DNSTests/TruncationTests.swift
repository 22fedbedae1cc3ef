import Testing

@testable import DNS

@Suite struct TruncationTests {
    private func response(answers: Int, additionals: Int = 0, edns: EDNS? = nil) -> DNSMessage {
        let owner = name("pool.example.org")
        let record = { (index: Int) in
            ResourceRecord(
                name: owner, ttl: 60, data: .a(IPv4Address(10, 0, UInt8(index / 256), UInt8(index % 256))))
        }
        return DNSMessage(
            id: 1, isResponse: true, questions: [Question(name: owner, type: .a)],
            answers: (0..<answers).map(record),
            additionals: (0..<additionals).map(record), edns: edns)
    }

    @Test func aMessageThatFitsIsUnchanged() throws {
        let message = response(answers: 3)
        #expect(try message.encode(maximumSize: 512) == message.encode())
    }

    @Test func answersThatDoNotFitAreDroppedWholeAndTCIsSet() throws {
        let wire = try response(answers: 100).encode(maximumSize: 512)
        #expect(wire.count <= 512)
        let decoded = try DNSMessage(decoding: wire)
        #expect(decoded.isTruncated)
        // Header 12, question 22, then 16 octets per answer.
        #expect(decoded.answers.count == (512 - 12 - 22) / 16)
    }

    @Test func theOPTRecordIsKeptWhenTruncating() throws {
        let wire = try response(answers: 100, edns: EDNS(udpPayloadSize: 1232)).encode(maximumSize: 512)
        #expect(wire.count <= 512)
        let decoded = try DNSMessage(decoding: wire)
        #expect(decoded.isTruncated)
        #expect(decoded.edns?.udpPayloadSize == 1232)
        #expect(decoded.answers.count == (512 - 12 - 22 - 11) / 16)
    }

    @Test func droppingOnlyAdditionalRecordsDoesNotSetTC() throws {
        let wire = try response(answers: 2, additionals: 100).encode(maximumSize: 512)
        let decoded = try DNSMessage(decoding: wire)
        #expect(!decoded.isTruncated)
        #expect(decoded.answers.count == 2)
        #expect(decoded.additionals.count < 100)
    }
}
