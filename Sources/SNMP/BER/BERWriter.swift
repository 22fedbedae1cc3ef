/// Writes BER elements with minimal lengths, as net-snmp does.
///
/// Every hot message goes through here (a poll's request, an agent's answer), so nothing is
/// built in a temporary array: integers, lengths and OID arcs are written octet by octet into
/// `bytes`, and the `…Size` functions give the encoded sizes without encoding, so callers can
/// reserve the whole message at once and an agent can measure an answer before building it.
public struct BERWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init() {
        bytes.reserveCapacity(128)
    }

    /// A writer with room for `capacity` octets, for a message whose size is known beforehand.
    public init(capacity: Int) {
        bytes.reserveCapacity(max(capacity, 0))
    }

    /// Writes a constructed element whose contents `body` writes.
    public mutating func writeConstructed(tag: UInt8, _ body: (inout BERWriter) -> Void) {
        bytes.append(tag)
        let lengthPosition = bytes.count
        bytes.append(0)
        body(&self)
        let contentStart = lengthPosition + 1
        let length = bytes.count - contentStart
        if length < 0x80 {
            bytes[lengthPosition] = UInt8(length)
            return
        }
        // The long form needs more octets than the one reserved: grow once and move the
        // contents up by the difference, rather than inserting (and allocating) the length.
        let octets = Self.significantOctets(UInt64(length))
        bytes.append(contentsOf: repeatElement(0, count: octets))
        bytes.withUnsafeMutableBytes { buffer in
            let base = buffer.baseAddress!
            (base + contentStart + octets).copyMemory(from: base + contentStart, byteCount: length)
        }
        bytes[lengthPosition] = 0x80 | UInt8(octets)
        for index in 0..<octets {
            bytes[contentStart + index] = UInt8(truncatingIfNeeded: length >> (8 * (octets - 1 - index)))
        }
    }

    /// Writes a primitive element.
    public mutating func write(tag: UInt8, contents: some Collection<UInt8>) {
        bytes.append(tag)
        appendLength(contents.count)
        bytes.append(contentsOf: contents)
    }

    public mutating func writeInteger(_ value: Int64, tag: UInt8 = BERTag.integer) {
        let count = Self.signedOctets(value)
        bytes.append(tag)
        bytes.append(UInt8(count))
        for index in stride(from: count - 1, through: 0, by: -1) {
            bytes.append(UInt8(truncatingIfNeeded: value >> (8 * index)))
        }
    }

    /// Writes an unsigned application integer (Counter32, Gauge32, TimeTicks, Counter64).
    public mutating func writeUnsigned(_ value: UInt64, tag: UInt8) {
        let count = Self.significantOctets(value)
        // A leading zero octet keeps the top bit from reading as a sign.
        let padded = UInt8(truncatingIfNeeded: value >> (8 * (count - 1))) & 0x80 != 0
        bytes.append(tag)
        bytes.append(UInt8(padded ? count + 1 : count))
        if padded { bytes.append(0) }
        for index in stride(from: count - 1, through: 0, by: -1) {
            bytes.append(UInt8(truncatingIfNeeded: value >> (8 * index)))
        }
    }

    public mutating func writeOctetString(_ value: some Collection<UInt8>) {
        write(tag: BERTag.octetString, contents: value)
    }

    public mutating func writeNull(tag: UInt8 = BERTag.null) {
        bytes.append(tag)
        bytes.append(0)
    }

    public mutating func writeOID(_ oid: OID) {
        bytes.append(BERTag.objectIdentifier)
        appendLength(Self.oidContentSize(oid))
        let arcs = oid.arcs
        appendBase128(UInt64(arcs[0]) * 40 + UInt64(arcs[1]))
        for index in 2..<arcs.count {
            appendBase128(UInt64(arcs[index]))
        }
    }

    /// Writes an element of `tag` with the four octets of an IpAddress as contents.
    mutating func writeFourOctets(tag: UInt8, _ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
        bytes.append(tag)
        bytes.append(4)
        bytes.append(a)
        bytes.append(b)
        bytes.append(c)
        bytes.append(d)
    }

    /// Appends bytes that are already encoded (a nested message, for example).
    public mutating func writeRaw(_ encoded: some Collection<UInt8>) {
        bytes.append(contentsOf: encoded)
    }

    private mutating func appendLength(_ length: Int) {
        if length < 0x80 {
            bytes.append(UInt8(length))
            return
        }
        let octets = Self.significantOctets(UInt64(length))
        bytes.append(0x80 | UInt8(octets))
        for index in stride(from: octets - 1, through: 0, by: -1) {
            bytes.append(UInt8(truncatingIfNeeded: length >> (8 * index)))
        }
    }

    private mutating func appendBase128(_ value: UInt64) {
        let groups = Self.base128Groups(value)
        for index in stride(from: groups - 1, through: 1, by: -1) {
            bytes.append(UInt8(truncatingIfNeeded: value >> (7 * index)) & 0x7F | 0x80)
        }
        bytes.append(UInt8(value & 0x7F))
    }

    // MARK: - Sizes

    /// The octets a whole element takes (tag, length, contents) when its contents take
    /// `contentSize`.
    public static func elementSize(contentSize: Int) -> Int {
        1 + lengthSize(contentSize) + contentSize
    }

    /// The octets of the length field for contents of `length` octets.
    static func lengthSize(_ length: Int) -> Int {
        length < 0x80 ? 1 : 1 + significantOctets(UInt64(length))
    }

    /// The contents size of `writeInteger(value)`: minimal two's complement.
    static func signedContentSize(_ value: Int64) -> Int {
        signedOctets(value)
    }

    /// The contents size of `writeUnsigned(value)`, with its sign octet when needed.
    static func unsignedContentSize(_ value: UInt64) -> Int {
        let count = significantOctets(value)
        return UInt8(truncatingIfNeeded: value >> (8 * (count - 1))) & 0x80 != 0 ? count + 1 : count
    }

    /// The contents size of `writeOID(oid)`.
    static func oidContentSize(_ oid: OID) -> Int {
        let arcs = oid.arcs
        var size = base128Groups(UInt64(arcs[0]) * 40 + UInt64(arcs[1]))
        for index in 2..<arcs.count {
            size += base128Groups(UInt64(arcs[index]))
        }
        return size
    }

    /// Octets needed for `value` in base 256, at least one.
    private static func significantOctets(_ value: UInt64) -> Int {
        value == 0 ? 1 : (64 - value.leadingZeroBitCount + 7) / 8
    }

    /// Octets of the minimal two's complement form of `value`: the magnitude bits plus a sign bit.
    private static func signedOctets(_ value: Int64) -> Int {
        // For negatives, the bits that matter are those of ~value; one more is the sign.
        let magnitude = value < 0 ? ~UInt64(bitPattern: value) : UInt64(bitPattern: value)
        return (64 - magnitude.leadingZeroBitCount + 1 + 7) / 8
    }

    /// Seven-bit groups needed for `value`, at least one.
    private static func base128Groups(_ value: UInt64) -> Int {
        value == 0 ? 1 : (64 - value.leadingZeroBitCount + 6) / 7
    }
}
