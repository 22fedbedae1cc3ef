/// How a DNS message travelled: a UDP datagram, or a TCP stream with the 2-octet length prefix
/// of RFC 1035 section 4.2.2.
public enum DNSTransport: String, Hashable, Sendable, CustomStringConvertible {
    case udp
    case tcp

    public var description: String { rawValue.uppercased() }
}
