import NIOCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One datagram sent with sendmsg(2) from a chosen local address: an IP_PKTINFO control message
/// (`ipi_spec_dst`) for IPv4, IPV6_PKTINFO for IPv6 and IPv4-mapped addresses on a dual-stack
/// socket.
enum SourceAddressedDatagram {
    /// How many times a send interrupted by a signal is tried again.
    static let interruptedAttempts = 4

    /// Sends `data` to `destination` from `source.destinationAddress` on the socket `descriptor`.
    ///
    /// When the kernel refuses that source (a broadcast or multicast destination taken as the
    /// source, an address removed since the request came), the datagram is sent without one, as
    /// any write is, so the client still gets its answer if it does not check the source.
    ///
    /// - Throws: `IOError` when the datagram cannot be sent at all, for instance when the socket
    ///   buffer is full (EAGAIN): the datagram is then dropped, as the network may drop it.
    static func send(
        _ data: ByteBuffer, to destination: SocketAddress, from source: NIOPacketInfo, on descriptor: CInt
    ) throws {
        let result = withUnsafeTemporaryAllocation(
            byteCount: controlCapacity, alignment: MemoryLayout<Int>.alignment
        ) { buffer in
            buffer.initializeMemory(as: UInt8.self, repeating: 0)
            let control = UnsafeMutableRawBufferPointer(
                rebasing: buffer[..<writeControlMessage(source, into: buffer)])
            let result = transmit(data, to: destination, control: control, on: descriptor)
            guard result != 0, result != EAGAIN, result != EWOULDBLOCK, !control.isEmpty else {
                return result
            }
            return transmit(
                data, to: destination, control: UnsafeMutableRawBufferPointer(start: nil, count: 0),
                on: descriptor)
        }
        guard result == 0 else { throw IOError(errnoCode: result, reason: "sendmsg") }
    }

    /// 0 when sent, else errno.
    private static func transmit(
        _ data: ByteBuffer, to destination: SocketAddress, control: UnsafeMutableRawBufferPointer,
        on descriptor: CInt
    ) -> CInt {
        data.withUnsafeReadableBytes { payload in
            destination.withSockAddr { name, nameLength in
                var vector = iovec(
                    iov_base: UnsafeMutableRawPointer(mutating: payload.baseAddress), iov_len: payload.count)
                return withUnsafeMutablePointer(to: &vector) { vectorPointer in
                    var message = msghdr()
                    message.msg_name = UnsafeMutableRawPointer(mutating: name)
                    message.msg_namelen = socklen_t(nameLength)
                    message.msg_iov = vectorPointer
                    message.msg_iovlen = 1
                    message.msg_control = control.isEmpty ? nil : control.baseAddress
                    message.msg_controllen = .init(control.count)
                    for _ in 0..<interruptedAttempts {
                        if sendmsg(descriptor, &message, CInt(MSG_DONTWAIT)) >= 0 { return 0 }
                        if errno != EINTR { return errno }
                    }
                    return EINTR
                }
            }
        }
    }

    /// Room for one control message: a header and an in6_pktinfo (20 octets), aligned.
    static let controlCapacity = 64

    /// The local address an answer leaves from, as the control message carries it.
    enum ReplySource {
        case v4(in_addr)
        /// The interface matters for a link-local source only; it is dropped for any other.
        case v6(in6_addr, interfaceIndex: UInt32)
    }

    /// Writes the control message that sets the source address into `buffer` (zeroed, aligned,
    /// `controlCapacity` octets), laid out as CMSG_SPACE(3) would; returns its length.
    static func writeControlMessage(_ source: NIOPacketInfo, into buffer: UnsafeMutableRawBufferPointer)
        -> Int
    {
        switch source.destinationAddress {
        case .v4(let address):
            return writeControlMessage(.v4(address.address.sin_addr), into: buffer)
        case .v6(let address):
            return writeControlMessage(
                .v6(address.address.sin6_addr, interfaceIndex: UInt32(max(source.interfaceIndex, 0))),
                into: buffer)
        case .unixDomainSocket:
            return 0
        }
    }

    /// `writeControlMessage(_:into:)` for a source already in the C library's types (the UDP
    /// threads read it from the request's own control message).
    static func writeControlMessage(_ source: ReplySource, into buffer: UnsafeMutableRawBufferPointer) -> Int
    {
        let headerLength = aligned(MemoryLayout<cmsghdr>.size)
        var header = cmsghdr()
        let payloadLength: Int
        switch source {
        case .v4(let address):
            // ipi_spec_dst is the source; ipi_ifindex 0 lets the route choose the interface.
            var info = in_pktinfo()
            info.ipi_spec_dst = address
            header.cmsg_level = CInt(IPPROTO_IP)
            header.cmsg_type = CInt(IP_PKTINFO)
            payloadLength = MemoryLayout<in_pktinfo>.size
            buffer.storeBytes(of: info, toByteOffset: headerLength, as: in_pktinfo.self)
        case .v6(let address, let interfaceIndex):
            // struct in6_pktinfo { struct in6_addr ipi6_addr; unsigned int ipi6_ifindex; }. The
            // interface is needed for a link-local source only; for others the route chooses.
            let linkLocal = withUnsafeBytes(of: address) { $0[0] == 0xFE && $0[1] & 0xC0 == 0x80 }
            header.cmsg_level = CInt(IPPROTO_IPV6)
            header.cmsg_type = CInt(IPV6_PKTINFO)
            payloadLength = MemoryLayout<in6_addr>.size + MemoryLayout<UInt32>.size
            buffer.storeBytes(of: address, toByteOffset: headerLength, as: in6_addr.self)
            buffer.storeBytes(
                of: linkLocal ? interfaceIndex : 0, toByteOffset: headerLength + MemoryLayout<in6_addr>.size,
                as: UInt32.self)
        }
        header.cmsg_len = .init(headerLength + payloadLength)
        buffer.storeBytes(of: header, as: cmsghdr.self)
        return headerLength + aligned(payloadLength)
    }

    #if os(Linux)
        /// Control messages are aligned on `size_t` (CMSG_ALIGN).
        private static let alignment = MemoryLayout<Int>.size
    #else
        private static let alignment = MemoryLayout<UInt32>.size
    #endif

    static func aligned(_ length: Int) -> Int {
        (length + alignment - 1) & ~(alignment - 1)
    }
}
