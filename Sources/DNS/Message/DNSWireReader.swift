/// Reads DNS wire fields from a packet without ever reading past `end`; names may follow
/// compression pointers anywhere earlier in the whole packet.
struct DNSWireReader {
    /// The most labels a 255-octet name can have; also bounds pointer hops.
    static let maximumLabels = 127

    let bytes: [UInt8]
    private(set) var position: Int
    let end: Int

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.position = 0
        self.end = bytes.count
    }

    /// A reader over `range` of the same packet, for RDATA.
    init(bytes: [UInt8], range: Range<Int>) {
        self.bytes = bytes
        self.position = range.lowerBound
        self.end = range.upperBound
    }

    var remaining: Int { end - position }
    var isAtEnd: Bool { position >= end }

    private func need(_ count: Int, _ what: String) throws(DNSDecodingError) {
        guard count <= end - position else {
            throw DNSDecodingError(.truncated, offset: position, "\(what) needs \(count) octet(s)")
        }
    }

    mutating func readUInt8(_ what: String) throws(DNSDecodingError) -> UInt8 {
        try need(1, what)
        defer { position += 1 }
        return bytes[position]
    }

    mutating func readUInt16(_ what: String) throws(DNSDecodingError) -> UInt16 {
        try need(2, what)
        defer { position += 2 }
        return UInt16(bytes[position]) << 8 | UInt16(bytes[position + 1])
    }

    mutating func readUInt32(_ what: String) throws(DNSDecodingError) -> UInt32 {
        try need(4, what)
        var value: UInt32 = 0
        for index in position..<position + 4 { value = value << 8 | UInt32(bytes[index]) }
        position += 4
        return value
    }

    mutating func readUInt48(_ what: String) throws(DNSDecodingError) -> UInt64 {
        try need(6, what)
        var value: UInt64 = 0
        for index in position..<position + 6 { value = value << 8 | UInt64(bytes[index]) }
        position += 6
        return value
    }

    /// Moves past `count` octets the caller has already checked are there.
    mutating func skip(_ count: Int) {
        position = min(position + count, end)
    }

    /// Reads `count` octets; the length is checked against the packet before copying.
    mutating func readBytes(_ count: Int, _ what: String) throws(DNSDecodingError) -> [UInt8] {
        try need(count, what)
        defer { position += count }
        return Array(bytes[position..<position + count])
    }

    /// Reads a possibly compressed name. Each pointer must point before the start of the part of
    /// the name read so far, so the targets strictly decrease and every name ends.
    mutating func readName() throws(DNSDecodingError) -> DomainName {
        var labels: [[UInt8]] = []
        var wireLength = 1
        var cursor = position
        var limit = position
        var jumped = false
        while true {
            guard cursor < end || (jumped && cursor < bytes.count) else {
                throw DNSDecodingError(.truncated, offset: cursor, "name runs past the data")
            }
            let length = bytes[cursor]
            switch length & 0xC0 {
            case 0xC0:
                let pointerEnd = jumped ? bytes.count : end
                guard cursor + 1 < pointerEnd else {
                    throw DNSDecodingError(.truncated, offset: cursor, "compression pointer cut short")
                }
                let target = Int(length & 0x3F) << 8 | Int(bytes[cursor + 1])
                guard target < bytes.count else {
                    throw DNSDecodingError(.pointerOutOfRange, offset: cursor, "pointer to \(target)")
                }
                guard target < cursor else {
                    throw DNSDecodingError(.forwardPointer, offset: cursor, "pointer to \(target)")
                }
                guard target < limit else {
                    throw DNSDecodingError(.pointerLoop, offset: cursor, "pointer to \(target) loops")
                }
                if !jumped { position = cursor + 2 }
                jumped = true
                limit = target
                cursor = target
            case 0x00:
                if length == 0 {
                    if !jumped { position = cursor + 1 }
                    return DomainName(uncheckedWireLabels: labels)
                }
                let labelEnd = cursor + 1 + Int(length)
                guard labelEnd <= (jumped ? bytes.count : end) else {
                    throw DNSDecodingError(.truncated, offset: cursor, "label runs past the data")
                }
                wireLength += Int(length) + 1
                guard wireLength <= 255 else {
                    throw DNSDecodingError(.nameTooLong, offset: position, "name over 255 octets")
                }
                // Most names have a few labels: one allocation instead of growing 1, 2, 4.
                if labels.isEmpty { labels.reserveCapacity(4) }
                labels.append(Array(bytes[cursor + 1..<labelEnd]))
                cursor = labelEnd
            case 0x40:
                throw DNSDecodingError(.labelTooLong, offset: cursor, "label length \(length) over 63")
            default:
                throw DNSDecodingError(
                    .badLabelType, offset: cursor, "label type 0x\(String(length, radix: 16))")
            }
        }
    }
}
