extension RecordData {
    /// Writes the RDATA (without its length). Only the names of RFC 1035 types are compressed
    /// (RFC 3597 section 4); TSIG names never are (RFC 8945 section 4.2).
    func write(to writer: inout DNSWireWriter) throws(DNSEncodingError) {
        switch self {
        case .a(let address):
            // From the tuple rather than `bytes`: no array allocated for the commonest answer.
            writer.write(address.octets.0)
            writer.write(address.octets.1)
            writer.write(address.octets.2)
            writer.write(address.octets.3)
        case .aaaa(let address): writer.write(address.bytes)
        case .ns(let name), .cname(let name), .ptr(let name): writer.write(name, compress: true)
        case .soa(let soa):
            writer.write(soa.primaryServer, compress: true)
            writer.write(soa.responsibleMailbox, compress: true)
            writer.write(soa.serial)
            writer.write(soa.refresh)
            writer.write(soa.retry)
            writer.write(soa.expire)
            writer.write(soa.minimum)
        case .txt(let strings):
            for string in strings {
                guard string.count <= 255 else {
                    throw DNSEncodingError(.stringTooLong, "TXT string of \(string.count) octets")
                }
                writer.write(UInt8(string.count))
                writer.write(string)
            }
        case .opt(let options):
            for option in options {
                guard option.data.count <= 0xFFFF else {
                    throw DNSEncodingError(.recordDataTooLong, "EDNS option of \(option.data.count) octets")
                }
                writer.write(option.code)
                writer.write(UInt16(option.data.count))
                writer.write(option.data)
            }
        case .tsig(let tsig): try tsig.write(to: &writer)
        case .empty: break
        case .unknown(_, let bytes): writer.write(bytes)
        }
    }

    /// Reads RDATA of `type` that fills `range` of the packet exactly.
    static func read(type: RecordType, bytes: [UInt8], range: Range<Int>) throws(DNSDecodingError)
        -> RecordData
    {
        var reader = DNSWireReader(bytes: bytes, range: range)
        return try read(type: type, from: &reader)
    }

    /// Reads RDATA of `type` that fills what is left of `reader`, whose names count against the
    /// limits of the message.
    static func read(type: RecordType, from reader: inout DNSWireReader) throws(DNSDecodingError)
        -> RecordData
    {
        let range = reader.position..<reader.end
        if range.isEmpty && type != .opt { return .empty(type) }
        let data: RecordData
        switch type {
        case .a:
            guard range.count == 4 else { throw badLength(type, range) }
            data = .a(IPv4Address(bytes: try reader.readBytes(4, "A")))
        case .aaaa:
            guard range.count == 16, let address = IPv6Address(bytes: try reader.readBytes(16, "AAAA")) else {
                throw badLength(type, range)
            }
            data = .aaaa(address)
        case .ns: data = .ns(try reader.readName())
        case .cname: data = .cname(try reader.readName())
        case .ptr: data = .ptr(try reader.readName())
        case .soa: data = .soa(try readSOA(&reader))
        case .txt:
            var strings: [[UInt8]] = []
            while !reader.isAtEnd {
                let count = try reader.readUInt8("TXT string length")
                strings.append(try reader.readBytes(Int(count), "TXT string"))
            }
            data = .txt(strings)
        case .opt:
            var options: [EDNSOption] = []
            while !reader.isAtEnd {
                let code = try reader.readUInt16("EDNS option code")
                let length = try reader.readUInt16("EDNS option length")
                options.append(EDNSOption(code: code, data: try reader.readBytes(Int(length), "EDNS option")))
            }
            data = .opt(options)
        case .tsig: data = .tsig(try TSIGRecord.read(&reader))
        default: data = .unknown(type, try reader.readBytes(range.count, "RDATA"))
        }
        guard reader.isAtEnd else {
            throw DNSDecodingError(
                .badRecordData, offset: range.lowerBound, "\(reader.remaining) octet(s) left in \(type) RDATA"
            )
        }
        return data
    }

    private static func readSOA(_ reader: inout DNSWireReader) throws(DNSDecodingError) -> StartOfAuthority {
        StartOfAuthority(
            primaryServer: try reader.readName(), responsibleMailbox: try reader.readName(),
            serial: try reader.readUInt32("SOA serial"), refresh: try reader.readUInt32("SOA refresh"),
            retry: try reader.readUInt32("SOA retry"), expire: try reader.readUInt32("SOA expire"),
            minimum: try reader.readUInt32("SOA minimum"))
    }

    private static func badLength(_ type: RecordType, _ range: Range<Int>) -> DNSDecodingError {
        DNSDecodingError(.badRecordData, offset: range.lowerBound, "\(type) RDATA of \(range.count) octet(s)")
    }
}
