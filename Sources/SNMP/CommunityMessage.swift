/// An SNMPv1 or SNMPv2c message: version, community, PDU (RFC 1157, RFC 1901).
public struct CommunityMessage: Hashable, Sendable {
    public var version: SNMPVersion
    public var community: [UInt8]
    public var pdu: PDU

    public init(version: SNMPVersion, community: [UInt8], pdu: PDU) {
        precondition(version != .v3, "v3 messages are SNMPv3Message")
        self.version = version
        self.community = community
        self.pdu = pdu
    }

    public func encoded() -> [UInt8] {
        // Sized first, so the message is one allocation and no length is ever moved.
        let contents =
            BERWriter.elementSize(contentSize: BERWriter.signedContentSize(Int64(version.wireValue)))
            + BERWriter.elementSize(contentSize: community.count) + pdu.encodedSize
        var writer = BERWriter(capacity: BERWriter.elementSize(contentSize: contents))
        writer.writeConstructed(tag: BERTag.sequence) { writer in
            writer.writeInteger(Int64(version.wireValue))
            writer.writeOctetString(community)
            pdu.encode(into: &writer)
        }
        return writer.bytes
    }

    /// Decodes a whole datagram.
    public init(decoding bytes: [UInt8]) throws(SNMPDecodingError) {
        var outer = BERReader(bytes)
        var message = try outer.readConstructed(tag: BERTag.sequence)
        guard outer.isAtEnd else { throw .trailingBytes(count: outer.remaining) }
        let version = try message.readInteger()
        switch version {
        case 0: self.version = .v1
        case 1: self.version = .v2c
        default: throw .unsupportedVersion(Int(clamping: version))
        }
        community = try message.readOctetString()
        pdu = try PDU.decode(from: &message)
        guard message.isAtEnd else { throw .trailingBytes(count: message.remaining) }
    }

    /// The version field of a datagram, to choose the decoder; `nil` if it is not SNMP.
    public static func version(of bytes: [UInt8]) -> Int? {
        var outer = BERReader(bytes)
        guard var message = try? outer.readConstructed(tag: BERTag.sequence),
            let version = try? message.readInteger()
        else { return nil }
        return Int(exactly: version)
    }
}
