/// An IPv4 address as carried in an A record: always exactly 4 octets.
public struct IPv4Address: Hashable, Sendable, CustomStringConvertible {
    public let octets: (UInt8, UInt8, UInt8, UInt8)

    public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
        octets = (a, b, c, d)
    }

    /// Parses dotted-quad text (`192.0.2.1`); leading zeros and other forms are refused.
    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var values: [UInt8] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isASCII),
                part == "0" || !part.hasPrefix("0"), let value = UInt8(part)
            else { return nil }
            values.append(value)
        }
        self.init(values[0], values[1], values[2], values[3])
    }

    init(bytes: [UInt8]) {
        self.init(bytes[0], bytes[1], bytes[2], bytes[3])
    }

    public var bytes: [UInt8] { [octets.0, octets.1, octets.2, octets.3] }

    public var description: String { bytes.map { String($0) }.joined(separator: ".") }

    public static func == (lhs: IPv4Address, rhs: IPv4Address) -> Bool { lhs.bytes == rhs.bytes }

    public func hash(into hasher: inout Hasher) { hasher.combine(bytes) }
}
