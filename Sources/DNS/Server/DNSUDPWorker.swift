import NIOCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One UDP socket of the server and the thread that serves it: it reads up to `batch`
/// datagrams per recvmmsg, answers each in place (from its `DNSAnswerCache` when it can), and
/// sends the answers with one sendmmsg, from the address each query was sent to when the socket
/// is bound to a wildcard address (IP_PKTINFO, IPV6_PKTINFO), as `UDPReplySource` does for NIO.
///
/// No NIO on this path: a datagram costs no allocation on a cache hit, and its sender's address
/// is never formatted. Buffers are allocated once per worker.
///
/// Invariant: the buffers, the cache and `descriptor` are used only by the worker's thread while
/// it runs; other threads touch only `stopping` and `cpuClock`, shut the socket down to wake the
/// thread, and close it only after `join()`. Hence `@unchecked Sendable`.
final class DNSUDPWorker: @unchecked Sendable {
    /// Datagrams per recvmmsg and sendmmsg.
    static let batch = 32
    /// Room for one control message (a header and an in6_pktinfo), aligned.
    static let controlCapacity = 64

    let descriptor: CInt
    private let wildcard: Bool
    private let processor: DNSQueryProcessor
    /// The same processor with a responder that does not turn address sets, for the cache.
    private let canonicalProcessor: DNSQueryProcessor
    private let store: ZoneStore
    private let responder: AuthoritativeResponder
    private let cache: DNSAnswerCache?
    private let maximumResponseSize: Int
    private let datagramSize: Int

    private let stopping = Atomic(false)
    /// The thread's CPU clock while it runs.
    private let cpuClock = Mutex<clockid_t?>(nil)
    private var thread: pthread_t?

    private let received: UnsafeMutablePointer<DatagramBatchCalls.Message>
    private let sending: UnsafeMutablePointer<DatagramBatchCalls.Message>
    private let receiveVectors: UnsafeMutablePointer<iovec>
    private let sendVectors: UnsafeMutablePointer<iovec>
    private let receiveBuffer: UnsafeMutableRawPointer
    private let sendBuffer: UnsafeMutableRawPointer
    private let names: UnsafeMutablePointer<sockaddr_storage>
    private let receiveControl: UnsafeMutableRawPointer
    private let sendControl: UnsafeMutableRawPointer

    /// A worker for the bound socket `descriptor` (it closes it in `close()`), answering with
    /// `processor`, datagrams up to `datagramSize` octets, answers up to `maximumResponseSize`.
    init(
        descriptor: CInt, wildcard: Bool, processor: DNSQueryProcessor,
        maximumResponseSize: Int, datagramSize: Int
    ) {
        self.descriptor = descriptor
        self.wildcard = wildcard
        self.processor = processor
        self.responder = processor.responder
        self.store = processor.store
        self.canonicalProcessor = DNSQueryProcessor(
            store: processor.store, responder: processor.responder.withoutRotation(),
            configuration: processor.configuration, clock: processor.clock)
        self.cache = processor.responder.computesText ? nil : DNSAnswerCache()
        self.maximumResponseSize = max(512, maximumResponseSize)
        self.datagramSize = datagramSize
        let batch = Self.batch
        received = .allocate(capacity: batch)
        received.initialize(repeating: DatagramBatchCalls.Message(), count: batch)
        sending = .allocate(capacity: batch)
        sending.initialize(repeating: DatagramBatchCalls.Message(), count: batch)
        receiveVectors = .allocate(capacity: batch)
        receiveVectors.initialize(repeating: iovec(), count: batch)
        sendVectors = .allocate(capacity: batch)
        sendVectors.initialize(repeating: iovec(), count: batch)
        receiveBuffer = .allocate(byteCount: batch * datagramSize, alignment: 16)
        sendBuffer = .allocate(byteCount: batch * self.maximumResponseSize, alignment: 16)
        names = .allocate(capacity: batch)
        names.initialize(repeating: sockaddr_storage(), count: batch)
        receiveControl = .allocate(byteCount: batch * Self.controlCapacity, alignment: 16)
        sendControl = .allocate(byteCount: batch * Self.controlCapacity, alignment: 16)
        for index in 0..<batch {
            receiveVectors[index] = iovec(
                iov_base: receiveBuffer + index * datagramSize, iov_len: datagramSize)
        }
    }

    deinit {
        received.deallocate()
        sending.deallocate()
        receiveVectors.deallocate()
        sendVectors.deallocate()
        receiveBuffer.deallocate()
        sendBuffer.deallocate()
        names.deallocate()
        receiveControl.deallocate()
        sendControl.deallocate()
    }

    /// Starts the thread.
    func start() throws {
        let context = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(
            &thread, nil,
            { context in
                let worker = Unmanaged<DNSUDPWorker>.fromOpaque(context!).takeRetainedValue()
                worker.run()
                return nil
            }, context)
        guard result == 0 else {
            Unmanaged<DNSUDPWorker>.fromOpaque(context).release()
            throw IOError(errnoCode: result, reason: "pthread_create")
        }
        self.thread = thread
    }

    /// Tells the thread to end after its current batch, wakes it if it waits for a datagram
    /// (shutdown(2) ends a blocked receive, on an unconnected UDP socket too), and waits until it
    /// has ended: briefly, one batch at most.
    func join() {
        stopping.store(true, ordering: .relaxed)
        cpuClock.withLock { $0 = nil }
        guard let thread else { return }
        _ = shutdown(descriptor, CInt(SHUT_RDWR))
        self.thread = nil
        pthread_join(thread, nil)
    }

    /// Closes the socket; only after `join()`, or when the thread never started.
    func close() {
        _ = closeDescriptor(descriptor)
    }

    /// The CPU time the thread has used, while it runs; 0 otherwise.
    var cpuSeconds: Double {
        cpuClock.withLock { clock in
            guard let clock else { return 0 }
            var time = timespec()
            guard clock_gettime(clock, &time) == 0 else { return 0 }
            return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
        }
    }

    private func run() {
        var clock = clockid_t()
        if pthread_getcpuclockid(pthread_self(), &clock) == 0 {
            cpuClock.withLock { $0 = clock }
        }
        guard let receive = DatagramBatchCalls.receive else { return }
        var used = Self.batch
        while !stopping.load(ordering: .relaxed) {
            prepareReceive(used)
            // Blocks until one datagram comes, then takes those waiting with it (MSG_WAITFORONE);
            // returns 0 once `join()` shuts the socket down, EAGAIN after the receive timeout.
            let count = receive(
                descriptor, UnsafeMutableRawPointer(received), CUnsignedInt(Self.batch), Self.waitForOne, nil)
            if count > 0 {
                used = Int(count)
                answer(used)
                continue
            }
            used = 0
            guard count < 0 else { continue }
            switch errno {
            case EINTR, EAGAIN, EWOULDBLOCK: continue
            case EBADF, ENOTSOCK: return
            default:
                // An error that concerns no datagram in particular: not worth spinning on.
                usleep(1000)
            }
        }
    }

    /// MSG_WAITFORONE, which the C library declares only with `_GNU_SOURCE`.
    private static let waitForOne: CInt = 0x10000

    /// Resets the headers of the first `count` messages, which the last receive changed.
    private func prepareReceive(_ count: Int) {
        for index in 0..<count {
            withUnsafeMutablePointer(to: &received[index].header) { header in
                header.pointee.msg_name = UnsafeMutableRawPointer(names + index)
                header.pointee.msg_namelen = socklen_t(MemoryLayout<sockaddr_storage>.size)
                header.pointee.msg_iov = receiveVectors + index
                header.pointee.msg_iovlen = 1
                header.pointee.msg_control = wildcard ? receiveControl + index * Self.controlCapacity : nil
                header.pointee.msg_controllen = wildcard ? .init(Self.controlCapacity) : 0
                header.pointee.msg_flags = 0
            }
            received[index].length = 0
        }
    }

    /// Answers the `count` datagrams read and sends the answers.
    private func answer(_ count: Int) {
        let version = store.version
        // Taken once per batch rather than per datagram: each costs reference counting.
        let cache = self.cache
        let responder = self.responder
        var outgoing = 0
        for index in 0..<count {
            let request = UnsafeRawBufferPointer(
                start: receiveBuffer + index * datagramSize, count: Int(received[index].length))
            let output = UnsafeMutableRawBufferPointer(
                start: sendBuffer + index * maximumResponseSize, count: maximumResponseSize)
            guard
                let length = cache?.answer(
                    request, version: version, into: output, rotation: responder.nextRotation)
                    ?? compute(request, index: index, version: version, into: output)
            else { continue }
            sendVectors[outgoing] = iovec(iov_base: output.baseAddress, iov_len: length)
            withUnsafeMutablePointer(to: &sending[outgoing].header) { header in
                header.pointee.msg_name = UnsafeMutableRawPointer(names + index)
                header.pointee.msg_namelen = received[index].header.msg_namelen
                header.pointee.msg_iov = sendVectors + outgoing
                header.pointee.msg_iovlen = 1
                let control = sendControl + outgoing * Self.controlCapacity
                let controlLength = wildcard ? sourceControl(for: index, into: control) : 0
                header.pointee.msg_control = controlLength > 0 ? control : nil
                header.pointee.msg_controllen = .init(controlLength)
                header.pointee.msg_flags = 0
            }
            outgoing += 1
        }
        send(outgoing)
    }

    /// The answer to `request` computed in full, written into `output`; its length, or nil when
    /// nothing must be sent. A query of the kept shape is answered with its address sets in zone
    /// order, kept, then answered from the cache, so that its sets turn once, as they would
    /// without the cache.
    private func compute(
        _ request: UnsafeRawBufferPointer, index: Int, version: UInt64,
        into output: UnsafeMutableRawBufferPointer
    ) -> Int? {
        let bytes = Array(request)
        let ceiling = maximumResponseSize
        let limit: (DNSMessage?) -> Int = { request in
            guard let edns = request?.edns else { return 512 }
            return min(ceiling, max(512, Int(edns.udpPayloadSize)))
        }
        if let cache, DNSAnswerCache.isCacheable(request),
            let wire = canonicalProcessor.process(bytes, source: nil, maximumSize: limit),
            cache.insert(request, version: version, wire: wire),
            let length = cache.answer(
                request, version: version, into: output, rotation: responder.nextRotation)
        {
            return length
        }
        guard let response = processor.process(bytes, source: sourceAddress(index), maximumSize: limit),
            response.count <= output.count
        else { return nil }
        response.withUnsafeBytes { output.copyMemory(from: $0) }
        return response.count
    }

    /// The sender of datagram `index`, for the transfer access check.
    private func sourceAddress(_ index: Int) -> SocketAddress? {
        let name = UnsafeRawPointer(names + index)
        switch CInt(names[index].ss_family) {
        case AF_INET:
            return SocketAddress(name.load(as: sockaddr_in.self), host: "")
        case AF_INET6:
            return SocketAddress(name.load(as: sockaddr_in6.self), host: "")
        default:
            return nil
        }
    }

    /// Writes into `control` the control message that sends the answer to datagram `index` from
    /// the address it was sent to, found in its IP_PKTINFO or IPV6_PKTINFO; returns its length,
    /// 0 when the datagram carried neither.
    private func sourceControl(for index: Int, into control: UnsafeMutableRawPointer) -> Int {
        let header = received[index].header
        guard let start = header.msg_control else { return 0 }
        let available = Int(header.msg_controllen)
        let headerLength = Self.aligned(MemoryLayout<cmsghdr>.size)
        var offset = 0
        while offset + headerLength <= available {
            let message = (start + offset).load(as: cmsghdr.self)
            let length = Int(message.cmsg_len)
            guard length >= headerLength, offset + length <= available else { return 0 }
            let data = UnsafeRawPointer(start + offset + headerLength)
            if message.cmsg_level == CInt(IPPROTO_IP), message.cmsg_type == CInt(IP_PKTINFO),
                length >= headerLength + MemoryLayout<in_pktinfo>.size
            {
                let destination = data.loadUnaligned(as: in_pktinfo.self).ipi_addr
                var info = in_pktinfo()
                // ipi_spec_dst is the source; ipi_ifindex 0 lets the route choose the interface.
                info.ipi_spec_dst = destination
                return Self.writeControl(
                    level: CInt(IPPROTO_IP), type: CInt(IP_PKTINFO), payload: info, into: control)
            }
            if message.cmsg_level == CInt(IPPROTO_IPV6), message.cmsg_type == CInt(IPV6_PKTINFO),
                length >= headerLength + MemoryLayout<IPv6PacketInfo>.size
            {
                var info = data.loadUnaligned(as: IPv6PacketInfo.self)
                // The interface is needed for a link-local source only; for others the route
                // chooses.
                let linkLocal = withUnsafeBytes(of: info.address) { $0[0] == 0xFE && $0[1] & 0xC0 == 0x80 }
                if !linkLocal { info.interfaceIndex = 0 }
                return Self.writeControl(
                    level: CInt(IPPROTO_IPV6), type: CInt(IPV6_PKTINFO), payload: info, into: control)
            }
            offset += Self.aligned(length)
        }
        return 0
    }

    private static func writeControl<Payload>(
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

    /// Sends the first `count` prepared answers. An answer the kernel refuses with its source
    /// address (say, an address removed since the query came) is sent again without one, as any
    /// write is; when the socket buffer is full the rest are dropped, as the network may drop
    /// them.
    private func send(_ count: Int) {
        guard let sendBatch = DatagramBatchCalls.send else { return }
        var next = 0
        var interruptions = 0
        while next < count {
            let sent = sendBatch(
                descriptor, UnsafeMutableRawPointer(sending + next), CUnsignedInt(count - next),
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
            withUnsafeMutablePointer(to: &sending[next].header) { header in
                guard header.pointee.msg_control != nil else { return }
                header.pointee.msg_control = nil
                header.pointee.msg_controllen = 0
                _ = sendmsg(descriptor, header, CInt(MSG_DONTWAIT))
            }
            next += 1
        }
    }
}

/// struct in6_pktinfo, which the C library declares only with `_GNU_SOURCE`.
private struct IPv6PacketInfo {
    var address: in6_addr
    var interfaceIndex: UInt32
}

extension DNSUDPWorker {
    /// Seconds a receive waits before the thread checks whether to stop.
    static let receiveTimeout = 1

    /// A blocking UDP socket bound to `address` (SO_REUSEPORT with `reusePort`), asking for a
    /// `receiveBuffer`-octet receive buffer and, on a wildcard address, for each datagram's
    /// destination address; and whether the address is a wildcard. A receive waits at most
    /// `receiveTimeout`, so the thread sees `join()` even if the kernel did not wake it.
    static func bind(_ address: SocketAddress, reusePort: Bool, receiveBuffer: Int) throws -> (CInt, Bool) {
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
            try setOption(descriptor, SOL_SOCKET, SO_REUSEPORT, reusePort ? 1 : 0, "SO_REUSEPORT")
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
            _ = closeDescriptor(descriptor)
            throw error
        }
        return (descriptor, wildcard)
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

/// close(2), which the worker's and the server's own `close` hide inside them.
func closeDescriptor(_ descriptor: CInt) -> CInt {
    close(descriptor)
}
