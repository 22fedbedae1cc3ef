import Testing

@testable import DNS

@Suite struct EDNSTests {
    @Test func theOPTRecordRoundTripsWithItsOptions() throws {
        let edns = EDNS(
            udpPayloadSize: 4096, version: 0, dnssecOK: true, otherFlags: 0x0001,
            options: [
                EDNSOption(code: 10, data: [1, 2, 3, 4, 5, 6, 7, 8]), EDNSOption(code: 65001, data: []),
            ])
        let message = DNSMessage(
            id: 9, recursionDesired: true, questions: [Question(name: name("example.org"), type: .aaaa)],
            additionals: [
                ResourceRecord(name: name("x.example.org"), ttl: 1, data: .a(IPv4Address(1, 2, 3, 4)))
            ],
            edns: edns)
        let wire = try message.encode()
        let decoded = try DNSMessage(decoding: wire)
        #expect(decoded == message)
        #expect(decoded.additionals.count == 1)
        #expect(wire[11] == 2)
    }

    @Test func theOPTRecordHasTheLayoutOfRFC6891() throws {
        let message = DNSMessage(id: 1, edns: EDNS(udpPayloadSize: 1232, dnssecOK: true))
        let wire = try message.encode()
        #expect(Array(wire.suffix(11)) == hexBytes("00 0029 04d0 00 00 8000 0000"))
    }

    @Test func anExtendedResponseCodeIsSplitBetweenHeaderAndOPT() throws {
        let message = DNSMessage(id: 1, isResponse: true, responseCode: .badVersion, edns: EDNS())
        let wire = try message.encode()
        #expect(wire[3] & 0x0F == 0)
        #expect(wire[wire.count - 6] == 1)
        #expect(try DNSMessage(decoding: wire).responseCode == .badVersion)
    }

    @Test func anExtendedResponseCodeNeedsEDNS() {
        let error = #expect(throws: DNSEncodingError.self) {
            try DNSMessage(id: 1, responseCode: .badVersion).encode()
        }
        #expect(error?.code == .extendedResponseCodeWithoutEDNS)
    }

    @Test func anOPTRecordNotAtTheRootIsRefused() {
        let wire =
            WireVectorTests.query.enumerated().map { $0 == 11 ? 1 : $1 }
            + hexBytes("01 61 00 0029 0200 00000000 0000")
        let error = #expect(throws: DNSDecodingError.self) { try DNSMessage(decoding: wire) }
        #expect(error?.code == .badOPT)
    }
}
