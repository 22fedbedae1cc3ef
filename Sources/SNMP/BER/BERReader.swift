/// Reads BER elements from a byte slice without ever reading past it: every length is checked
/// against the bytes left before anything is allocated.
public struct BERReader: Sendable {
    /// The most nested constructed elements accepted; SNMP messages use five or six.
    static let maximumDepth = 16

    private let bytes: [UInt8]
    /// The position of the next element, from the start of the enclosing message.
    public private(set) var position: Int
    private let end: Int
    private let depth: Int

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.position = 0
        self.end = bytes.count
        self.depth = 0
    }

    private init(bytes: [UInt8], start: Int, end: Int, depth: Int) {
        self.bytes = bytes
        self.position = start
        self.end = end
        self.depth = depth
    }

    public var isAtEnd: Bool { position >= end }
    public var remaining: Int { end - position }

    /// The tag of the next element, without consuming it.
    public func peekTag() throws(SNMPDecodingError) -> UInt8 {
        guard position < end else { throw .truncated(offset: position) }
        return bytes[position]
    }

    /// Reads one element: its tag and the range of its contents.
    public mutating func readElement() throws(SNMPDecodingError) -> (tag: UInt8, contents: Range<Int>) {
        let start = position
        guard position < end else { throw .truncated(offset: start) }
        let tag = bytes[position]
        // Multi-octet tags (low five bits all set) never occur in SNMP.
        guard tag & 0x1F != 0x1F else { throw .badValue("tag", offset: start) }
        var cursor = position + 1
        guard cursor < end else { throw .truncated(offset: start) }
        let first = bytes[cursor]
        cursor += 1
        var length = 0
        if first < 0x80 {
            length = Int(first)
        } else {
            let count = Int(first & 0x7F)
            // 0x80 is the indefinite form, which SNMP forbids; more than 4 octets cannot fit.
            guard count >= 1, count <= 4 else { throw .badLength(offset: start) }
            guard cursor + count <= end else { throw .truncated(offset: start) }
            for _ in 0..<count {
                length = length << 8 | Int(bytes[cursor])
                cursor += 1
            }
        }
        guard length <= end - cursor else { throw .badLength(offset: start) }
        position = cursor + length
        return (tag, cursor..<cursor + length)
    }

    /// Reads an element that must have `tag` and returns its contents.
    public mutating func read(tag expected: UInt8) throws(SNMPDecodingError) -> Range<Int> {
        let start = position
        let element = try readElement()
        guard element.tag == expected else {
            throw .unexpectedTag(expected: expected, found: element.tag, offset: start)
        }
        return element.contents
    }

    /// A reader over the contents of the next constructed element, which must have `tag`.
    public mutating func readConstructed(tag: UInt8) throws(SNMPDecodingError) -> BERReader {
        guard depth < Self.maximumDepth else { throw .tooDeep }
        let contents = try read(tag: tag)
        return BERReader(bytes: bytes, start: contents.lowerBound, end: contents.upperBound, depth: depth + 1)
    }

    /// The bytes of `range`, which came from this reader.
    public func slice(_ range: Range<Int>) -> ArraySlice<UInt8> {
        bytes[range]
    }

    /// Reads a signed INTEGER (or another tag with integer contents) that fits in 64 bits.
    public mutating func readInteger(tag: UInt8 = BERTag.integer) throws(SNMPDecodingError) -> Int64 {
        let start = position
        let contents = try read(tag: tag)
        return try Self.signedInteger(bytes[contents], offset: start)
    }

    /// Reads an unsigned integer of an application type (Counter32, Gauge32, TimeTicks,
    /// Counter64) within `bits` bits. Agents differ on the sign octet, so both forms are accepted.
    public mutating func readUnsigned(tag: UInt8, bits: Int) throws(SNMPDecodingError) -> UInt64 {
        let start = position
        let contents = try read(tag: tag)
        return try Self.unsignedInteger(bytes[contents], bits: bits, offset: start)
    }

    public mutating func readOctetString() throws(SNMPDecodingError) -> [UInt8] {
        Array(bytes[try read(tag: BERTag.octetString)])
    }

    public mutating func readNull() throws(SNMPDecodingError) {
        let start = position
        let contents = try read(tag: BERTag.null)
        guard contents.isEmpty else { throw .badValue("NULL", offset: start) }
    }

    public mutating func readOID() throws(SNMPDecodingError) -> OID {
        let start = position
        let contents = try read(tag: BERTag.objectIdentifier)
        return try Self.objectIdentifier(bytes[contents], offset: start)
    }

    static func signedInteger(_ contents: ArraySlice<UInt8>, offset: Int) throws(SNMPDecodingError) -> Int64 {
        guard !contents.isEmpty, contents.count <= 8 else { throw .badValue("INTEGER", offset: offset) }
        var value = Int64(Int8(bitPattern: contents.first!))
        for byte in contents.dropFirst() {
            value = value << 8 | Int64(byte)
        }
        return value
    }

    static func unsignedInteger(_ contents: ArraySlice<UInt8>, bits: Int, offset: Int)
        throws(SNMPDecodingError)
        -> UInt64
    {
        var digits = contents
        // A leading zero octet keeps the top bit from reading as a sign; drop it.
        if digits.count > 1, digits.first == 0 { digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.count <= bits / 8 else {
            throw .badValue("unsigned integer", offset: offset)
        }
        var value: UInt64 = 0
        for byte in digits { value = value << 8 | UInt64(byte) }
        return value
    }

    static func objectIdentifier(_ contents: ArraySlice<UInt8>, offset: Int) throws(SNMPDecodingError) -> OID
    {
        guard !contents.isEmpty, contents.last! & 0x80 == 0 else { throw .badValue("OID", offset: offset) }
        // One arc per octet without the continuation bit, plus one for the first octet's pair:
        // reserving that avoids regrowing the array while decoding.
        var ends = 0
        for byte in contents where byte & 0x80 == 0 { ends += 1 }
        var arcs: [UInt32] = []
        arcs.reserveCapacity(ends + 1)
        var value: UInt64 = 0
        var first = true
        for byte in contents {
            // A leading 0x80 in an arc is a non-minimal encoding.
            if value == 0 && byte == 0x80 { throw .badValue("OID", offset: offset) }
            value = value << 7 | UInt64(byte & 0x7F)
            guard value <= UInt64(UInt32.max) + 80 else { throw .badValue("OID arc", offset: offset) }
            if byte & 0x80 == 0 {
                if first {
                    let top = min(value / 40, 2)
                    arcs.append(UInt32(top))
                    let second = value - top * 40
                    guard second <= UInt64(UInt32.max) else { throw .badValue("OID arc", offset: offset) }
                    arcs.append(UInt32(second))
                    first = false
                } else {
                    guard value <= UInt64(UInt32.max) else { throw .badValue("OID arc", offset: offset) }
                    arcs.append(UInt32(value))
                }
                value = 0
            }
        }
        guard let oid = OID(arcs: arcs) else { throw .badValue("OID", offset: offset) }
        return oid
    }
}
