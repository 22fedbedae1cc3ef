import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Binds UDP server sockets so that every answer leaves from the address its request was sent to.
///
/// A socket bound to `0.0.0.0` or `::` receives datagrams sent to any local address, but the
/// kernel picks an answer's source address from the route back to the client. On a host with
/// several addresses, or asked on a loopback address other than 127.0.0.1, the answer comes from
/// another address than the one asked, and a client whose socket is connected to the server (dig,
/// net-snmp, lbd's poller) drops it. snmpd, BIND and Knot learn each datagram's destination
/// (IP_PKTINFO, IPV6_RECVPKTINFO) and send the answer from it; so does a channel bound here.
///
/// NIO 2.101 reports the destination (`AddressedEnvelope.Metadata.packetInfo`, with
/// `ChannelOptions.receivePacketInfo`) but ignores it when writing: `SourceAddressedWriter`
/// sends those answers itself on the channel's socket.
public enum UDPReplySource {
    /// Binds a channel of `bootstrap` to `host` and `port` and returns it.
    ///
    /// On a wildcard address the socket is opened here, with `receivePacketInfo` set on
    /// `bootstrap` and a `SourceAddressedWriter` first in the pipeline: each datagram read carries
    /// its destination in `metadata.packetInfo`, and an answer written with that metadata (see
    /// `AddressedEnvelope.reply(_:)`) is sent from it. On any other address this is
    /// `bootstrap.bind(host:port:)`.
    ///
    /// - Parameters:
    ///   - reuseAddress: SO_REUSEADDR, set before binding.
    ///   - reusePort: SO_REUSEPORT, set before binding, so that several sockets share the port.
    ///   - handlers: adds the caller's handlers to each channel's pipeline (in place of
    ///     `bootstrap.channelInitializer`, which this replaces).
    public static func bind(
        _ bootstrap: DatagramBootstrap, host: String, port: Int, reuseAddress: Bool = false,
        reusePort: Bool = false, handlers: @escaping @Sendable (any Channel) throws -> Void
    ) async throws -> any Channel {
        let address = try SocketAddress.makeAddressResolvingHost(host, port: port)
        guard address.isWildcard else {
            return
                try await bootstrap
                .channelOption(.socketOption(.so_reuseaddr), value: reuseAddress ? 1 : 0)
                .channelOption(
                    ChannelOptions.socket(SocketOptionLevel(SOL_SOCKET), SO_REUSEPORT),
                    value: reusePort ? 1 : 0
                )
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture { try handlers(channel) }
                }
                .bind(to: address)
                .get()
        }
        let descriptor = try openSocket(bound: address, reuseAddress: reuseAddress, reusePort: reusePort)
        return
            try await bootstrap
            .channelOption(.receivePacketInfo, value: true)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        SourceAddressedWriter(descriptor: descriptor))
                    try handlers(channel)
                }
            }
            .withBoundSocket(descriptor)
            .get()
    }

    /// A non-blocking UDP socket bound to `address`; the channel that adopts it closes it.
    private static func openSocket(bound address: SocketAddress, reuseAddress: Bool, reusePort: Bool) throws
        -> CInt
    {
        #if canImport(Glibc)
            let type = CInt(SOCK_DGRAM.rawValue) | CInt(SOCK_CLOEXEC.rawValue) | CInt(SOCK_NONBLOCK.rawValue)
        #else
            let type = SOCK_DGRAM
        #endif
        let descriptor = socket(address.protocol.rawValue, type, 0)
        guard descriptor >= 0 else { throw IOError(errnoCode: errno, reason: "socket") }
        do {
            try setOption(descriptor, SO_REUSEADDR, reuseAddress, "setsockopt(SO_REUSEADDR)")
            try setOption(descriptor, SO_REUSEPORT, reusePort, "setsockopt(SO_REUSEPORT)")
            let bound = address.withSockAddr { systemBind(descriptor, $0, socklen_t($1)) }
            guard bound == 0 else { throw IOError(errnoCode: errno, reason: "bind(descriptor:ptr:bytes:)") }
        } catch {
            close(descriptor)
            throw error
        }
        return descriptor
    }

    private static func setOption(_ descriptor: CInt, _ name: CInt, _ on: Bool, _ reason: String) throws {
        var value: CInt = on ? 1 : 0
        guard setsockopt(descriptor, SOL_SOCKET, name, &value, socklen_t(MemoryLayout<CInt>.size)) == 0 else {
            throw IOError(errnoCode: errno, reason: reason)
        }
    }
}

/// bind(2), which the enum's own `bind` hides inside it.
private func systemBind(_ descriptor: CInt, _ address: UnsafePointer<sockaddr>, _ length: socklen_t) -> CInt {
    bind(descriptor, address, length)
}

extension SocketAddress {
    /// Whether this is `0.0.0.0` or `::`, the addresses that take datagrams sent to any local one.
    var isWildcard: Bool {
        switch self {
        case .v4(let address):
            return address.address.sin_addr.s_addr == 0
        case .v6(let address):
            return withUnsafeBytes(of: address.address.sin6_addr) { $0.allSatisfy { $0 == 0 } }
        case .unixDomainSocket:
            return false
        }
    }
}
