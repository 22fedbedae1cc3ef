extension DNSMessage {
    /// The message in wire form. With `maximumSize` (a UDP limit), records that do not fit are
    /// dropped whole from the end: the OPT record is always kept, and TC is set when an answer or
    /// authority record had to go (dropping only additional records does not set it, RFC 2181
    /// section 9). The header and question are always written.
    public func encode(maximumSize: Int? = nil) throws(DNSEncodingError) -> [UInt8] {
        guard responseCode.rawValue <= 0xFFF, opcode.rawValue <= 0xF else {
            throw DNSEncodingError(.valueOutOfRange, "response code or opcode too large")
        }
        guard responseCode.rawValue <= 0xF || edns != nil else {
            throw DNSEncodingError(.extendedResponseCodeWithoutEDNS, "\(responseCode) needs EDNS")
        }
        let largest = max(questions.count, answers.count, authorities.count, additionals.count + 1)
        guard largest <= 0xFFFF else {
            throw DNSEncodingError(.tooManyRecords, "\(largest) entries in a section")
        }
        var writer = DNSWireWriter()
        writeHeader(to: &writer)
        for question in questions {
            writer.write(question.name, compress: true)
            writer.write(question.type.rawValue)
            writer.write(question.class.rawValue)
        }
        let opt = edns?.record(responseCode: responseCode)
        let reserved = opt.map { 11 + $0.optionsLength } ?? 0
        let limit = maximumSize.map { $0 - reserved } ?? Int.max
        // The header's counts are 0 until set from what was written.
        writer.set(UInt16(questions.count), at: 4)
        var truncated = false
        var additionalCount: UInt16 = 0
        let answered = try Self.write(answers, to: &writer, limit: limit)
        writer.set(answered.count, at: 6)
        if answered.complete {
            let authority = try Self.write(authorities, to: &writer, limit: limit)
            writer.set(authority.count, at: 8)
            if authority.complete {
                additionalCount = try Self.write(additionalsBeforeOPT, to: &writer, limit: limit).count
            } else {
                truncated = true
            }
        } else {
            truncated = true
        }
        if let opt {
            try opt.write(to: &writer)
            additionalCount += 1
        }
        if let tsig = trailingTSIG {
            // RFC 8945 section 5.1: the TSIG record is the last of the message, after the OPT
            // (a NOTAUTH answer carries an unsigned one with its error).
            try tsig.write(to: &writer)
            additionalCount += 1
        }
        writer.set(additionalCount, at: 10)
        if truncated { writer.set(flags(truncated: true), at: 2) }
        return writer.bytes
    }

    /// A TSIG record at the end of the additional section, written after the OPT record.
    private var trailingTSIG: ResourceRecord? {
        guard let last = additionals.last, case .tsig = last.data else { return nil }
        return last
    }

    /// The additional records the OPT record follows: all but a trailing TSIG record.
    private var additionalsBeforeOPT: [ResourceRecord] {
        trailingTSIG == nil ? additionals : Array(additionals.dropLast())
    }

    /// Writes `records` in order until one would end past `limit`, which is rolled back;
    /// returns how many were written and whether that is all of them.
    private static func write(_ records: [ResourceRecord], to writer: inout DNSWireWriter, limit: Int)
        throws(DNSEncodingError) -> (count: UInt16, complete: Bool)
    {
        var count: UInt16 = 0
        for record in records {
            let mark = writer.mark
            try record.write(to: &writer)
            if writer.count > limit {
                writer.rollBack(to: mark)
                return (count, false)
            }
            count += 1
        }
        return (count, true)
    }

    private func writeHeader(to writer: inout DNSWireWriter) {
        writer.write(id)
        writer.write(flags(truncated: isTruncated))
        for _ in 0..<4 { writer.write(UInt16(0)) }
    }

    private func flags(truncated: Bool) -> UInt16 {
        var flags = UInt16(opcode.rawValue & 0xF) << 11 | responseCode.rawValue & 0xF
        if isResponse { flags |= 0x8000 }
        if isAuthoritative { flags |= 0x0400 }
        if truncated { flags |= 0x0200 }
        if recursionDesired { flags |= 0x0100 }
        if recursionAvailable { flags |= 0x0080 }
        if authenticData { flags |= 0x0020 }
        if checkingDisabled { flags |= 0x0010 }
        return flags
    }
}

extension ResourceRecord {
    /// The RDATA length of an OPT record, known before it is written so its room can be kept.
    var optionsLength: Int {
        guard case .opt(let options) = data else { return 0 }
        return options.reduce(0) { $0 + 4 + $1.data.count }
    }

    func write(to writer: inout DNSWireWriter) throws(DNSEncodingError) {
        // RFC 8945 section 4.2: the TSIG record's names are not compressed.
        writer.write(name, compress: type != .tsig)
        writer.write(type.rawValue)
        writer.write(`class`.rawValue)
        writer.write(ttl)
        let lengthOffset = writer.count
        writer.write(UInt16(0))
        try data.write(to: &writer)
        let length = writer.count - lengthOffset - 2
        guard length <= 0xFFFF else {
            throw DNSEncodingError(.recordDataTooLong, "\(type) RDATA of \(length) octets")
        }
        writer.set(UInt16(length), at: lengthOffset)
    }
}
