import Testing

@testable import DNS

@Suite struct NameCompressionTests {
    private func decodingError(_ wire: [UInt8]) -> DNSDecodingError.Code? {
        let error = #expect(throws: DNSDecodingError.self) { try DNSMessage(decoding: wire) }
        return error?.code
    }

    /// A header with one question, then `body`.
    private func question(_ body: String) -> [UInt8] {
        hexBytes("0001 0000 0001 0000 0000 0000") + hexBytes(body)
    }

    @Test func compressionShrinksRepeatedNames() throws {
        let owner = name("host.service.example.org")
        let records = (1...10).map {
            ResourceRecord(name: owner, ttl: 60, data: .a(IPv4Address(10, 0, 0, UInt8($0))))
        }
        let message = DNSMessage(id: 1, questions: [Question(name: owner, type: .a)], answers: records)
        let wire = try message.encode()
        // Every owner after the question is a 2-octet pointer instead of 26 octets.
        #expect(wire.count == 12 + (owner.wireLength + 4) + 10 * (2 + 10 + 4))
        #expect(try DNSMessage(decoding: wire) == message)
    }

    @Test func suffixesAreSharedAcrossNamesAndRDATA() throws {
        let message = DNSMessage(
            id: 1, isResponse: true, questions: [Question(name: name("example.org"), type: .ns)],
            answers: [ResourceRecord(name: name("EXAMPLE.org"), ttl: 60, data: .ns(name("ns1.example.org")))])
        let wire = try message.encode()
        // ns1 + pointer: 1 + 3 + 2 octets of RDATA.
        #expect(wire.suffix(8) == [0, 6, 3, 0x6E, 0x73, 0x31, 0xC0, 0x0C])
        #expect(try DNSMessage(decoding: wire).answers[0].data == .ns(name("ns1.example.org")))
    }

    @Test func aPointerLoopIsRefused() {
        // "a" then a pointer back to the start of the same name.
        #expect(decodingError(question("01 61 c00c 0001 0001")) == .pointerLoop)
    }

    @Test func aPointerToItselfIsRefused() {
        #expect(decodingError(question("c00c 0001 0001")) == .forwardPointer)
    }

    @Test func aForwardPointerIsRefused() {
        #expect(decodingError(question("c00e 0001 0001")) == .forwardPointer)
    }

    @Test func aPointerOutsideThePacketIsRefused() {
        #expect(decodingError(question("01 61 c0ff 0001 0001")) == .pointerOutOfRange)
    }

    @Test func aLabelOver63OctetsIsRefused() {
        let label = "40" + String(repeating: "61", count: 64)
        #expect(decodingError(question(label + "00 0001 0001")) == .labelTooLong)
    }

    @Test func theReservedLabelTypeIsRefused() {
        #expect(decodingError(question("80 0001 0001")) == .badLabelType)
    }

    @Test func aNameOver255OctetsIsRefused() {
        let label = "3f" + String(repeating: "61", count: 63)
        let longest = String(repeating: label, count: 3) + "3d" + String(repeating: "62", count: 61) + "00"
        #expect((try? DNSMessage(decoding: question(longest + "0001 0001"))) != nil)
        let tooLong = String(repeating: label, count: 3) + "3e" + String(repeating: "62", count: 62) + "00"
        #expect(decodingError(question(tooLong + "0001 0001")) == .nameTooLong)
    }

    @Test func aNameTooLongOnlyThroughPointersIsRefused() {
        // Two names of 190 octets: the second adds 130 more before pointing at the first.
        let label = "3f" + String(repeating: "61", count: 63)
        let first = label + label + "3d" + String(repeating: "62", count: 61) + "00"
        let second = label + label + "c00c"
        let wire =
            hexBytes("0001 0000 0002 0000 0000 0000") + hexBytes(first + "0001 0001" + second + "0001 0001")
        #expect(decodingError(wire) == .nameTooLong)
    }

    @Test func unprintableOctetsAreEscapedInTheSpelling() {
        let odd = DomainName(uncheckedWireLabels: [[0x61, 0x2E, 0x20], [0xC3]])
        #expect(odd.description == "a\\046\\032.\\195.")
    }
}
