/// Signs outgoing messages with one key (RFC 8945 section 5.1): the TSIG record is appended as
/// the last additional record, over the message exactly as it goes out.
public struct TSIGSigner: Sendable {
    public var key: TSIGKey
    /// Seconds of clock difference the receiver should allow.
    public var fudge: UInt16
    public var clock: TSIGClock

    public init(key: TSIGKey, fudge: UInt16 = 300, clock: TSIGClock = .system) {
        self.key = key
        self.fudge = fudge
        self.clock = clock
    }

    /// Encodes and signs `message`. A response passes the MAC of the request it answers.
    public func sign(
        _ message: DNSMessage, requestMAC: [UInt8]? = nil, error: ResponseCode = .noError,
        otherData: [UInt8] = []
    ) throws(DNSEncodingError) -> (bytes: [UInt8], mac: [UInt8]) {
        let wire = try message.encode()
        return signWire(wire, priorMAC: requestMAC, timersOnly: false, error: error, otherData: otherData)
    }

    /// Signs a message already in wire form, such as one `DNSMessage.encode(maximumSize:)` cut to
    /// fit (leave room for the TSIG record, about 100 octets).
    public func sign(
        wire: [UInt8], requestMAC: [UInt8]? = nil, error: ResponseCode = .noError, otherData: [UInt8] = []
    ) throws(TSIGError) -> (bytes: [UInt8], mac: [UInt8]) {
        try Self.checkHeader(wire)
        return signWire(wire, priorMAC: requestMAC, timersOnly: false, error: error, otherData: otherData)
    }

    static func checkHeader(_ wire: [UInt8]) throws(TSIGError) {
        guard wire.count >= 12 else {
            throw TSIGError(.malformed, "a message of \(wire.count) octets has no header")
        }
        guard wire[10] != 0xFF || wire[11] != 0xFF else {
            throw TSIGError(.malformed, "no room for another record")
        }
    }

    /// The signed message and its MAC. `timersOnly` digests the later messages of a stream.
    func signWire(
        _ wire: [UInt8], priorMAC: [UInt8]?, timersOnly: Bool, error: ResponseCode = .noError,
        otherData: [UInt8] = []
    ) -> (bytes: [UInt8], mac: [UInt8]) {
        var record = TSIGRecord(
            algorithm: key.algorithm.domainName, timeSigned: clock.now(), fudge: fudge, mac: [],
            originalID: UInt16(wire[0]) << 8 | UInt16(wire[1]), error: error, otherData: otherData)
        var digest = TSIGDigest()
        if let priorMAC { digest.appendMAC(priorMAC) }
        digest.appendMessage(wire)
        if timersOnly {
            digest.appendTimers(record)
        } else {
            digest.appendVariables(keyName: key.name, record: record)
        }
        record.mac = key.algorithm.authenticationCode(for: digest.bytes, secret: key.secret)
        var writer = DNSWireWriter()
        // The TSIG record's sizes are bounded by the algorithm, so it always encodes.
        try! ResourceRecord(name: key.name, class: .any, ttl: 0, data: .tsig(record)).write(to: &writer)
        var signed = wire
        let additionalCount = (UInt16(wire[10]) << 8 | UInt16(wire[11])) + 1
        signed[10] = UInt8(additionalCount >> 8)
        signed[11] = UInt8(additionalCount & 0xFF)
        signed += writer.bytes
        return (signed, record.mac)
    }
}
