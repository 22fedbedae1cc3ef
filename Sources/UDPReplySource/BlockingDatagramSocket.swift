import NIOCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A blocking UDP socket for a server thread that reads and writes it itself (the DNS server's
/// and the SNMP agent's UDP threads).
public enum BlockingDatagramSocket {
    /// Which of the socket's reuse options to set.
    public enum Reuse: Sendable {
        case none
        /// SO_REUSEADDR: bind again at once after a restart.
        case address
        /// SO_REUSEPORT: several sockets share the port, the kernel spreads the datagrams.
        case port
    }

    /// A socket bound to `address`, asking for a `receiveBuffer`-octet receive buffer and, on a
    /// wildcard address, for each datagram's destination address (see ``ReplySourceControl``);
    /// and whether the address is a wildcard. A receive waits at most `receiveTimeout` seconds,
    /// so that the thread sees a request to stop even if the kernel did not wake it.
    public static func bind(
        _ address: SocketAddress, reuse: Reuse, receiveBuffer: Int, receiveTimeout: Int
    ) throws -> (descriptor: CInt, wildcard: Bool) {
        #if canImport(Glibc)
            let type = CInt(SOCK_DGRAM.rawValue) | CInt(SOCK_CLOEXEC.rawValue)
        #else
            let type = SOCK_DGRAM
        #endif
        let descriptor = socket(address.protocol.rawValue, type, 0)
        guard descriptor >= 0 else { throw IOError(errnoCode: errno, reason: "socket") }
        let wildcard: Bool
        switch address {
        case .v4(let v4): wildcard = v4.address.sin_addr.s_addr == 0
        case .v6(let v6): wildcard = withUnsafeBytes(of: v6.address.sin6_addr) { $0.allSatisfy { $0 == 0 } }
        case .unixDomainSocket: wildcard = false
        }
        do {
            switch reuse {
            case .none: break
            case .address: try setOption(descriptor, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR")
            case .port: try setOption(descriptor, SOL_SOCKET, SO_REUSEPORT, 1, "SO_REUSEPORT")
            }
            // The kernel caps it at net.core.rmem_max; a smaller buffer is no reason to fail.
            _ = try? setOption(descriptor, SOL_SOCKET, SO_RCVBUF, CInt(receiveBuffer), "SO_RCVBUF")
            var timeout = timeval(tv_sec: receiveTimeout, tv_usec: 0)
            guard
                setsockopt(
                    descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size)) == 0
            else { throw IOError(errnoCode: errno, reason: "setsockopt(SO_RCVTIMEO)") }
            if wildcard, case .v4 = address {
                try setOption(descriptor, CInt(IPPROTO_IP), CInt(IP_PKTINFO), 1, "IP_PKTINFO")
            } else if wildcard {
                try setOption(descriptor, CInt(IPPROTO_IPV6), CInt(IPV6_RECVPKTINFO), 1, "IPV6_RECVPKTINFO")
            }
            let bound = address.withSockAddr { systemBind(descriptor, $0, socklen_t($1)) }
            guard bound == 0 else { throw IOError(errnoCode: errno, reason: "bind(descriptor:ptr:bytes:)") }
        } catch {
            _ = close(descriptor)
            throw error
        }
        return (descriptor, wildcard)
    }

    /// The IPv4 or IPv6 address in `storage` (a datagram's sender), nil for any other family.
    public static func address(of storage: sockaddr_storage) -> SocketAddress? {
        withUnsafePointer(to: storage) { pointer in
            let raw = UnsafeRawPointer(pointer)
            switch CInt(storage.ss_family) {
            case AF_INET: return SocketAddress(raw.load(as: sockaddr_in.self), host: "")
            case AF_INET6: return SocketAddress(raw.load(as: sockaddr_in6.self), host: "")
            default: return nil
            }
        }
    }

    private static func setOption(
        _ descriptor: CInt, _ level: CInt, _ name: CInt, _ value: CInt, _ reason: String
    ) throws {
        var value = value
        guard setsockopt(descriptor, level, name, &value, socklen_t(MemoryLayout<CInt>.size)) == 0 else {
            throw IOError(errnoCode: errno, reason: "setsockopt(\(reason))")
        }
    }
}

/// bind(2), which the type's own `bind` hides inside it.
private func systemBind(_ descriptor: CInt, _ address: UnsafePointer<sockaddr>, _ length: socklen_t) -> CInt {
    bind(descriptor, address, length)
}
