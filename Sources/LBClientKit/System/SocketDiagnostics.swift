#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Asks the kernel for this node's listening TCP sockets and bound UDP sockets through a
/// `NETLINK_SOCK_DIAG` dump, as `ss -lntu` does.
///
/// Reading `/proc/net/tcp` walks every bucket of the TCP established hash (262,144 on a machine
/// with a few GB of memory), about 1.5 ms of kernel CPU per read however few connections there
/// are; a dump asking only for the LISTEN state skips that hash. The answer is the same set of
/// sockets the `/proc/net` files list, split by address family the same way (a dual-stack
/// listener on `::` is an IPv6 socket in both).
///
/// Every failure (no netlink, the diag modules not loadable, a truncated or interrupted dump, a
/// malformed message) gives nil, and the caller reads the `/proc/net` file instead.
enum SocketDiagnostics {
    /// The sockets of `transport` and `family` that accept traffic (TCP in LISTEN state, UDP in
    /// any state), or nil when the kernel cannot be asked.
    static func sockets(_ transport: ListeningSocket.Transport, _ family: ListeningSocket.Family)
        -> [ListeningSocket]?
    {
        #if os(Linux)
            return try? dump(transport, family)
        #else
            return nil
        #endif
    }

    #if os(Linux)
        /// The dump could not be read or parsed: the caller falls back to the /proc/net file.
        struct Failure: Error {}

        private static let netlinkSockDiag: Int32 = 4  // NETLINK_SOCK_DIAG
        static let sockDiagByFamily: UInt16 = 20  // SOCK_DIAG_BY_FAMILY
        private static let messageError: UInt16 = 2  // NLMSG_ERROR
        static let messageDone: UInt16 = 3  // NLMSG_DONE
        private static let flagRequest: UInt16 = 0x1  // NLM_F_REQUEST
        private static let flagDump: UInt16 = 0x300  // NLM_F_ROOT | NLM_F_MATCH
        private static let flagDumpInterrupted: UInt16 = 0x10  // NLM_F_DUMP_INTR
        private static let headerLength = 16  // struct nlmsghdr
        private static let requestLength = 56  // struct inet_diag_req_v2
        private static let answerLength = 72  // struct inet_diag_msg
        private static let receiveBufferSize = 65536
        /// Bounds the dump: a node has far fewer than this many datagrams' worth of sockets.
        private static let maximumReceives = 100_000

        private static func dump(_ transport: ListeningSocket.Transport, _ family: ListeningSocket.Family)
            throws(Failure) -> [ListeningSocket]
        {
            let descriptor = socket(
                AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), netlinkSockDiag)
            guard descriptor >= 0 else { throw Failure() }
            defer { close(descriptor) }
            // A kernel that never answers must not hold the check until its deadline.
            var wait = timeval(tv_sec: 2, tv_usec: 0)
            guard
                setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
                    == 0
            else { throw Failure() }

            let sequence = UInt32(truncatingIfNeeded: getpid())
            try send(request(transport, family, sequence: sequence), on: descriptor)

            var sockets: [ListeningSocket] = []
            var buffer = [UInt8](repeating: 0, count: receiveBufferSize)
            for _ in 0..<maximumReceives {
                let count = buffer.withUnsafeMutableBytes {
                    recv(descriptor, $0.baseAddress, $0.count, Int32(MSG_TRUNC))
                }
                if count < 0 && errno == EINTR { continue }
                guard count > 0, count <= buffer.count else { throw Failure() }
                if try parse(
                    buffer[0..<count], transport: transport, family: family, sequence: sequence,
                    into: &sockets)
                {
                    return sockets
                }
            }
            throw Failure()
        }

        /// `nlmsghdr` + `inet_diag_req_v2`: every socket of the family and protocol, TCP only in
        /// LISTEN state.
        private static func request(
            _ transport: ListeningSocket.Transport, _ family: ListeningSocket.Family, sequence: UInt32
        ) -> [UInt8] {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(headerLength + requestLength)
            append(UInt32(headerLength + requestLength), to: &bytes)
            append(sockDiagByFamily, to: &bytes)
            append(flagRequest | flagDump, to: &bytes)
            append(sequence, to: &bytes)
            append(UInt32(0), to: &bytes)  // port id: the kernel fills it in
            bytes.append(UInt8(family == .ipv4 ? AF_INET : AF_INET6))
            bytes.append(UInt8(transport == .tcp ? IPPROTO_TCP : IPPROTO_UDP))
            bytes.append(0)  // no extensions
            bytes.append(0)  // padding
            let states: UInt32 = transport == .tcp ? 1 << UInt32(ListeningSockets.tcpListenState) : UInt32.max
            append(states, to: &bytes)
            bytes += [UInt8](repeating: 0, count: requestLength - 8)  // inet_diag_sockid: match all
            return bytes
        }

        private static func send(_ request: [UInt8], on descriptor: Int32) throws(Failure) {
            var kernel = sockaddr_storage()
            kernel.ss_family = sa_family_t(AF_NETLINK)  // port id 0, no groups: the kernel
            let sent = request.withUnsafeBytes { bytes in
                withUnsafePointer(to: &kernel) { address in
                    address.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(descriptor, bytes.baseAddress, bytes.count, 0, $0, 12)  // sizeof(sockaddr_nl)
                    }
                }
            }
            guard sent == request.count else { throw Failure() }
        }

        /// Adds the sockets of one datagram of the dump to `sockets`; true when it ends the dump.
        /// Every length is checked before it is read: a malformed datagram throws.
        static func parse(
            _ datagram: ArraySlice<UInt8>, transport: ListeningSocket.Transport,
            family: ListeningSocket.Family, sequence: UInt32, into sockets: inout [ListeningSocket]
        ) throws(Failure) -> Bool {
            var offset = datagram.startIndex
            while offset < datagram.endIndex {
                guard datagram.endIndex - offset >= headerLength else { throw Failure() }
                let length = Int(native32(datagram, offset))
                let type = native16(datagram, offset + 4)
                let flags = native16(datagram, offset + 6)
                guard length >= headerLength, length <= datagram.endIndex - offset,
                    native32(datagram, offset + 8) == sequence, flags & flagDumpInterrupted == 0
                else { throw Failure() }
                let payload = offset + headerLength
                switch type {
                case messageDone:
                    // A dump that failed part way ends with its negative errno here.
                    if length >= headerLength + 4, native32(datagram, payload) != 0 { throw Failure() }
                    return true
                case messageError:
                    throw Failure()
                case sockDiagByFamily:
                    guard length >= headerLength + answerLength else { throw Failure() }
                    let answerFamily = Int32(datagram[payload])
                    guard answerFamily == (family == .ipv4 ? AF_INET : AF_INET6) else { throw Failure() }
                    let state = datagram[payload + 1]
                    let port = UInt16(datagram[payload + 4]) << 8 | UInt16(datagram[payload + 5])
                    let address = Array(datagram[(payload + 8)..<(payload + 8 + family.addressLength)])
                    sockets.append(
                        ListeningSocket(transport: transport, address: address, port: port, state: state))
                default:
                    throw Failure()
                }
                // Messages are aligned to 4 bytes (NLMSG_ALIGN).
                offset += (length + 3) & ~3
            }
            return false
        }

        private static func append<Integer: FixedWidthInteger>(_ value: Integer, to bytes: inout [UInt8]) {
            withUnsafeBytes(of: value) { bytes += $0 }
        }

        private static func native16(_ bytes: ArraySlice<UInt8>, _ offset: Int) -> UInt16 {
            var value: UInt16 = 0
            withUnsafeMutableBytes(of: &value) { for index in 0..<2 { $0[index] = bytes[offset + index] } }
            return value
        }

        private static func native32(_ bytes: ArraySlice<UInt8>, _ offset: Int) -> UInt32 {
            var value: UInt32 = 0
            withUnsafeMutableBytes(of: &value) { for index in 0..<4 { $0[index] = bytes[offset + index] } }
            return value
        }
    #endif
}
