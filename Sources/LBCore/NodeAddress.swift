/// An IPv4 or IPv6 address of a node, as polled and as published in DNS.
///
/// Addresses order IPv4 before IPv6, then numerically, so a set of addresses has one canonical
/// sorted form to compare with what DNS holds. The text form is the canonical one
/// (dotted quad, or RFC 5952 for IPv6).
public enum NodeAddress: Hashable, Comparable, Sendable, CustomStringConvertible {
    case ipv4(UInt32)
    case ipv6(high: UInt64, low: UInt64)

    /// Parses an IPv4 dotted quad or an IPv6 address; `nil` if `text` is neither.
    ///
    /// Leading zeros in IPv4 parts are refused (they are octal for some resolvers), as are IPv6
    /// zone identifiers, which have no meaning in DNS.
    public init?(_ text: String) {
        if let value = Self.parseIPv4(Substring(text)) {
            self = .ipv4(value)
        } else if let (high, low) = Self.parseIPv6(text) {
            self = .ipv6(high: high, low: low)
        } else {
            return nil
        }
    }

    /// Whether this is an IPv4 address (published as an A record; AAAA otherwise).
    public var isIPv4: Bool {
        if case .ipv4 = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .ipv4(let value):
            return Self.formatIPv4(value)
        case .ipv6(let high, let low):
            return Self.formatIPv6(high: high, low: low)
        }
    }

    public static func < (lhs: NodeAddress, rhs: NodeAddress) -> Bool {
        switch (lhs, rhs) {
        case (.ipv4(let a), .ipv4(let b)):
            return a < b
        case (.ipv4, .ipv6):
            return true
        case (.ipv6, .ipv4):
            return false
        case (.ipv6(let ah, let al), .ipv6(let bh, let bl)):
            return (ah, al) < (bh, bl)
        }
    }

    /// The canonical form of an address set: duplicates removed, sorted.
    public static func canonicalSet<S: Sequence>(_ addresses: S) -> [NodeAddress]
    where S.Element == NodeAddress {
        canonicalSet(Array(addresses))
    }

    /// `addresses` sorted without repeats, in the array given: every alias's decision builds
    /// one, so it allocates nothing more.
    public static func canonicalSet(_ addresses: consuming [NodeAddress]) -> [NodeAddress] {
        var sorted = addresses
        sorted.sort()
        // Equal addresses sit next to each other once sorted.
        var kept = 0
        for index in sorted.indices where kept == 0 || sorted[index] != sorted[kept - 1] {
            sorted[kept] = sorted[index]
            kept += 1
        }
        sorted.removeSubrange(kept...)
        return sorted
    }

    // MARK: - Parsing

    private static func parseIPv4(_ text: Substring) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard (1...3).contains(part.utf8.count), part.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                part.utf8.count == 1 || part.utf8.first != 0x30,
                let octet = UInt32(part), octet <= 255
            else { return nil }
            value = value << 8 | octet
        }
        return value
    }

    private static func parseIPv6(_ text: String) -> (UInt64, UInt64)? {
        guard text.utf8.count <= 45, text.contains(":") else { return nil }
        let halves = text.split(separator: "::", omittingEmptySubsequences: false)
        guard halves.count <= 2 else { return nil }
        guard let head = parseGroups(halves[0], allowsTrailingIPv4: halves.count == 1) else { return nil }
        var groups: [UInt16]
        if halves.count == 2 {
            guard let tail = parseGroups(halves[1], allowsTrailingIPv4: true),
                head.count + tail.count <= 7
            else { return nil }
            groups = head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
        } else {
            groups = head
        }
        guard groups.count == 8 else { return nil }
        var high: UInt64 = 0
        var low: UInt64 = 0
        for (index, group) in groups.enumerated() {
            if index < 4 {
                high = high << 16 | UInt64(group)
            } else {
                low = low << 16 | UInt64(group)
            }
        }
        return (high, low)
    }

    /// Parses colon-separated hex groups; the last one may be a dotted quad worth two groups.
    private static func parseGroups(_ text: Substring, allowsTrailingIPv4: Bool) -> [UInt16]? {
        if text.isEmpty { return [] }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        var groups: [UInt16] = []
        for (index, part) in parts.enumerated() {
            if index == parts.count - 1, allowsTrailingIPv4, part.contains(".") {
                guard let v4 = parseIPv4(part) else { return nil }
                groups.append(UInt16(v4 >> 16))
                groups.append(UInt16(v4 & 0xFFFF))
                continue
            }
            guard (1...4).contains(part.utf8.count), let group = UInt16(part, radix: 16),
                part.utf8.allSatisfy({ Self.isHexDigit($0) })
            else { return nil }
            groups.append(group)
        }
        return groups
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x46).contains(byte) || (0x61...0x66).contains(byte)
    }

    // MARK: - Formatting

    /// Written digit by digit into at most 15 bytes, a string kept inline: every alias's log
    /// line formats its addresses, and interpolating four integers cost several times more.
    private static func formatIPv4(_ value: UInt32) -> String {
        String(unsafeUninitializedCapacity: 15) { buffer in
            var count = 0
            for shift in stride(from: 24, through: 0, by: -8) {
                let octet = Int(value >> UInt32(shift) & 0xFF)
                if shift != 24 {
                    buffer[count] = UInt8(ascii: ".")
                    count += 1
                }
                if octet >= 100 {
                    buffer[count] = UInt8(truncatingIfNeeded: 48 + octet / 100)
                    count += 1
                }
                if octet >= 10 {
                    buffer[count] = UInt8(truncatingIfNeeded: 48 + octet / 10 % 10)
                    count += 1
                }
                buffer[count] = UInt8(truncatingIfNeeded: 48 + octet % 10)
                count += 1
            }
            return count
        }
    }

    private static func formatIPv6(high: UInt64, low: UInt64) -> String {
        let groups: [UInt16] = (0..<8).map { index in
            let word = index < 4 ? high : low
            return UInt16(truncatingIfNeeded: word >> (UInt64(3 - index % 4) * 16))
        }
        // IPv4-mapped addresses keep the dotted quad (RFC 5952 section 5).
        if high == 0, low >> 32 == 0xFFFF {
            return "::ffff:" + formatIPv4(UInt32(truncatingIfNeeded: low))
        }
        // RFC 5952: shorten the longest run of two or more zero groups, the first one on a tie.
        var bestStart = -1
        var bestLength = 1
        var index = 0
        while index < 8 {
            if groups[index] == 0 {
                var end = index
                while end < 8, groups[end] == 0 { end += 1 }
                if end - index > bestLength {
                    bestStart = index
                    bestLength = end - index
                }
                index = end
            } else {
                index += 1
            }
        }
        let hex = groups.map { String($0, radix: 16) }
        if bestStart < 0 {
            return hex.joined(separator: ":")
        }
        let head = hex[..<bestStart].joined(separator: ":")
        let tail = hex[(bestStart + bestLength)...].joined(separator: ":")
        return head + "::" + tail
    }
}
