import LBCore
import NIOCore

extension NodeAddress {
    /// The IP address of a resolved socket address, read from its bytes (no text round trip);
    /// `nil` for a Unix domain socket. An IPv6 zone index is dropped: DNS has no place for it.
    public init?(_ address: SocketAddress) {
        switch address {
        case .v4(let v4):
            self = .ipv4(UInt32(bigEndian: v4.address.sin_addr.s_addr))
        case .v6(let v6):
            let bytes = withUnsafeBytes(of: v6.address.sin6_addr) { Array($0) }
            guard bytes.count == 16 else { return nil }
            let high = bytes[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            let low = bytes[8..<16].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            self = .ipv6(high: high, low: low)
        case .unixDomainSocket:
            return nil
        }
    }
}

/// One address of a node as the book resolved it: the socket address to poll (with the SNMP
/// port) and the address to publish, converted once at resolution.
public struct PolledAddress: Hashable, Sendable {
    public var node: NodeAddress
    public var socket: SocketAddress

    /// `nil` when `socket` has no IP address.
    public init?(_ socket: SocketAddress) {
        guard let node = NodeAddress(socket) else { return nil }
        self.node = node
        self.socket = socket
    }
}
