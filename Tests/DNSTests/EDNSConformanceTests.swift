import LBTestSupport
import NIOCore
import Testing

@testable import DNS

/// Issue 12, item 3: EDNS in every answer to a request that had it (RFC 6891 section 7), the DO
/// bit copied (RFC 3225 section 3), and OPT records only where RFC 6891 section 6.1.1 allows.
@Suite struct EDNSConformanceTests {
    private static let transferKey = TSIGKey(name: name("xfr"), algorithm: .hmacSHA256, secret: Array(1...32))

    private func processor() -> DNSQueryProcessor {
        let store = ZoneStore()
        store.replace(ZoneFixtures.exampleOrg())
        return DNSQueryProcessor(
            store: store, responder: AuthoritativeResponder(),
            configuration: DNSServerConfiguration(transferKeys: [Self.transferKey]))
    }

    private func udpLimit(_ request: DNSMessage?) -> Int {
        request?.edns.map { max(512, Int($0.udpPayloadSize)) } ?? 512
    }

    /// The answer over UDP to `request`.
    private func answer(_ request: DNSMessage) throws -> DNSMessage {
        try answer(try request.encode())
    }

    private func answer(_ bytes: [UInt8]) throws -> DNSMessage {
        try DNSMessage(decoding: try #require(processor().process(bytes, maximumSize: udpLimit)))
    }

    private func query(
        _ owner: String, _ type: RecordType = .a, class: RecordClass = .in, opcode: Opcode = .query,
        edns: EDNS? = EDNS(udpPayloadSize: 4096, dnssecOK: true)
    ) -> DNSMessage {
        DNSMessage(
            id: 0x4242, opcode: opcode, recursionDesired: true,
            questions: [Question(name: name(owner), type: type, class: `class`)], edns: edns)
    }

    @Test(arguments: [true, false]) func theDOBitIsCopied(dnssecOK: Bool) throws {
        let response = try answer(query("www.example.org", edns: EDNS(dnssecOK: dnssecOK)))
        #expect(response.responseCode == .noError)
        #expect(response.edns?.dnssecOK == dnssecOK)
        #expect(response.edns?.udpPayloadSize == AuthoritativeResponder.payloadSize)
    }

    @Test func theResponderCopiesDOAndCD() throws {
        var request = query("nowhere.example.org")
        request.checkingDisabled = true
        let response = try #require(
            AuthoritativeResponder().respond(
                to: request, zones: [name("example.org"): ZoneFixtures.exampleOrg()]))
        #expect(response.responseCode == .nameError)
        #expect(response.edns?.dnssecOK == true)
        #expect(response.checkingDisabled)
    }

    /// Every kind of answer the server gives, from each of its paths, to a request with EDNS.
    @Test func everyAnswerToARequestWithEDNSHasAnOPT() throws {
        var requests: [(String, [UInt8], ResponseCode)] = [
            ("NOERROR", try query("www.example.org").encode(), .noError),
            ("NXDOMAIN", try query("nowhere.example.org").encode(), .nameError),
            ("REFUSED outside the zones", try query("www.example.net").encode(), .refused),
            (
                "REFUSED for another class",
                try query("www.example.org", class: RecordClass(rawValue: 3)).encode(), .refused
            ),
            ("FORMERR for a meta type", try query("www.example.org", .opt).encode(), .formatError),
            ("NOTIMP for NOTIFY", try query("example.org", .soa, opcode: .notify).encode(), .notImplemented),
            (
                "NOTIMP for IQUERY", try query("example.org", opcode: Opcode(rawValue: 1)).encode(),
                .notImplemented
            ),
            (
                "REFUSED for an unsigned UPDATE", try query("example.org", .soa, opcode: .update).encode(),
                .refused
            ),
            ("REFUSED for AXFR over UDP", try query("example.org", .axfr).encode(), .refused),
        ]
        var twoQuestions = query("www.example.org")
        twoQuestions.questions.append(Question(name: name("example.org"), type: .soa))
        requests.append(("FORMERR for two questions", try twoQuestions.encode(), .formatError))
        // An A record with 5 octets of RDATA before the OPT: the decoder refuses it, and the
        // OPT is still found behind it.
        var undecodable = try query("www.example.org", edns: nil).encode()
        undecodable[7] = 1
        undecodable[11] = 1
        undecodable +=
            [0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 5, 1, 2, 3, 4, 5] + CraftedPackets.opt(dnssecOK: true)
        requests.append(("FORMERR for bad RDATA", undecodable, .formatError))
        let unknownKey = TSIGKey(name: name("who"), algorithm: .hmacSHA256, secret: Array(5...36))
        let signed = try TSIGSigner(key: unknownKey).sign(query("www.example.org")).bytes
        requests.append(("NOTAUTH for an unknown key", signed, .notAuth))
        for (label, bytes, code) in requests {
            let response = try answer(bytes)
            #expect(response.responseCode == code, "\(label)")
            #expect(response.edns != nil, "\(label): no OPT in the answer")
            #expect(response.edns?.dnssecOK == true, "\(label): DO not copied")
        }
    }

    @Test func noAnswerHasAnOPTWhenTheRequestHadNone() throws {
        for request in [
            query("www.example.org", edns: nil), query("www.example.net", edns: nil),
            query("example.org", opcode: Opcode(rawValue: 2), edns: nil),
        ] {
            #expect(try answer(request).edns == nil)
        }
        #expect(try answer(CraftedPackets.manyQuestions()).edns == nil)
    }

    @Test func theFORMERRToTheCraftedQueryFitsIn512OctetsAndKeepsItsOPT() throws {
        let bytes = try #require(
            processor().process(CraftedPackets.manyQuestions(edns: true), maximumSize: udpLimit))
        #expect(bytes.count <= 512)
        let response = try DNSMessage(decoding: bytes)
        #expect(response.responseCode == .formatError)
        #expect(response.edns?.dnssecOK == true)
        #expect(response.questions.isEmpty)
    }

    @Test func anOPTInTheAnswerOrAuthoritySectionIsFORMERR() throws {
        // A query for www.example.org A whose only record, in the answer or the authority
        // section, is an OPT.
        for countOffset in [7, 9] {
            var bytes = try query("www.example.org", edns: nil).encode()
            bytes[countOffset] = 1
            bytes += CraftedPackets.opt()
            let error = #expect(throws: DNSDecodingError.self) { try DNSMessage(decoding: bytes) }
            #expect(error?.code == .badOPT)
            #expect(try answer(bytes).responseCode == .formatError)
        }
    }

    @Test func twoOPTRecordsAreFORMERR() throws {
        var bytes = try query("www.example.org", edns: nil).encode()
        bytes[11] = 2
        bytes += CraftedPackets.opt(dnssecOK: true) + CraftedPackets.opt(dnssecOK: true)
        let error = #expect(throws: DNSDecodingError.self) { try DNSMessage(decoding: bytes) }
        #expect(error?.code == .badOPT)
        let response = try answer(bytes)
        #expect(response.responseCode == .formatError)
        #expect(response.questions.isEmpty)
    }

    /// dig's view of a started server: `+dnssec` sets DO, and the answer's OPT carries it back,
    /// for an answer, a REFUSED and a NXDOMAIN alike; without it, no `do` flag.
    @Test func digSeesTheDOBitCopied() async throws {
        guard Peers.available("dig"), let dig = Peers.find("dig") else { return }
        let store = ZoneStore()
        store.replace(ZoneFixtures.exampleOrg())
        let server = DNSServer(configuration: DNSServerConfiguration(), store: store)
        let port = try #require(try await server.start().port)
        func ednsLine(_ arguments: [String]) throws -> String? {
            let result = try Peers.run(
                dig, ["@127.0.0.1", "-p", String(port), "+time=3", "+tries=1"] + arguments, timeout: 20)
            #expect(result.status == 0, "dig failed: \(result.errors)")
            return result.output.split(separator: "\n").first { $0.hasPrefix("; EDNS:") }.map(String.init)
        }
        do {
            for question in [
                ["www.example.org", "A"], ["www.example.net", "A"], ["nowhere.example.org", "TXT"],
            ] {
                let signed = try ednsLine(["+dnssec"] + question)
                #expect(signed?.contains("flags: do;") == true, "\(question): \(signed ?? "no OPT")")
                let plain = try ednsLine(["+edns=0"] + question)
                #expect(plain != nil && plain?.contains(" do") == false, "\(question): \(plain ?? "no OPT")")
            }
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    @Test func theSkimFindsTheOPTWithoutDecoding() throws {
        #expect(DNSMessage.skimEDNS(try query("www.example.org").encode())?.dnssecOK == true)
        #expect(DNSMessage.skimEDNS(try query("www.example.org", edns: nil).encode()) == nil)
        #expect(DNSMessage.skimEDNS(CraftedPackets.manyQuestions(edns: true))?.udpPayloadSize == 4096)
        // An OPT-typed record in the answer section is not the request's EDNS.
        var misplaced = try query("www.example.org", edns: nil).encode()
        misplaced[7] = 1
        #expect(DNSMessage.skimEDNS(misplaced + CraftedPackets.opt()) == nil)
        // Cut anywhere, the skim ends without an answer and without reading past the end.
        let whole = CraftedPackets.manyQuestions(20, edns: true)
        for length in 0..<whole.count {
            #expect(DNSMessage.skimEDNS(Array(whole.prefix(length))) == nil)
        }
    }
}
