/// Writes BER elements with minimal lengths, as net-snmp does.
public struct BERWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init() {
        bytes.reserveCapacity(128)
    }

    /// Writes a constructed element whose contents `body` writes.
    public mutating func writeConstructed(tag: UInt8, _ body: (inout BERWriter) -> Void) {
        bytes.append(tag)
        let lengthPosition = bytes.count
        bytes.append(0)
        body(&self)
        let length = bytes.count - lengthPosition - 1
        let encoded = Self.length(length)
        bytes[lengthPosition] = encoded[0]
        if encoded.count > 1 {
            bytes.insert(contentsOf: encoded.dropFirst(), at: lengthPosition + 1)
        }
    }

    /// Writes a primitive element.
    public mutating func write(tag: UInt8, contents: some Collection<UInt8>) {
        bytes.append(tag)
        bytes.append(contentsOf: Self.length(contents.count))
        bytes.append(contentsOf: contents)
    }

    public mutating func writeInteger(_ value: Int64, tag: UInt8 = BERTag.integer) {
        write(tag: tag, contents: Self.signed(value))
    }

    /// Writes an unsigned application integer (Counter32, Gauge32, TimeTicks, Counter64).
    public mutating func writeUnsigned(_ value: UInt64, tag: UInt8) {
        var octets: [UInt8] = []
        var rest = value
        repeat {
            octets.append(UInt8(truncatingIfNeeded: rest))
            rest >>= 8
        } while rest != 0
        if octets.last! & 0x80 != 0 { octets.append(0) }
        write(tag: tag, contents: octets.reversed())
    }

    public mutating func writeOctetString(_ value: some Collection<UInt8>) {
        write(tag: BERTag.octetString, contents: value)
    }

    public mutating func writeNull(tag: UInt8 = BERTag.null) {
        write(tag: tag, contents: [])
    }

    public mutating func writeOID(_ oid: OID) {
        var contents: [UInt8] = []
        Self.appendBase128(UInt64(oid.arcs[0]) * 40 + UInt64(oid.arcs[1]), to: &contents)
        for arc in oid.arcs.dropFirst(2) {
            Self.appendBase128(UInt64(arc), to: &contents)
        }
        write(tag: BERTag.objectIdentifier, contents: contents)
    }

    /// Appends bytes that are already encoded (a nested message, for example).
    public mutating func writeRaw(_ encoded: some Collection<UInt8>) {
        bytes.append(contentsOf: encoded)
    }

    static func length(_ length: Int) -> [UInt8] {
        if length < 0x80 { return [UInt8(length)] }
        var octets: [UInt8] = []
        var rest = length
        while rest > 0 {
            octets.append(UInt8(truncatingIfNeeded: rest))
            rest >>= 8
        }
        return [0x80 | UInt8(octets.count)] + octets.reversed()
    }

    /// The minimal two's complement octets of `value`.
    static func signed(_ value: Int64) -> [UInt8] {
        var octets: [UInt8] = []
        var rest = value
        while true {
            let octet = UInt8(truncatingIfNeeded: rest)
            octets.append(octet)
            rest >>= 8
            if (rest == 0 && octet & 0x80 == 0) || (rest == -1 && octet & 0x80 != 0) { break }
        }
        return octets.reversed()
    }

    private static func appendBase128(_ value: UInt64, to contents: inout [UInt8]) {
        var groups: [UInt8] = [UInt8(value & 0x7F)]
        var rest = value >> 7
        while rest > 0 {
            groups.append(UInt8(rest & 0x7F) | 0x80)
            rest >>= 7
        }
        contents.append(contentsOf: groups.reversed())
    }
}
