import Testing

@testable import DNS

@Suite struct TSIGTests {
    static let now: UInt64 = 1_700_000_000
    static let secret: [UInt8] = Array("a shared secret of some length".utf8)

    static func key(_ algorithm: TSIGAlgorithm = .hmacSHA256, name keyName: String = "lbd-internal.")
        -> TSIGKey
    {
        TSIGKey(name: name(keyName), algorithm: algorithm, secret: secret)
    }

    static func signer(_ key: TSIGKey = key(), at time: UInt64 = now) -> TSIGSigner {
        TSIGSigner(key: key, clock: .fixed(time))
    }

    static func verifier(_ keys: [TSIGKey] = [key()], at time: UInt64 = now) -> TSIGVerifier {
        TSIGVerifier(keys: keys, clock: .fixed(time))
    }

    static var update: DNSMessage {
        var update = DNSUpdate(zone: name("lb.example.org"), id: 0x4242)
        update.deleteRRset(name("web.lb.example.org"), type: .a)
        update.add(name("web.lb.example.org"), ttl: 60, data: .a(IPv4Address(10, 0, 0, 1)))
        return update.message
    }

    private func code(_ body: () throws -> Void) -> TSIGError.Code? {
        let error = #expect(throws: TSIGError.self) { try body() }
        return error?.code
    }

    @Test(arguments: TSIGAlgorithm.allCases)
    func aSignedMessageVerifies(algorithm: TSIGAlgorithm) throws {
        let signed = try Self.signer(Self.key(algorithm)).sign(Self.update)
        #expect(signed.mac.count == algorithm.macSize)
        let verified = try Self.verifier([Self.key(.hmacSHA1, name: "other."), Self.key(algorithm)]).verify(
            signed.bytes)
        #expect(verified.message == Self.update)
        #expect(verified.key == Self.key(algorithm))
        #expect(verified.record.algorithm == algorithm.domainName)
        #expect(verified.mac == signed.mac)
    }

    @Test func theTSIGRecordIsTheLastAdditionalRecord() throws {
        let signed = try Self.signer(Self.key(.hmacMD5)).sign(Self.update)
        let message = try DNSMessage(decoding: signed.bytes)
        #expect(message.additionals.count == 1)
        let tsig = try #require(message.tsig)
        #expect(tsig.keyName == name("lbd-internal"))
        #expect(tsig.record.algorithm.description == "hmac-md5.sig-alg.reg.int.")
        #expect(tsig.record.timeSigned == Self.now)
        #expect(tsig.record.fudge == 300)
        #expect(tsig.record.originalID == 0x4242)
        #expect(message.additionals[0].class == .any && message.additionals[0].ttl == 0)
    }

    @Test func everyTamperedOctetFailsVerification() throws {
        let signed = try Self.signer().sign(Self.update)
        let verifier = Self.verifier()
        // Every octet after the ID (which a forwarder may change, RFC 8945 section 4.3.2), up to
        // the TSIG record.
        for index in 2..<(signed.bytes.count - 100) {
            var tampered = signed.bytes
            tampered[index] ^= 0x01
            #expect(throws: (any Error).self) { try verifier.verify(tampered) }
        }
        var tampered = signed.bytes
        tampered[40] ^= 0x01
        #expect(code { _ = try verifier.verify(tampered) } == .badSignature)
        var badMAC = signed.bytes
        badMAC[badMAC.count - 10] ^= 0x80
        #expect(code { _ = try verifier.verify(badMAC) } == .badSignature)
    }

    @Test func anUnknownKeyNameIsBADKEY() throws {
        let signed = try Self.signer(Self.key(name: "stranger.")).sign(Self.update)
        let error = #expect(throws: TSIGError.self) { try Self.verifier().verify(signed.bytes) }
        #expect(error?.code == .badKey)
        #expect(error?.responseCode == .badKey)
    }

    @Test func aKnownKeyWithAnotherAlgorithmIsBADKEY() throws {
        let signed = try Self.signer(Self.key(.hmacSHA512)).sign(Self.update)
        #expect(code { _ = try Self.verifier().verify(signed.bytes) } == .badKey)
    }

    @Test func keyNamesMatchWithoutRegardToCase() throws {
        let signed = try Self.signer(Self.key(name: "LBD-Internal.")).sign(Self.update)
        #expect(try Self.verifier().verify(signed.bytes).message == Self.update)
    }

    @Test(arguments: [Self.now - 301, Self.now + 301, 0])
    func aTimeOutsideTheFudgeIsBADTIME(verifierTime: UInt64) throws {
        let signed = try Self.signer().sign(Self.update)
        let error = #expect(throws: TSIGError.self) {
            try Self.verifier(at: verifierTime).verify(signed.bytes)
        }
        #expect(error?.code == .badTime)
        #expect(error?.responseCode == .badTime)
    }

    @Test(arguments: [Self.now - 300, Self.now + 300])
    func aTimeWithinTheFudgeVerifies(verifierTime: UInt64) throws {
        let signed = try Self.signer().sign(Self.update)
        #expect(try Self.verifier(at: verifierTime).verify(signed.bytes).message == Self.update)
    }

    @Test func aResponseChainsTheRequestMAC() throws {
        let request = try Self.signer().sign(Self.update)
        let received = try Self.verifier().verify(request.bytes)
        var answer = received.message
        answer.isResponse = true
        answer.answers = []
        answer.authorities = []
        let response = try Self.signer().sign(answer, requestMAC: received.mac)
        #expect(try Self.verifier().verify(response.bytes, requestMAC: request.mac).message == answer)
        #expect(code { _ = try Self.verifier().verify(response.bytes) } == .badSignature)
        var otherMAC = request.mac
        otherMAC[0] ^= 1
        #expect(
            code { _ = try Self.verifier().verify(response.bytes, requestMAC: otherMAC) } == .badSignature)
    }

    @Test func theOriginalIDIsRestoredBeforeVerifying() throws {
        var bytes = try Self.signer().sign(Self.update).bytes
        // A forwarder may renumber the message.
        bytes[0] = 0x99
        bytes[1] = 0x01
        let verified = try Self.verifier().verify(bytes)
        #expect(verified.message.id == 0x9901)
    }

    @Test func anUnsignedMessageIsMissingItsTSIG() throws {
        let wire = try Self.update.encode()
        #expect(code { _ = try Self.verifier().verify(wire) } == .missing)
    }

    @Test func aTSIGThatIsNotLastIsMisplaced() throws {
        let signed = try Self.signer().sign(Self.update)
        var message = try DNSMessage(decoding: signed.bytes)
        message.additionals.append(
            ResourceRecord(name: name("x.example"), ttl: 1, data: .a(IPv4Address(1, 1, 1, 1))))
        #expect(code { _ = try Self.verifier().verify(try message.encode()) } == .misplaced)
        var inAnswers = try DNSMessage(decoding: signed.bytes)
        inAnswers.answers.append(inAnswers.additionals.removeLast())
        #expect(code { _ = try Self.verifier().verify(try inAnswers.encode()) } == .misplaced)
    }

    @Test func anOPTRecordAfterTheTSIGIsMisplaced() throws {
        let signed = try Self.signer().sign(Self.update)
        var bytes = signed.bytes + hexBytes("00 0029 0200 00000000 0000")
        bytes[11] += 1
        #expect(code { _ = try Self.verifier().verify(bytes) } == .misplaced)
    }

    @Test func anUnknownAlgorithmIsUnsupported() throws {
        let signed = try Self.signer().sign(Self.update)
        var message = try DNSMessage(decoding: signed.bytes)
        guard case .tsig(var record) = message.additionals[0].data else {
            Issue.record("no TSIG")
            return
        }
        record.algorithm = name("gss-tsig")
        message.additionals[0].data = .tsig(record)
        let error = #expect(throws: TSIGError.self) { try Self.verifier().verify(try message.encode()) }
        #expect(error?.code == .unsupportedAlgorithm)
        #expect(error?.responseCode == .badKey)
    }

    @Test func aTruncatedMACIsAcceptedDownToHalfItsSize() throws {
        let signed = try Self.signer().sign(Self.update)
        var message = try DNSMessage(decoding: signed.bytes)
        guard case .tsig(var record) = message.additionals[0].data else {
            Issue.record("no TSIG")
            return
        }
        record.mac = Array(record.mac.prefix(16))
        message.additionals[0].data = .tsig(record)
        #expect(try Self.verifier().verify(try message.encode()).message == Self.update)
        record.mac = Array(record.mac.prefix(15))
        message.additionals[0].data = .tsig(record)
        #expect(code { _ = try Self.verifier().verify(try message.encode()) } == .badSignature)
    }

    @Test func anErrorFromThePeerIsReported() throws {
        let request = try Self.signer().sign(Self.update)
        var answer = Self.update
        answer.isResponse = true
        answer.responseCode = .notAuth
        let signed = try Self.signer().sign(answer, requestMAC: request.mac, error: .badTime)
        let error = #expect(throws: TSIGError.self) {
            try Self.verifier().verify(signed.bytes, requestMAC: request.mac)
        }
        #expect(error?.code == .rejectedByPeer)
        #expect(error?.peerError == .badTime)
    }

    @Test func garbageIsMalformed() {
        #expect(code { _ = try Self.verifier().verify([1, 2, 3]) } == .malformed)
        #expect(code { _ = try Self.signer().sign(wire: [1, 2, 3]) } == .malformed)
    }
}
