/// The EDNS(0) parameters of a message (RFC 6891), carried on the wire by its OPT record. The
/// extended response code is not here but in `DNSMessage.responseCode`, which holds all 12 bits.
public struct EDNS: Hashable, Sendable {
    /// The largest UDP payload the sender can receive; values under 512 are treated as 512.
    public var udpPayloadSize: UInt16
    public var version: UInt8
    /// DO: the sender wants DNSSEC records.
    public var dnssecOK: Bool
    /// The other 15 flag bits (Z), kept so that a message re-encodes as it was received.
    public var otherFlags: UInt16
    public var options: [EDNSOption]

    public init(
        udpPayloadSize: UInt16 = 1232, version: UInt8 = 0, dnssecOK: Bool = false, otherFlags: UInt16 = 0,
        options: [EDNSOption] = []
    ) {
        self.udpPayloadSize = udpPayloadSize
        self.version = version
        self.dnssecOK = dnssecOK
        self.otherFlags = otherFlags & 0x7FFF
        self.options = options
    }

    /// The parameters of a response to a request that carried these: `udpPayloadSize`, version
    /// 0, no options, and the DO bit copied (RFC 3225 section 3), as BIND, Knot and NSD do.
    public func answer(udpPayloadSize: UInt16) -> EDNS {
        EDNS(udpPayloadSize: udpPayloadSize, dnssecOK: dnssecOK)
    }

    /// The OPT record for these parameters and the upper 8 bits of `responseCode`.
    func record(responseCode: ResponseCode) -> ResourceRecord {
        let flags = UInt32(dnssecOK ? 0x8000 : 0) | UInt32(otherFlags & 0x7FFF)
        let ttl = UInt32(responseCode.rawValue >> 4 & 0xFF) << 24 | UInt32(version) << 16 | flags
        return ResourceRecord(
            name: .root, class: RecordClass(rawValue: udpPayloadSize), ttl: ttl, data: .opt(options))
    }

    /// The parameters of an OPT record, and the upper 8 bits of the response code it carries.
    init(record: ResourceRecord, options: [EDNSOption]) {
        self.init(
            udpPayloadSize: record.class.rawValue, version: UInt8(record.ttl >> 16 & 0xFF),
            dnssecOK: record.ttl & 0x8000 != 0, otherFlags: UInt16(record.ttl & 0x7FFF), options: options)
    }
}
