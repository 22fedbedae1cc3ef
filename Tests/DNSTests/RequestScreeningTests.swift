import NIOCore
import Testing

@testable import DNS

/// Issue 12, item 1: a request is judged by its header before any name is decoded, and the
/// decoder's work per message is bounded, so a packet built to be expensive costs little.
@Suite struct RequestScreeningTests {
    private func processor() -> DNSQueryProcessor {
        let store = ZoneStore()
        store.replace(ZoneFixtures.exampleOrg())
        return DNSQueryProcessor(
            store: store, responder: AuthoritativeResponder(), configuration: DNSServerConfiguration())
    }

    /// The size limit the UDP handler applies: 512 octets without EDNS.
    private func udpLimit(_ request: DNSMessage?) -> Int {
        request?.edns.map { max(512, Int($0.udpPayloadSize)) } ?? 512
    }

    private func header(_ bytes: [UInt8]) throws -> DNSHeader {
        try #require(DNSHeader(bytes))
    }

    // MARK: The header decides

    @Test func theCraftedQueryIsAnsweredFORMERRFromItsHeader() throws {
        let crafted = CraftedPackets.manyQuestions()
        #expect(crafted.count == 8191)
        #expect(DNSRequestScreening(crafted) == .answerHeaderOnly(.formatError))
        let answer = try #require(processor().process(crafted, maximumSize: udpLimit))
        // The header alone: before, every question was echoed and the FORMERR was 8,191 octets.
        #expect(answer.count == 12)
        let response = try DNSMessage(decoding: answer)
        #expect(response.id == 0xABCD)
        #expect(response.isResponse && response.responseCode == .formatError)
        #expect(response.questions.isEmpty && response.edns == nil)
        #expect(response.recursionDesired)
    }

    @Test func theCraftedResponseIsDroppedFromItsHeader() {
        let crafted = CraftedPackets.manyQuestions(response: true)
        #expect(DNSRequestScreening(crafted) == .drop)
        #expect(processor().process(crafted, maximumSize: udpLimit) == nil)
        #expect(processor().processStream(crafted, source: nil).isEmpty)
    }

    @Test func aPlainQueryIsDecoded() throws {
        let query = DNSMessage(id: 1, questions: [Question(name: name("www.example.org"), type: .a)])
        #expect(DNSRequestScreening(try query.encode()) == .decode)
    }

    @Test(arguments: [Opcode.query, .notify, .update], [0, 2])
    func aQuestionOrZoneCountOtherThanOneIsFORMERR(opcode: Opcode, count: Int) throws {
        let request = DNSMessage(
            id: 7, opcode: opcode,
            questions: Array(repeating: Question(name: name("example.org"), type: .soa), count: count))
        let bytes = try request.encode()
        #expect(DNSRequestScreening(bytes) == .answerHeaderOnly(.formatError))
        let answer = try DNSMessage(
            decoding: try #require(processor().processStream(bytes, source: nil).first))
        #expect(answer.responseCode == .formatError)
        #expect(answer.opcode == opcode)
        #expect(answer.questions.isEmpty)
    }

    @Test(arguments: [UInt8(1), 2, 3, 6, 15])
    func anUnknownOpcodeIsNOTIMPFromItsHeader(opcode: UInt8) throws {
        let request = DNSMessage(
            id: 9, opcode: Opcode(rawValue: opcode),
            questions: [Question(name: name("www.example.org"), type: .a)])
        let bytes = try request.encode()
        #expect(DNSRequestScreening(bytes) == .answerHeaderOnly(.notImplemented))
        let answer = try DNSMessage(decoding: try #require(processor().process(bytes, maximumSize: udpLimit)))
        #expect(answer.responseCode == .notImplemented)
        #expect(answer.opcode.rawValue == opcode)
    }

    @Test func countsThePacketCannotHoldAreFORMERRFromTheHeader() throws {
        var bytes = try DNSMessage(id: 1, questions: [Question(name: name("www.example.org"), type: .a)])
            .encode()
        bytes[10] = 0xFF
        bytes[11] = 0xFF
        #expect(DNSRequestScreening(bytes) == .answerHeaderOnly(.formatError))
        #expect(DNSHeader(bytes)?.countsFit(messageLength: bytes.count) == false)
    }

    @Test func aShortPacketIsDropped() {
        #expect(DNSRequestScreening([0x12, 0x34, 0x01]) == .drop)
        #expect(processor().process([0x12, 0x34, 0x01], maximumSize: udpLimit) == nil)
    }

    // MARK: The decoder's work is bounded

    @Test func decodingTheCraftedQueryStopsAtTheNameLimit() throws {
        let crafted = CraftedPackets.manyQuestions()
        let limits = DNSDecodingLimits.standard(forLength: crafted.count)
        var reader = DNSWireReader(crafted, limits: limits)
        reader.skip(12)
        var names = 0
        let error = #expect(throws: DNSDecodingError.self) {
            while true {
                _ = try reader.readName()
                reader.skip(4)
                names += 1
            }
        }
        #expect(error?.code == .tooManyNameOctets)
        // The work done is the limit, not the 1,321 names × 255 octets the packet asks for.
        #expect(reader.nameOctets <= limits.maximumNameOctets)
        #expect(names * 255 <= limits.maximumNameOctets)
        #expect(names < 1321 / 2)
        let whole = #expect(throws: DNSDecodingError.self) { try DNSMessage(decoding: crafted) }
        #expect(whole?.code == .tooManyNameOctets)
    }

    @Test func recordsOwnedByPointersToALongNameStopAtTheNameLimit() throws {
        // 600 records: 9.9 KB on the wire, 153 KB of names.
        let bytes = CraftedPackets.manyRecordsAtLongName(600)
        #expect(DNSRequestScreening(bytes) == .decode)
        let error = #expect(throws: DNSDecodingError.self) { try DNSMessage(decoding: bytes) }
        #expect(error?.code == .tooManyNameOctets)
        // Fewer of them decode: 40 records at a 255-octet name is already far above real messages.
        #expect(try DNSMessage(decoding: CraftedPackets.manyRecordsAtLongName(40)).additionals.count == 40)
        // And the server answers FORMERR without echoing anything.
        let answer = try #require(processor().process(bytes, maximumSize: udpLimit))
        #expect(answer.count == 12)
        #expect(try DNSMessage(decoding: answer).responseCode == .formatError)
    }

    @Test func aNameFollowsAtMost127Pointers() throws {
        let generous = DNSDecodingLimits(maximumPointers: .max, maximumNameOctets: .max)
        let fits = CraftedPackets.pointerChain(127)
        #expect(try DNSMessage(decoding: fits, limits: generous).answers.count == 127)
        let error = #expect(throws: DNSDecodingError.self) {
            try DNSMessage(decoding: CraftedPackets.pointerChain(128), limits: generous)
        }
        #expect(error?.code == .tooManyPointers)
    }

    @Test func theMessageFollowsAtMostItsPointerLimit() throws {
        // 127 records following 1 + 2 + ... + 127 = 8,128 pointers in 1,543 octets.
        let bytes = CraftedPackets.pointerChain(127)
        let limits = DNSDecodingLimits.standard(forLength: bytes.count)
        #expect(limits.maximumPointers < 8128)
        let error = #expect(throws: DNSDecodingError.self) { try DNSMessage(decoding: bytes) }
        #expect(error?.code == .tooManyPointers)
        var reader = DNSWireReader(bytes, limits: limits)
        reader.skip(19)
        while (try? reader.readName()) != nil { reader.skip(10) }
        #expect(reader.pointersFollowed <= limits.maximumPointers)
    }

    @Test func rdataNamesCountAgainstTheMessageLimits() throws {
        // One question for the long name and 300 CNAME answers owned by the root whose targets
        // point to it: 13 octets each on the wire, 256 to decode, nearly all in the RDATA.
        var bytes: [UInt8] = [0x12, 0x34, 0x01, 0x00, 0, 1, 0x01, 0x2C, 0, 0, 0, 0]
        bytes += CraftedPackets.longName + [0, 5, 0, 1]
        for _ in 0..<300 { bytes += [0, 0, 5, 0, 1, 0, 0, 0, 60, 0, 2, 0xC0, 12] }
        let error = #expect(throws: DNSDecodingError.self) { try DNSMessage(decoding: bytes) }
        #expect(error?.code == .tooManyNameOctets)
        // With no limit, the same message decodes.
        let generous = DNSDecodingLimits(maximumPointers: .max, maximumNameOctets: .max)
        #expect(try DNSMessage(decoding: bytes, limits: generous).answers.count == 300)
    }

    @Test func everyRealMessageOfTheTestsDecodesWithinTheLimits() throws {
        for seed in try DecoderFuzzTests.seeds() {
            #expect((try? DNSMessage(decoding: seed)) != nil)
        }
        // A 64 KB transfer message of a zone with 1,500 host names.
        let zone = SecondaryInteropTests.zone(serial: 1, addresses: ["192.0.2.1"], filler: 1500)
        let request = DNSMessage(id: 1, questions: [Question(name: zone.origin, type: .axfr)])
        let messages = try #require(
            ZoneTransfer.messages(answering: request, records: ZoneTransfer.fullRecords(of: zone), reserve: 0)
        )
        for message in messages {
            #expect((try? DNSMessage(decoding: message)) != nil)
        }
    }
}
