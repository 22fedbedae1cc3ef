/// Verifies the TSIG of received messages against a set of keys (RFC 8945 section 5.2): the key
/// must be known with the same algorithm, the MAC must match (compared in constant time), and
/// only then is the time checked, so a forger learns nothing from a BADTIME.
public struct TSIGVerifier: Sendable {
    public var keys: [TSIGKey]
    public var clock: TSIGClock

    public init(keys: [TSIGKey], clock: TSIGClock = .system) {
        self.keys = keys
        self.clock = clock
    }

    /// Verifies a request, or with `requestMAC` the response to a request signed with that MAC.
    public func verify(_ bytes: [UInt8], requestMAC: [UInt8]? = nil) throws(TSIGError) -> TSIGVerifiedMessage
    {
        guard let signed = try locate(bytes) else { throw TSIGError(.missing, "the message is not signed") }
        return try check(signed, priorMAC: requestMAC, unsignedBefore: [], timersOnly: false)
    }

    /// A decoded message with a TSIG record in the right place, and the octets its MAC covers.
    struct SignedMessage {
        var message: DNSMessage
        var keyName: DomainName
        var record: TSIGRecord
        /// The message without the TSIG record, with the original ID and ARCOUNT restored.
        var coveredOctets: [UInt8]
    }

    /// The signed parts of `bytes`, or nil when it carries no TSIG record at all.
    func locate(_ bytes: [UInt8]) throws(TSIGError) -> SignedMessage? {
        let decoded: (message: DNSMessage, lastRecordOffset: Int?)
        do {
            decoded = try DNSMessage.decode(bytes)
        } catch {
            throw TSIGError(.malformed, error.description)
        }
        var message = decoded.message
        let tsigCount = (message.answers + message.authorities + message.additionals).filter {
            $0.type == .tsig
        }.count
        guard tsigCount > 0 else { return nil }
        guard tsigCount == 1, let tsig = message.tsig, let offset = decoded.lastRecordOffset,
            Self.recordType(at: offset, in: bytes) == .tsig
        else { throw TSIGError(.misplaced, "the TSIG record must be the only one and the last") }
        let record = tsig.record
        message.additionals.removeLast()
        var covered = Array(bytes[..<offset])
        covered[0] = UInt8(record.originalID >> 8)
        covered[1] = UInt8(record.originalID & 0xFF)
        let additionalCount = (UInt16(covered[10]) << 8 | UInt16(covered[11])) - 1
        covered[10] = UInt8(additionalCount >> 8)
        covered[11] = UInt8(additionalCount & 0xFF)
        return SignedMessage(message: message, keyName: tsig.keyName, record: record, coveredOctets: covered)
    }

    private static func recordType(at offset: Int, in bytes: [UInt8]) -> RecordType? {
        var reader = DNSWireReader(bytes: bytes, range: offset..<bytes.count)
        guard (try? reader.readName()) != nil, let type = try? reader.readUInt16("type") else { return nil }
        return RecordType(rawValue: type)
    }

    /// Checks key, MAC and time of `signed`, whose MAC follows `priorMAC` and, in a stream, the
    /// unsigned messages received since the last signed one.
    func check(
        _ signed: SignedMessage, priorMAC: [UInt8]?, unsignedBefore: [UInt8], timersOnly: Bool
    ) throws(TSIGError) -> TSIGVerifiedMessage {
        let record = signed.record
        guard let algorithm = TSIGAlgorithm(name: record.algorithm.description) else {
            throw TSIGError(.unsupportedAlgorithm, "unsupported algorithm \(record.algorithm)")
        }
        guard let key = keys.first(where: { $0.name == signed.keyName }), key.algorithm == algorithm else {
            throw TSIGError(.badKey, "no key \(signed.keyName) with \(algorithm.rawValue)")
        }
        if record.mac.isEmpty && record.error != .noError {
            throw TSIGError(.rejectedByPeer, "the peer answered \(record.error)", peerError: record.error)
        }
        // RFC 8945 section 5.2.2.1: a MAC may be truncated to half its size, and not under 10.
        guard record.mac.count <= algorithm.macSize, record.mac.count >= max(10, (algorithm.macSize + 1) / 2)
        else {
            throw TSIGError(.badSignature, "a MAC of \(record.mac.count) octets")
        }
        var digest = TSIGDigest()
        if let priorMAC { digest.appendMAC(priorMAC) }
        digest.appendMessage(unsignedBefore)
        digest.appendMessage(signed.coveredOctets)
        if timersOnly {
            digest.appendTimers(record)
        } else {
            digest.appendVariables(keyName: signed.keyName, record: record)
        }
        let expected = algorithm.authenticationCode(for: digest.bytes, secret: key.secret)
        guard Self.constantTimeEqual(expected.prefix(record.mac.count), record.mac) else {
            throw TSIGError(.badSignature, "the MAC of key \(key.name) does not match")
        }
        let now = clock.now()
        let skew = now > record.timeSigned ? now - record.timeSigned : record.timeSigned - now
        guard skew <= UInt64(record.fudge) else {
            throw TSIGError(.badTime, "signed \(skew) s away from now, fudge \(record.fudge) s")
        }
        if record.error != .noError {
            throw TSIGError(.rejectedByPeer, "the peer answered \(record.error)", peerError: record.error)
        }
        return TSIGVerifiedMessage(message: signed.message, key: key, record: record)
    }

    /// Compares without stopping at the first difference, so timing tells nothing of the MAC.
    static func constantTimeEqual(_ lhs: ArraySlice<UInt8>, _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for (left, right) in zip(lhs, rhs) { difference |= left ^ right }
        return difference == 0
    }
}
