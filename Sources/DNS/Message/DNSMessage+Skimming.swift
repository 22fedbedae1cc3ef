extension DNSMessage {
    /// The EDNS parameters of the OPT record in `bytes`, found by stepping over the sections
    /// without decoding a name or following a pointer: work linear in the packet's length,
    /// even for one that cannot be decoded or would cost too much to. Nil without an OPT record
    /// in the additional section, or when the sections cannot be walked as far as one.
    ///
    /// A server answering FORMERR or NOTIMP uses it to include an OPT record when the request
    /// had one (RFC 6891 section 7).
    static func skimEDNS(_ bytes: [UInt8]) -> EDNS? {
        guard let header = DNSHeader(bytes), header.additionalCount > 0,
            header.countsFit(messageLength: bytes.count)
        else { return nil }
        var position = DNSHeader.length
        for _ in 0..<header.questionCount {
            guard let end = skipName(bytes, from: position) else { return nil }
            position = end + 4
        }
        let additionalStart = Int(header.answerCount) + Int(header.authorityCount)
        for index in 0..<header.recordCount {
            guard let nameEnd = skipName(bytes, from: position), nameEnd + 10 <= bytes.count else {
                return nil
            }
            func field(_ offset: Int) -> UInt16 {
                UInt16(bytes[nameEnd + offset]) << 8 | UInt16(bytes[nameEnd + offset + 1])
            }
            let dataEnd = nameEnd + 10 + Int(field(8))
            guard dataEnd <= bytes.count else { return nil }
            if index >= additionalStart, RecordType(rawValue: field(0)) == .opt, bytes[position] == 0 {
                let ttl = UInt32(field(4)) << 16 | UInt32(field(6))
                return EDNS(
                    udpPayloadSize: field(2), version: UInt8(ttl >> 16 & 0xFF), dnssecOK: ttl & 0x8000 != 0,
                    otherFlags: UInt16(ttl & 0x7FFF))
            }
            position = dataEnd
        }
        return nil
    }

    /// Where the name starting at `start` ends in the packet (after its root label or its first
    /// pointer), or nil when it runs past the data or has a label type that is not allowed.
    private static func skipName(_ bytes: [UInt8], from start: Int) -> Int? {
        var cursor = start
        while cursor < bytes.count {
            let length = bytes[cursor]
            switch length & 0xC0 {
            case 0xC0: return cursor + 2 <= bytes.count ? cursor + 2 : nil
            case 0x00:
                if length == 0 { return cursor + 1 }
                cursor += 1 + Int(length)
            default: return nil
            }
        }
        return nil
    }
}
