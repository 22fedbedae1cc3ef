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
    public static let capacity = 64

    /// Writes into `control` (at least `capacity` octets) the control message that sends the
    /// answer to the datagram `received` describes from the address it was sent to, found in its
    /// IP_PKTINFO or IPV6_PKTINFO; returns its length, 0 when the datagram carried neither or
    /// its control messages are malformed.
    public static func write(answering received: msghdr, into control: UnsafeMutableRawPointer) -> Int {
        #if os(Linux)
            guard let start = received.msg_control else { return 0 }
            let available = Int(received.msg_controllen)
            let headerLength = aligned(MemoryLayout<cmsghdr>.size)
            var offset = 0
            while offset + headerLength <= available {
                let message = (start + offset).load(as: cmsghdr.self)
                let length = Int(message.cmsg_len)
                guard length >= headerLength, offset + length <= available else { return 0 }
                let data = UnsafeRawPointer(start + offset + headerLength)
                if message.cmsg_level == CInt(IPPROTO_IP), message.cmsg_type == CInt(IP_PKTINFO),
                    length >= headerLength + MemoryLayout<in_pktinfo>.size
                {
                    var info = in_pktinfo()
                    // ipi_spec_dst is the source; ipi_ifindex 0 lets the route choose the interface.
                    info.ipi_spec_dst = data.loadUnaligned(as: in_pktinfo.self).ipi_addr
                    return writeMessage(
                        level: CInt(IPPROTO_IP), type: CInt(IP_PKTINFO), payload: info, into: control)
                }
                if message.cmsg_level == CInt(IPPROTO_IPV6), message.cmsg_type == CInt(IPV6_PKTINFO),
                    length >= headerLength + MemoryLayout<IPv6PacketInfo>.size
                {
                    var info = data.loadUnaligned(as: IPv6PacketInfo.self)
                    // The interface is needed for a link-local source only; for others the
                    // route chooses.
                    let linkLocal = withUnsafeBytes(of: info.address) {
                        $0[0] == 0xFE && $0[1] & 0xC0 == 0x80
                    }
                    if !linkLocal { info.interfaceIndex = 0 }
                    return writeMessage(
                        level: CInt(IPPROTO_IPV6), type: CInt(IPV6_PKTINFO), payload: info, into: control)
                }
                offset += aligned(length)
            }
            return 0
        #else
            return 0
        #endif
    }

    private static func writeMessage<Payload>(
        level: CInt, type: CInt, payload: Payload, into control: UnsafeMutableRawPointer
    ) -> Int {
        let headerLength = aligned(MemoryLayout<cmsghdr>.size)
        let total = headerLength + aligned(MemoryLayout<Payload>.size)
        control.initializeMemory(as: UInt8.self, repeating: 0, count: total)
        var header = cmsghdr()
        header.cmsg_len = .init(headerLength + MemoryLayout<Payload>.size)
        header.cmsg_level = level
        header.cmsg_type = type
        control.storeBytes(of: header, as: cmsghdr.self)
        (control + headerLength).storeBytes(of: payload, as: Payload.self)
        return total
    }

    /// Control messages are aligned on `size_t` (CMSG_ALIGN).
    private static func aligned(_ length: Int) -> Int {
        let alignment = MemoryLayout<Int>.size
        return (length + alignment - 1) & ~(alignment - 1)
    }
}

/// struct in6_pktinfo, which the C library declares only with `_GNU_SOURCE`.
private struct IPv6PacketInfo {
    var address: in6_addr
    var interfaceIndex: UInt32
}
