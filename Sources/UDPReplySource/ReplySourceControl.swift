import NIOCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The control message that sends an answer from the address its request was sent to, for the
/// servers that read and write their sockets themselves (`recvmmsg`/`sendmmsg`: the DNS server's
/// and the SNMP agent's UDP threads) rather than through `SourceAddressedWriter`.
public enum ReplySourceControl {
    /// Room for one received or written control message (a header and an in6_pktinfo), aligned.
    public static let capacity = SourceAddressedDatagram.controlCapacity

    /// Writes into `control` (at least `capacity` octets) the control message that sends the
    /// answer to the datagram `received` describes from the address it was sent to, found in its
    /// IP_PKTINFO or IPV6_PKTINFO; returns its length, 0 when the datagram carried neither or
    /// its control messages are malformed. The message is the one `SourceAddressedWriter` sends.
    public static func write(answering received: msghdr, into control: UnsafeMutableRawPointer) -> Int {
        guard let source = replySource(in: received) else { return 0 }
        let buffer = UnsafeMutableRawBufferPointer(start: control, count: capacity)
        buffer.initializeMemory(as: UInt8.self, repeating: 0)
        return SourceAddressedDatagram.writeControlMessage(source, into: buffer)
    }

    /// The destination address of a received datagram, from its IP_PKTINFO or IPV6_PKTINFO.
    private static func replySource(in received: msghdr) -> SourceAddressedDatagram.ReplySource? {
        #if os(Linux)
            guard let start = received.msg_control else { return nil }
            let available = Int(received.msg_controllen)
            let headerLength = SourceAddressedDatagram.aligned(MemoryLayout<cmsghdr>.size)
            var offset = 0
            while offset + headerLength <= available {
                let message = (start + offset).load(as: cmsghdr.self)
                let length = Int(message.cmsg_len)
                guard length >= headerLength, offset + length <= available else { return nil }
                let data = UnsafeRawPointer(start + offset + headerLength)
                if message.cmsg_level == CInt(IPPROTO_IP), message.cmsg_type == CInt(IP_PKTINFO),
                    length >= headerLength + MemoryLayout<in_pktinfo>.size
                {
                    return .v4(data.loadUnaligned(as: in_pktinfo.self).ipi_addr)
                }
                // struct in6_pktinfo { struct in6_addr ipi6_addr; unsigned int ipi6_ifindex; }
                let in6Size = MemoryLayout<in6_addr>.size
                if message.cmsg_level == CInt(IPPROTO_IPV6), message.cmsg_type == CInt(IPV6_PKTINFO),
                    length >= headerLength + in6Size + MemoryLayout<UInt32>.size
                {
                    return .v6(
                        data.loadUnaligned(as: in6_addr.self),
                        interfaceIndex: data.loadUnaligned(fromByteOffset: in6Size, as: UInt32.self))
                }
                offset += SourceAddressedDatagram.aligned(length)
            }
            return nil
        #else
            return nil
        #endif
    }
}
