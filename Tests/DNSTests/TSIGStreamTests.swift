import Testing

@testable import DNS

@Suite struct TSIGStreamTests {
    static let request = try! TSIGTests.signer().sign(
        DNSMessage(id: 5, questions: [Question(name: name("lb.example.org"), type: .axfr)]))

    static func part(_ index: Int) -> [UInt8] {
        let record = ResourceRecord(
            name: name("h\(index).lb.example.org"), ttl: 60, data: .a(IPv4Address(10, 0, 0, UInt8(index))))
        return try! DNSMessage(id: 5, isResponse: true, answers: [record]).encode()
    }

    @Test func aStreamSignedMessageByMessageVerifies() throws {
        var signer = TSIGStreamSigner(signer: TSIGTests.signer(), requestMAC: Self.request.mac)
        var verifier = TSIGStreamVerifier(verifier: TSIGTests.verifier(), requestMAC: Self.request.mac)
        for index in 0..<5 {
            let message = try verifier.verify(try signer.sign(wire: Self.part(index)))
            #expect(message == (try DNSMessage(decoding: Self.part(index))))
        }
        try verifier.finish()
    }

    @Test func onlyTheFirstMessageCarriesAllTheVariables() throws {
        var signer = TSIGStreamSigner(signer: TSIGTests.signer(), requestMAC: Self.request.mac)
        let first = try signer.sign(wire: Self.part(0))
        let second = try signer.sign(wire: Self.part(1))
        // A later message verified alone, as if it were a whole response, does not match.
        #expect(throws: TSIGError.self) {
            try TSIGTests.verifier().verify(second, requestMAC: Self.request.mac)
        }
        #expect(
            try TSIGTests.verifier().verify(first, requestMAC: Self.request.mac).message.answers.count == 1)
    }

    /// Signs message `index` of a stream of `count`, leaving unsigned those in `unsigned`, as a
    /// server that signs every few messages would (the MAC covers everything since the last one).
    private func stream(count: Int, unsigned: Set<Int>) throws -> [[UInt8]] {
        var previousMAC = Self.request.mac
        var pending: [UInt8] = []
        var messages: [[UInt8]] = []
        let signer = TSIGTests.signer()
        for index in 0..<count {
            let wire = Self.part(index)
            if unsigned.contains(index) {
                pending += wire
                messages.append(wire)
                continue
            }
            let signed = signer.signWire(
                pending + wire, priorMAC: previousMAC, timersOnly: index > 0)
            // The covered octets are the pending messages and this one; only this one is sent.
            let tsig = Array(signed.bytes[(pending.count + wire.count)...])
            var sent = wire
            sent[11] += 1
            messages.append(sent + tsig)
            previousMAC = signed.mac
            pending = []
        }
        return messages
    }

    @Test func unsignedMessagesBetweenSignedOnesAreCovered() throws {
        let messages = try stream(count: 8, unsigned: [1, 2, 3, 6])
        var verifier = TSIGStreamVerifier(verifier: TSIGTests.verifier(), requestMAC: Self.request.mac)
        for message in messages { _ = try verifier.verify(message) }
        try verifier.finish()
    }

    @Test func aChangedUnsignedMessageFailsAtTheNextSignedOne() throws {
        var messages = try stream(count: 4, unsigned: [1, 2])
        messages[2][20] ^= 1
        var verifier = TSIGStreamVerifier(verifier: TSIGTests.verifier(), requestMAC: Self.request.mac)
        _ = try verifier.verify(messages[0])
        _ = try verifier.verify(messages[1])
        _ = try verifier.verify(messages[2])
        let error = #expect(throws: TSIGError.self) { try verifier.verify(messages[3]) }
        #expect(error?.code == .badSignature)
    }

    @Test func ninetyNineUnsignedMessagesAreAllowedButNotAHundred() throws {
        var verifier = TSIGStreamVerifier(verifier: TSIGTests.verifier(), requestMAC: Self.request.mac)
        let messages = try stream(count: 101, unsigned: Set(1...99))
        for message in messages { _ = try verifier.verify(message) }
        try verifier.finish()

        var strict = TSIGStreamVerifier(verifier: TSIGTests.verifier(), requestMAC: Self.request.mac)
        let tooMany = try stream(count: 102, unsigned: Set(1...100))
        for message in tooMany.prefix(100) { _ = try strict.verify(message) }
        let error = #expect(throws: TSIGError.self) { try strict.verify(tooMany[100]) }
        #expect(error?.code == .tooManyUnsignedMessages)
    }

    @Test func theStreamMustStartAndEndSigned() throws {
        var verifier = TSIGStreamVerifier(verifier: TSIGTests.verifier(), requestMAC: Self.request.mac)
        let first = #expect(throws: TSIGError.self) { try verifier.verify(Self.part(0)) }
        #expect(first?.code == .missing)

        let messages = try stream(count: 3, unsigned: [2])
        var unfinished = TSIGStreamVerifier(verifier: TSIGTests.verifier(), requestMAC: Self.request.mac)
        for message in messages { _ = try unfinished.verify(message) }
        let last = #expect(throws: TSIGError.self) { try unfinished.finish() }
        #expect(last?.code == .unsignedLastMessage)
    }
}
