import NIOCore

/// The addresses a community is accepted from: one address family, and a network in it given as
/// an address and a prefix length (net-snmp's SOURCE column: `default`, `10.1.2.3`,
/// `10.0.0.0/8`, `10.0.0.0/255.0.0.0`, `2001:db8::/32`).
///
/// Invariant: `network` has 4 octets for IPv4 and 16 for IPv6, `prefixLength` is at most
/// 8 × that, and the bits past the prefix are zero.
public struct SNMPSourceNetwork: Sendable, Hashable, CustomStringConvertible {
    public enum Family: String, Sendable, Hashable {
        case ipv4
        case ipv6

        var octets: Int { self == .ipv4 ? 4 : 16 }
    }

    public let family: Family
    public let network: [UInt8]
    public let prefixLength: Int

    /// Every address of `family` (net-snmp's `default`).
    public static func any(_ family: Family) -> SNMPSourceNetwork {
        SNMPSourceNetwork(
            family: family, network: [UInt8](repeating: 0, count: family.octets), prefixLength: 0)
    }

    private init(family: Family, network: [UInt8], prefixLength: Int) {
        self.family = family
        self.network = network
        self.prefixLength = prefixLength
    }

    /// Reads `default`, an address or `ADDRESS/PREFIX` (IPv4 also `ADDRESS/MASK`) of `family`.
    /// Host names are not accepted: net-snmp resolves them once at start, which hides what is
    /// allowed. Bits set past the prefix are an error, as a likely typo (`10.1.0.0/8`).
    public init(parsing text: String, family: Family) throws(SNMPSourceNetworkError) {
        if text == "default" {
            self = .any(family)
            return
        }
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = Self.address(String(parts[0]), family: family) else {
            throw SNMPSourceNetworkError(
                family == .ipv4
                    ? "`\(text)` is not an IPv4 address or network such as 10.0.0.0/8 (use rocommunity6 for IPv6)"
                    : "`\(text)` is not an IPv6 address or network such as 2001:db8::/32 (use rocommunity for IPv4)"
            )
        }
        let length: Int
        if parts.count == 1 {
            length = family.octets * 8
        } else if let prefix = Int(parts[1]), (0...family.octets * 8).contains(prefix), parts[1].first != "+"
        {
            length = prefix
        } else if family == .ipv4, let mask = Self.address(String(parts[1]), family: .ipv4),
            let prefix = Self.prefixLength(ofMask: mask)
        {
            length = prefix
        } else {
            throw SNMPSourceNetworkError(
                "`\(parts[1])` in `\(text)` is not a prefix length (0 to \(family.octets * 8))"
                    + (family == .ipv4 ? " or a netmask such as 255.0.0.0" : ""))
        }
        guard Self.masked(address, to: length) == address else {
            throw SNMPSourceNetworkError(
                "`\(text)` has bits set past its /\(length) prefix; write \(Self.format(Self.masked(address, to: length), family: family))/\(length)"
            )
        }
        self.init(family: family, network: address, prefixLength: length)
    }

    /// Whether a datagram from `source` comes from this network. An IPv4-mapped IPv6 address
    /// (`::ffff:10.1.2.3`, as a dual-stack socket reports IPv4 senders) counts as IPv4.
    public func contains(_ source: SocketAddress) -> Bool {
        guard let (sourceFamily, octets) = Self.octets(of: source), sourceFamily == family else {
            return false
        }
        return Self.masked(octets, to: prefixLength) == network
    }

    public var description: String {
        if prefixLength == 0 { return "default (\(family == .ipv4 ? "IPv4" : "IPv6"))" }
        let address = Self.format(network, family: family)
        return prefixLength == family.octets * 8 ? address : "\(address)/\(prefixLength)"
    }

    /// The family and octets of an IP socket address; IPv4-mapped IPv6 addresses as IPv4.
    static func octets(of address: SocketAddress) -> (Family, [UInt8])? {
        switch address {
        case .v4(let v4):
            let value = UInt32(bigEndian: v4.address.sin_addr.s_addr)
            return (
                .ipv4,
                [
                    UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF),
                    UInt8(value & 0xFF),
                ]
            )
        case .v6(let v6):
            var storage = v6.address.sin6_addr
            let bytes = withUnsafeBytes(of: &storage) { Array($0) }
            if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF {
                return (.ipv4, Array(bytes[12..<16]))
            }
            return (.ipv6, bytes)
        case .unixDomainSocket:
            return nil
        }
    }

    private static func address(_ text: String, family: Family) -> [UInt8]? {
        guard !text.isEmpty, let parsed = try? SocketAddress(ipAddress: text, port: 0),
            let (parsedFamily, octets) = rawOctets(of: parsed), parsedFamily == family
        else { return nil }
        return octets
    }

    /// Like `octets(of:)` but without mapping `::ffff:a.b.c.d` to IPv4: in a configuration an
    /// IPv6 text stays IPv6.
    private static func rawOctets(of address: SocketAddress) -> (Family, [UInt8])? {
        switch address {
        case .v4: return octets(of: address)
        case .v6(let v6):
            var storage = v6.address.sin6_addr
            return (.ipv6, withUnsafeBytes(of: &storage) { Array($0) })
        case .unixDomainSocket: return nil
        }
    }

    private static func prefixLength(ofMask mask: [UInt8]) -> Int? {
        let bits: [Bool] = mask.flatMap { byte -> [Bool] in
            (0..<8).map { (shift: Int) -> Bool in byte & (0x80 >> UInt8(shift)) != 0 }
        }
        let ones = bits.prefix(while: { $0 }).count
        return bits.dropFirst(ones).contains(true) ? nil : ones
    }

    private static func masked(_ octets: [UInt8], to prefixLength: Int) -> [UInt8] {
        octets.enumerated().map { index, byte in
            let kept = min(max(prefixLength - index * 8, 0), 8)
            return kept == 8 ? byte : byte & ~(0xFF >> UInt8(kept))
        }
    }

    private static func format(_ octets: [UInt8], family: Family) -> String {
        if family == .ipv4 { return octets.map(String.init).joined(separator: ".") }
        let groups = stride(from: 0, to: 16, by: 2).map {
            String(UInt16(octets[$0]) << 8 | UInt16(octets[$0 + 1]), radix: 16)
        }
        return groups.joined(separator: ":")
    }
}

/// A SOURCE that is not `default`, an address or a network of the right family.
public struct SNMPSourceNetworkError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
