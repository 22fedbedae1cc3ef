extension DNSMessage {
    /// Decodes `bytes` received from the network; any malformation, including bytes after the
    /// last record, is a `DNSDecodingError`, never a crash. The names may cost no more work than
    /// `limits` allow (by default `DNSDecodingLimits.standard(forLength:)`).
    public init(decoding bytes: [UInt8], limits: DNSDecodingLimits? = nil) throws(DNSDecodingError) {
        self = try DNSMessage.decode(bytes, limits: limits).message
    }

    /// The message and the offset of its last record, where a TSIG record must start.
    static func decode(_ bytes: [UInt8], limits: DNSDecodingLimits? = nil) throws(DNSDecodingError) -> (
        message: DNSMessage, lastRecordOffset: Int?
    ) {
        var reader = DNSWireReader(bytes, limits: limits)
        let id = try reader.readUInt16("header ID")
        let flags = try reader.readUInt16("header flags")
        let questionCount = try reader.readUInt16("QDCOUNT")
        let answerCount = try reader.readUInt16("ANCOUNT")
        let authorityCount = try reader.readUInt16("NSCOUNT")
        let additionalCount = try reader.readUInt16("ARCOUNT")
        var message = DNSMessage(
            id: id, isResponse: flags & 0x8000 != 0, opcode: Opcode(rawValue: UInt8(flags >> 11 & 0xF)),
            isAuthoritative: flags & 0x0400 != 0, isTruncated: flags & 0x0200 != 0,
            recursionDesired: flags & 0x0100 != 0, recursionAvailable: flags & 0x0080 != 0,
            authenticData: flags & 0x0020 != 0, checkingDisabled: flags & 0x0010 != 0,
            responseCode: ResponseCode(rawValue: flags & 0xF))
        // Each entry needs at least 5 (question) or 11 (record) octets: a header claiming more
        // than the packet holds is refused before any section is read.
        let minimum =
            Int(questionCount) * 5 + (Int(answerCount) + Int(authorityCount) + Int(additionalCount)) * 11
        guard minimum <= reader.remaining else {
            throw DNSDecodingError(
                .truncated, offset: 4, "the header counts more entries than the data holds")
        }
        for _ in 0..<questionCount {
            let name = try reader.readName()
            let type = RecordType(rawValue: try reader.readUInt16("question type"))
            let `class` = RecordClass(rawValue: try reader.readUInt16("question class"))
            message.questions.append(Question(name: name, type: type, class: `class`))
        }
        var lastRecordOffset: Int?
        let answers = try readRecords(answerCount, &reader, lastRecordOffset: &lastRecordOffset)
        let authorities = try readRecords(authorityCount, &reader, lastRecordOffset: &lastRecordOffset)
        // RFC 6891 section 6.1.1: the OPT pseudo-record lives in the additional section only.
        if let misplaced = answers.first(where: { $0.type == .opt })
            ?? authorities.first(where: { $0.type == .opt })
        {
            throw DNSDecodingError(
                .badOPT, offset: 0, "an OPT record in the answer or authority section (\(misplaced.name))")
        }
        let additionals = try readRecords(additionalCount, &reader, lastRecordOffset: &lastRecordOffset)
        guard reader.isAtEnd else {
            throw DNSDecodingError(
                .trailingBytes, offset: reader.position, "\(reader.remaining) octet(s) after the message")
        }
        message.answers = answers
        message.authorities = authorities
        try message.takeOPT(from: additionals)
        return (message, lastRecordOffset)
    }

    /// `count` records, noting where the last one starts; no allocation for an empty section.
    private static func readRecords(
        _ count: UInt16, _ reader: inout DNSWireReader, lastRecordOffset: inout Int?
    ) throws(DNSDecodingError) -> [ResourceRecord] {
        guard count > 0 else { return [] }
        var records: [ResourceRecord] = []
        records.reserveCapacity(Int(count))
        for _ in 0..<count {
            lastRecordOffset = reader.position
            records.append(try readRecord(&reader))
        }
        return records
    }

    private static func readRecord(_ reader: inout DNSWireReader) throws(DNSDecodingError) -> ResourceRecord {
        let name = try reader.readName()
        let type = RecordType(rawValue: try reader.readUInt16("record type"))
        let `class` = RecordClass(rawValue: try reader.readUInt16("record class"))
        let ttl = try reader.readUInt32("record TTL")
        let length = Int(try reader.readUInt16("RDLENGTH"))
        let start = reader.position
        guard length <= reader.remaining else {
            throw DNSDecodingError(
                .truncated, offset: start, "RDATA of \(length) octet(s) runs past the data")
        }
        var rdata = reader.subreader(length: length)
        let data = try RecordData.read(type: type, from: &rdata)
        reader.absorb(rdata)
        return ResourceRecord(name: name, class: `class`, ttl: ttl, data: data)
    }

    /// Moves the OPT record out of the additional section into `edns` and the upper response
    /// code bits (RFC 6891 section 6.1.1: at most one, owned by the root).
    private mutating func takeOPT(from records: [ResourceRecord]) throws(DNSDecodingError) {
        for record in records {
            guard case .opt(let options) = record.data else {
                additionals.append(record)
                continue
            }
            guard edns == nil, record.name.wireLabels.isEmpty else {
                throw DNSDecodingError(
                    .badOPT, offset: 0, "a second OPT record, or one not owned by the root")
            }
            edns = EDNS(record: record, options: options)
            responseCode = ResponseCode(rawValue: UInt16(record.ttl >> 24) << 4 | responseCode.rawValue)
        }
    }
}
