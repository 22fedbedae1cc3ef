/// Reads DNS wire fields from a packet without ever reading past `end`; names may follow
/// compression pointers anywhere earlier in the whole packet, within `limits`.
struct DNSWireReader {
    let bytes: [UInt8]
    private(set) var position: Int
    private(set) var end: Int
    /// The name-decoding work the whole message may cost.
    let limits: DNSDecodingLimits
    /// Compression pointers followed so far, over every name read by this reader and the
    /// readers of its RDATA.
    private(set) var pointersFollowed = 0
    /// Octets of names read so far, uncompressed.
    private(set) var nameOctets = 0

    init(_ bytes: [UInt8], limits: DNSDecodingLimits? = nil) {
        self.bytes = bytes
        self.position = 0
        self.end = bytes.count
        self.limits = limits ?? .standard(forLength: bytes.count)
    }

    /// A reader over `range` of the same packet, for RDATA, with the limits of a whole packet.
    init(bytes: [UInt8], range: Range<Int>) {
        self.bytes = bytes
        self.position = range.lowerBound
        self.end = range.upperBound
        self.limits = .standard(forLength: bytes.count)
    }

    /// A reader over the next `length` octets (RDATA), sharing this reader's work so far.
    func subreader(length: Int) -> DNSWireReader {
        var reader = self
        reader.end = position + length
        return reader
    }

    /// Counts the work `subreader` did, and moves past its range.
    mutating func absorb(_ subreader: DNSWireReader) {
        pointersFollowed = subreader.pointersFollowed
        nameOctets = subreader.nameOctets
        position = subreader.end
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
    /// the name read so far, so the targets strictly decrease and every name ends; a name follows
    /// at most `DNSDecodingLimits.pointersPerName` of them, and the message its `limits`.
    mutating func readName() throws(DNSDecodingError) -> DomainName {
        var labels: [[UInt8]] = []
        var wireLength = 1
        var cursor = position
        var limit = position
        var jumped = false
        var pointers = 0
        // Counts what was read, also when the name fails: the work done.
        defer { nameOctets += wireLength }
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
                pointers += 1
                guard pointers <= DNSDecodingLimits.pointersPerName,
                    pointersFollowed + pointers <= limits.maximumPointers
                else {
                    throw DNSDecodingError(
                        .tooManyPointers, offset: cursor,
                        "more than \(min(DNSDecodingLimits.pointersPerName, limits.maximumPointers)) "
                            + "compression pointers followed")
                }
                if !jumped { position = cursor + 2 }
                jumped = true
                limit = target
                cursor = target
            case 0x00:
                if length == 0 {
                    if !jumped { position = cursor + 1 }
                    pointersFollowed += pointers
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
                // Checked before the label is copied: a message over its limit costs no more.
                guard nameOctets + wireLength <= limits.maximumNameOctets else {
                    wireLength -= Int(length) + 1
                    throw DNSDecodingError(
                        .tooManyNameOctets, offset: position,
                        "the names add up to more than \(limits.maximumNameOctets) octets")
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
