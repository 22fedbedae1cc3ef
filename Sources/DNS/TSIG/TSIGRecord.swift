/// The RDATA of a TSIG record (RFC 8945 section 4.2). The record's owner name is the key name;
/// `timeSigned` holds 48 bits.
public struct TSIGRecord: Hashable, Sendable {
    /// The algorithm name as on the wire; `TSIGAlgorithm(name:)` maps it to an algorithm.
    public var algorithm: DomainName
    /// Seconds since the Unix epoch; only the low 48 bits are sent.
    public var timeSigned: UInt64
    /// Seconds of clock difference allowed.
    public var fudge: UInt16
    public var mac: [UInt8]
    /// The message ID when it was signed, in case a forwarder changed it.
    public var originalID: UInt16
    public var error: ResponseCode
    /// Non-empty only in BADTIME responses, where it holds the server's time.
    public var otherData: [UInt8]

    public init(
        algorithm: DomainName, timeSigned: UInt64, fudge: UInt16, mac: [UInt8], originalID: UInt16,
        error: ResponseCode = .noError, otherData: [UInt8] = []
    ) {
        self.algorithm = algorithm
        self.timeSigned = timeSigned & 0xFFFF_FFFF_FFFF
        self.fudge = fudge
        self.mac = mac
        self.originalID = originalID
        self.error = error
        self.otherData = otherData
    }
}
