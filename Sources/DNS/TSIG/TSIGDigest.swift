/// The data a TSIG MAC covers (RFC 8945 sections 4.3.1 to 4.3.3 and 5.3.1), built in order:
/// the previous MAC, the message octets, then the TSIG variables or only the timers.
struct TSIGDigest {
    private(set) var bytes: [UInt8] = []

    /// The request MAC of a response, or the previous MAC in a stream, with its length.
    mutating func appendMAC(_ mac: [UInt8]) {
        appendUInt16(UInt16(mac.count))
        bytes += mac
    }

    mutating func appendMessage<Octets: Sequence>(_ octets: Octets) where Octets.Element == UInt8 {
        bytes.append(contentsOf: octets)
    }

    /// All the TSIG variables, names in canonical (lower-case, uncompressed) form.
    mutating func appendVariables(keyName: DomainName, record: TSIGRecord) {
        appendCanonical(keyName)
        appendUInt16(RecordClass.any.rawValue)
        bytes += [0, 0, 0, 0]
        appendCanonical(record.algorithm)
        appendTimers(record)
        appendUInt16(record.error.rawValue)
        appendUInt16(UInt16(truncatingIfNeeded: record.otherData.count))
        bytes += record.otherData
    }

    /// Time signed and fudge only, as the later messages of a stream use.
    mutating func appendTimers(_ record: TSIGRecord) {
        for shift in stride(from: 40, through: 0, by: -8) {
            bytes.append(UInt8((record.timeSigned >> UInt64(shift)) & 0xFF))
        }
        appendUInt16(record.fudge)
    }

    private mutating func appendUInt16(_ value: UInt16) {
        bytes += [UInt8(value >> 8), UInt8(value & 0xFF)]
    }

    private mutating func appendCanonical(_ name: DomainName) {
        for label in name.wireLabels {
            bytes.append(UInt8(label.count))
            bytes += label.map(DomainName.foldCase)
        }
        bytes.append(0)
    }
}
