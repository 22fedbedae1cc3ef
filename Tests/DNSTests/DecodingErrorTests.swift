import Testing

@testable import DNS

@Suite struct DecodingErrorTests {
    static let answer = WireVectorTests.response

    private func code(_ wire: [UInt8]) -> DNSDecodingError.Code? {
        let error = #expect(throws: DNSDecodingError.self) { try DNSMessage(decoding: wire) }
        return error?.code
    }

    @Test func everyCutOfAResponseIsTruncated() {
        for length in 0..<Self.answer.count {
            #expect(code(Array(Self.answer.prefix(length))) == .truncated, "cut at \(length)")
        }
    }

    @Test func aTruncatedHeaderIsReported() {
        #expect(code([0x12, 0x34, 0x01]) == .truncated)
    }

    @Test func countsBeyondTheDataAreRefusedBeforeReading() {
        var wire = Self.answer
        wire[6] = 0xFF
        wire[7] = 0xFF
        #expect(code(wire) == .truncated)
    }

    @Test func rdataLongerThanTheRecordIsTruncated() {
        var wire = Self.answer
        wire[wire.count - 5] = 0x05
        #expect(code(wire) == .truncated)
    }

    @Test func bytesAfterTheLastRecordAreRefused() {
        #expect(code(Self.answer + [0]) == .trailingBytes)
    }

    @Test func twoOPTRecordsAreRefused() throws {
        let opt = hexBytes("00 0029 0200 00000000 0000")
        var wire = WireVectorTests.query
        wire[11] = 2
        #expect(code(wire + opt + opt) == .badOPT)
    }

    @Test func theErrorNamesItsOffset() {
        let error = #expect(throws: DNSDecodingError.self) {
            try DNSMessage(decoding: hexBytes("0001 0000 0001 0000 0000 0000 c0ff 0001 0001"))
        }
        #expect(error?.offset == 12)
        #expect(error?.description.contains("byte 12") == true)
    }
}
