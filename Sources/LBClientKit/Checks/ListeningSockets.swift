#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A socket of this node as the kernel lists it in `/proc/net/{tcp,tcp6,udp,udp6}`: its local
/// address and port, and its state.
public struct ListeningSocket: Sendable, Hashable {
    public enum Transport: String, Sendable, Hashable, CaseIterable {
        case tcp
        case udp
    }

    public enum Family: String, Sendable, Hashable, CaseIterable {
        case ipv4 = "IPv4"
        case ipv6 = "IPv6"

        /// Address length in bytes.
        public var addressLength: Int { self == .ipv4 ? 4 : 16 }
    }

    public var transport: Transport
    /// The local address in network byte order: 4 bytes for IPv4, 16 for IPv6.
    public var address: [UInt8]
    public var port: UInt16
    /// The kernel's state number (`st` column): for TCP, 0x0A is LISTEN.
    public var state: UInt8

    public init(transport: Transport, address: [UInt8], port: UInt16, state: UInt8) {
        self.transport = transport
        self.address = address
        self.port = port
        self.state = state
    }

    public var family: Family { address.count == 4 ? .ipv4 : .ipv6 }

    /// The address as text (`127.0.0.1`, `::1`).
    public var addressDescription: String { ListeningSockets.text(of: address) }
}

/// Reads the kernel's socket tables and keeps the sockets that accept traffic: TCP sockets in
/// LISTEN state, and every bound UDP socket (UDP has no listening state).
///
/// Only the local address and port are looked at. golbclient searched the whole line with a
/// regular expression, so an ESTABLISHED connection whose *remote* port was the one wanted
/// passed the check; that is why the columns are parsed here.
public enum ListeningSockets {
    /// The TCP state number of a listening socket (`TCP_LISTEN` in the kernel).
    public static let tcpListenState: UInt8 = 0x0A

    /// The `/proc` file listing the sockets of `transport` and `family`.
    public static func file(_ transport: ListeningSocket.Transport, _ family: ListeningSocket.Family)
        -> String
    {
        "/proc/net/\(transport.rawValue)\(family == .ipv6 ? "6" : "")"
    }

    /// The sockets of a `/proc/net/<transport><6?>` text that accept traffic. Lines that do not
    /// parse (the header, garbage) are skipped.
    public static func parse(
        _ text: String, transport: ListeningSocket.Transport, family: ListeningSocket.Family
    ) -> [ListeningSocket] {
        var sockets: [ListeningSocket] = []
        for line in text.utf8.split(separator: UInt8(ascii: "\n")) {
            guard let socket = entry(line, transport: transport, family: family) else { continue }
            if transport == .udp || socket.state == tcpListenState { sockets.append(socket) }
        }
        return sockets
    }

    /// One socket line, in whatever state; nil when the line is not a well-formed entry of the
    /// given family.
    ///
    /// The line is `  sl: LOCAL:PORT REMOTE:PORT ST ...`, with the addresses as hexadecimal
    /// 32-bit words. Never traps, whatever the bytes.
    static func entry(
        _ line: some BidirectionalCollection<UInt8>, transport: ListeningSocket.Transport,
        family: ListeningSocket.Family
    ) -> ListeningSocket? {
        let fields = line.split(whereSeparator: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") })
        guard fields.count >= 4 else { return nil }
        let slot = fields[0]
        guard slot.count >= 2, slot.last == UInt8(ascii: ":"), slot.dropLast().allSatisfy(isDecimalDigit)
        else { return nil }
        guard let (address, port) = endpoint(fields[1], family: family),
            endpoint(fields[2], family: family) != nil,
            fields[3].count == 2, let state = hexValue(fields[3])
        else { return nil }
        return ListeningSocket(transport: transport, address: address, port: port, state: UInt8(state))
    }

    /// `0100007F:0016` → (127.0.0.1, 22).
    private static func endpoint(_ field: some Collection<UInt8>, family: ListeningSocket.Family) -> (
        [UInt8], UInt16
    )? {
        let parts = field.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
        guard parts.count == 2, parts[1].count == 4, let port = hexValue(parts[1]),
            let address = address(fromProcHex: parts[0], family: family)
        else { return nil }
        return (address, UInt16(port))
    }

    /// The network-order address bytes of a `/proc/net` hexadecimal address.
    ///
    /// The kernel prints each 32-bit word of the address as it sits in memory, read as a native
    /// integer: on little-endian machines `127.0.0.1` appears as `0100007F`, and each of the
    /// four words of an IPv6 address is byte-reversed on its own.
    static func address(fromProcHex hex: some Collection<UInt8>, family: ListeningSocket.Family) -> [UInt8]? {
        guard hex.count == family.addressLength * 2 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(family.addressLength)
        var rest = hex[...]
        while !rest.isEmpty {
            guard let word = hexValue(rest.prefix(8)) else { return nil }
            withUnsafeBytes(of: UInt32(word)) { bytes += $0 }
            rest = rest.dropFirst(8)
        }
        return bytes
    }

    /// The `/proc/net` hexadecimal form of an address (network-order bytes, 4 or 16): the
    /// inverse of ``address(fromProcHex:family:)``, e.g. `127.0.0.1` → `0100007F` and
    /// `0.0.0.1` → `01000000` on x86.
    public static func procHex(of address: [UInt8]) -> String {
        var text = ""
        var index = 0
        while index + 4 <= address.count {
            var word: UInt32 = 0
            withUnsafeMutableBytes(of: &word) { memory in
                for offset in 0..<4 { memory[offset] = address[index + offset] }
            }
            let digits = String(word, radix: 16, uppercase: true)
            text += String(repeating: "0", count: 8 - digits.count) + digits
            index += 4
        }
        return text
    }

    /// The network-order bytes of an IP address literal, or nil if `text` is not one.
    public static func addressBytes(_ text: String) -> [UInt8]? {
        var ipv4 = in_addr()
        if inet_pton(AF_INET, text, &ipv4) == 1 {
            return withUnsafeBytes(of: &ipv4) { Array($0) }
        }
        var ipv6 = in6_addr()
        if inet_pton(AF_INET6, text, &ipv6) == 1 {
            return withUnsafeBytes(of: &ipv6) { Array($0) }
        }
        return nil
    }

    /// The textual form of network-order address bytes.
    static func text(of address: [UInt8]) -> String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        let family = address.count == 4 ? AF_INET : AF_INET6
        guard address.count == 4 || address.count == 16,
            address.withUnsafeBytes({ inet_ntop(family, $0.baseAddress, &buffer, socklen_t(buffer.count)) })
                != nil
        else {
            return procHex(of: address)
        }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func isDecimalDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    /// The value of 1 to 8 hexadecimal digits (no sign, no prefix), or nil.
    private static func hexValue(_ digits: some Collection<UInt8>) -> UInt32? {
        guard !digits.isEmpty, digits.count <= 8 else { return nil }
        var value: UInt32 = 0
        for byte in digits {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }
}
