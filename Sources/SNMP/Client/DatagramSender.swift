import NIOCore
import UDPReplySource

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The sender of a datagram a batch read (``BatchDatagramSocket``), as the kernel wrote it: a
/// batch compares it with the address its answer must come from without first making a
/// `SocketAddress` of it, which costs an allocation per answer.
///
/// Valid only while the handler it was passed to runs: it points into the socket's buffers.
struct DatagramSender {
    let name: UnsafePointer<sockaddr_storage>

    /// Whether the sender is `address`, as `SocketAddress`'s `==` tells: family, port and
    /// address, and for IPv6 the flow information and scope too. Not an IP sender is no address.
    func `is`(_ address: SocketAddress) -> Bool {
        let raw = UnsafeRawPointer(name)
        switch (CInt(name.pointee.ss_family), address) {
        case (AF_INET, .v4(let target)):
            let sender = raw.load(as: sockaddr_in.self)
            return sender.sin_family == target.address.sin_family
                && sender.sin_port == target.address.sin_port
                && sender.sin_addr.s_addr == target.address.sin_addr.s_addr
        case (AF_INET6, .v6(let target)):
            var sender = raw.load(as: sockaddr_in6.self)
            var expected = target.address
            guard
                sender.sin6_family == expected.sin6_family && sender.sin6_port == expected.sin6_port
                    && sender.sin6_flowinfo == expected.sin6_flowinfo
                    && sender.sin6_scope_id == expected.sin6_scope_id
            else { return false }
            return memcmp(&sender.sin6_addr, &expected.sin6_addr, MemoryLayout<in6_addr>.size) == 0
        default:
            return false
        }
    }

    /// The sender as a `SocketAddress`; nil when it is not an IP address.
    var address: SocketAddress? {
        BlockingDatagramSocket.address(of: name.pointee)
    }
}
