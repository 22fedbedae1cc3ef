import Testing

@testable import DNS

/// Messages written by hand, field by field, from RFC 1035 section 4.
@Suite struct WireVectorTests {
    static let query = hexBytes(
        """
        1234 0100 0001 0000 0000 0000
        03 777777 07 6578616d706c65 03 636f6d 00  0001 0001
        """)

    static let response = hexBytes(
        """
        1234 8180 0001 0001 0000 0000
        03 777777 07 6578616d706c65 03 636f6d 00  0001 0001
        c00c 0001 0001 00000e10 0004 c0000201
        """)

    @Test func aQueryForWwwExampleComADecodes() throws {
        let message = try DNSMessage(decoding: Self.query)
        #expect(message.id == 0x1234)
        #expect(!message.isResponse)
        #expect(message.opcode == .query)
        #expect(message.recursionDesired)
        #expect(message.questions == [Question(name: name("www.example.com."), type: .a)])
        #expect(message.answers.isEmpty && message.additionals.isEmpty && message.edns == nil)
    }

    @Test func theQueryEncodesToTheHandWrittenOctets() throws {
        let message = DNSMessage(
            id: 0x1234, recursionDesired: true, questions: [Question(name: name("www.example.com"), type: .a)]
        )
        #expect(try message.encode() == Self.query)
    }

    @Test func aResponseWithACompressedAnswerNameDecodes() throws {
        let message = try DNSMessage(decoding: Self.response)
        #expect(message.isResponse && message.recursionDesired && message.recursionAvailable)
        #expect(message.responseCode == .noError)
        #expect(
            message.answers == [
                ResourceRecord(name: name("www.example.com"), ttl: 3600, data: .a(IPv4Address(192, 0, 2, 1)))
            ])
    }

    @Test func theResponseEncodesWithThePointerToOffset12() throws {
        let message = try DNSMessage(decoding: Self.response)
        #expect(try message.encode() == Self.response)
    }

    @Test func namesCompareWithoutRegardToCase() throws {
        let upper = Self.response.enumerated().map { index, octet in
            (13...15).contains(index) ? octet & ~0x20 : octet
        }
        let message = try DNSMessage(decoding: upper)
        #expect(message.questions[0].name.description == "WWW.example.com.")
        #expect(message.answers[0].name == message.questions[0].name)
        #expect(message.answers[0].name.hashValue == name("www.EXAMPLE.com").hashValue)
    }

    @Test func everyHeaderFlagRoundTrips() throws {
        let message = DNSMessage(
            id: 0xBEEF, isResponse: true, opcode: .notify, isAuthoritative: true, isTruncated: true,
            recursionDesired: true, recursionAvailable: true, authenticData: true, checkingDisabled: true,
            responseCode: .refused)
        let wire = try message.encode()
        #expect(wire[2] == 0x80 | 4 << 3 | 0x04 | 0x02 | 0x01)
        #expect(wire[3] == 0x80 | 0x20 | 0x10 | 5)
        #expect(try DNSMessage(decoding: wire) == message)
    }
}
