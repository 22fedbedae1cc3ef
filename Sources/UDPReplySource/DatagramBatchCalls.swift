import SystemCallShims

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// recvmmsg(2) and sendmmsg(2), which move a batch of datagrams per system call. The C library's
/// declarations need `_GNU_SOURCE`, which Swift's Glibc module does not define, so the calls go
/// through the `SystemCallShims` C target, which names them directly (and so links them into a
/// static executable, where `dlsym` would find nothing). nil where the system has none (not
/// Linux): the servers then read their UDP sockets through NIO instead.
public enum DatagramBatchCalls {
    /// `struct mmsghdr`: a message header and the length the kernel received or sent. Laid out
    /// as in C (56 + 4 octets, stride 64 on 64-bit Linux).
    public struct Message {
        public var header = msghdr()
        public var length: UInt32 = 0

        /// An empty header, length 0.
        public init() {}
    }

    /// recvmmsg's signature: socket, `Message` array, count, flags, timeout (a `timespec` or nil).
    public typealias Receive =
        @convention(c) (CInt, UnsafeMutableRawPointer?, CUnsignedInt, CInt, UnsafeMutableRawPointer?) -> CInt
    /// sendmmsg's signature: socket, `Message` array, count, flags.
    public typealias Send = @convention(c) (CInt, UnsafeMutableRawPointer?, CUnsignedInt, CInt) -> CInt

    /// recvmmsg, when the C library has it.
    public static let receive: Receive? = usable ? lb_recvmmsg : nil
    /// sendmmsg, when the C library has it.
    public static let send: Send? = usable ? lb_sendmmsg : nil
    /// MSG_WAITFORONE: a receive that blocks for the first datagram only (0 without the calls).
    public static let waitForOne: CInt = lb_datagram_batch_wait_for_one()

    /// Whether both calls exist.
    public static var available: Bool { receive != nil && send != nil }

    /// Readies the first `count` of `messages` for a receive, which changed them last time:
    /// datagram `i` into `vectors[i]` (set up once by the caller), its sender into `names[i]`,
    /// and, with `control`, its control message into `control + i * controlCapacity`.
    public static func prepareReceive(
        _ messages: UnsafeMutablePointer<Message>, count: Int, names: UnsafeMutablePointer<sockaddr_storage>,
        vectors: UnsafeMutablePointer<iovec>, control: UnsafeMutableRawPointer?, controlCapacity: Int
    ) {
        for index in 0..<count {
            withUnsafeMutablePointer(to: &messages[index].header) { header in
                header.pointee.msg_name = UnsafeMutableRawPointer(names + index)
                header.pointee.msg_namelen = socklen_t(MemoryLayout<sockaddr_storage>.size)
                header.pointee.msg_iov = vectors + index
                header.pointee.msg_iovlen = 1
                header.pointee.msg_control = control.map { $0 + index * controlCapacity }
                header.pointee.msg_controllen = control == nil ? 0 : .init(controlCapacity)
                header.pointee.msg_flags = 0
            }
            messages[index].length = 0
        }
    }

    /// Sends the first `count` of `messages`, prepared answers, on `descriptor` without waiting.
    /// An answer the kernel refuses with its source address (say, an address removed since the
    /// request came) is sent again without one, as any write is; when the socket buffer is full
    /// the rest are dropped, as the network may drop them.
    public static func sendAnswers(_ messages: UnsafeMutablePointer<Message>, count: Int, on descriptor: CInt)
    {
        guard let send else { return }
        var next = 0
        var interruptions = 0
        while next < count {
            let sent = send(
                descriptor, UnsafeMutableRawPointer(messages + next), CUnsignedInt(count - next),
                CInt(MSG_DONTWAIT))
            if sent > 0 {
                next += Int(sent)
                continue
            }
            let error = errno
            if error == EINTR, interruptions < 4 {
                interruptions += 1
                continue
            }
            if error == EAGAIN || error == EWOULDBLOCK { return }
            // This one answer failed: without its source address if it had one, else dropped.
            withUnsafeMutablePointer(to: &messages[next].header) { header in
                guard header.pointee.msg_control != nil else { return }
                header.pointee.msg_control = nil
                header.pointee.msg_controllen = 0
                _ = sendmsg(descriptor, header, CInt(MSG_DONTWAIT))
            }
            next += 1
        }
    }

    /// The calls exist and `struct mmsghdr` has the layout `Message` assumes; without that they
    /// are not used.
    private static let usable =
        lb_datagram_batch_available()
        && MemoryLayout<Message>.stride == lb_datagram_batch_message_size()
}
