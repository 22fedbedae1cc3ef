import NIOCore
import OSThreads
import Synchronization
import UDPReplySource

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
    static let controlCapacity = ReplySourceControl.capacity

    let descriptor: CInt
    private let wildcard: Bool
    private let processor: DNSQueryProcessor
    /// The same processor with a responder that does not turn address sets, for the cache.
    private let canonicalProcessor: DNSQueryProcessor
    private let store: ZoneStore
    private let responder: AuthoritativeResponder
    private let cache: DNSAnswerCache?
    private let maximumResponseSize: Int

    private let stopping = Atomic(false)
    /// The thread's CPU clock while it runs.
    private let cpuClock = Mutex<clockid_t?>(nil)
    private var thread: JoinableThread?

    /// The queries read, with their senders (and, on a wildcard address, the address asked).
    private let queries: DatagramBatchBuffers
    /// The answers, each to its query's sender.
    private let answers: DatagramBatchBuffers

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
        queries = DatagramBatchBuffers(
            count: Self.batch, slotSize: datagramSize, names: true,
            controlCapacity: wildcard ? Self.controlCapacity : 0)
        answers = DatagramBatchBuffers(
            count: Self.batch, slotSize: self.maximumResponseSize, names: false,
            controlCapacity: Self.controlCapacity)
    }

    /// Starts the thread.
    func start() throws {
        do {
            thread = try JoinableThread.start { self.run() }
        } catch {
            throw IOError(errnoCode: error.code, reason: "pthread_create")
        }
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
        thread.join()
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
            queries.prepareReceive(count: used)
            // Blocks until one datagram comes, then takes those waiting with it (MSG_WAITFORONE);
            // returns 0 once `join()` shuts the socket down, EAGAIN after the receive timeout.
            let count = receive(
                descriptor, UnsafeMutableRawPointer(queries.messages), CUnsignedInt(Self.batch),
                DatagramBatchCalls.waitForOne, nil)
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

    /// Answers the `count` datagrams read and sends the answers.
    private func answer(_ count: Int) {
        let version = store.version
        // Taken once per batch rather than per datagram: each costs reference counting.
        let cache = self.cache
        let responder = self.responder
        let queries = self.queries
        let answers = self.answers
        var outgoing = 0
        for index in 0..<count {
            let request = UnsafeRawBufferPointer(
                start: queries.slot(index), count: Int(queries.messages[index].length))
            let output = UnsafeMutableRawBufferPointer(start: answers.slot(index), count: answers.slotSize)
            guard
                let length = cache?.answer(
                    request, version: version, into: output, rotation: responder.nextRotation)
                    ?? compute(request, index: index, version: version, into: output)
            else { continue }
            answers.vectors[outgoing] = iovec(iov_base: output.baseAddress, iov_len: length)
            withUnsafeMutablePointer(to: &answers.messages[outgoing].header) { header in
                header.pointee.msg_name = UnsafeMutableRawPointer(queries.names! + index)
                header.pointee.msg_namelen = queries.messages[index].header.msg_namelen
                header.pointee.msg_iov = answers.vectors + outgoing
                header.pointee.msg_iovlen = 1
                let control = answers.control(outgoing)
                let controlLength =
                    wildcard
                    ? ReplySourceControl.write(answering: queries.messages[index].header, into: control) : 0
                header.pointee.msg_control = controlLength > 0 ? control : nil
                header.pointee.msg_controllen = .init(controlLength)
                header.pointee.msg_flags = 0
            }
            outgoing += 1
        }
        DatagramBatchCalls.sendAnswers(answers.messages, count: outgoing, on: descriptor)
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
        BlockingDatagramSocket.address(of: queries.names![index])
    }

}

extension DNSUDPWorker {
    /// Seconds a receive waits before the thread checks whether to stop.
    static let receiveTimeout = 1

    /// A blocking UDP socket bound to `address` (SO_REUSEPORT with `reusePort`), asking for a
    /// `receiveBuffer`-octet receive buffer and, on a wildcard address, for each datagram's
    /// destination address; and whether the address is a wildcard.
    static func bind(_ address: SocketAddress, reusePort: Bool, receiveBuffer: Int) throws -> (CInt, Bool) {
        try BlockingDatagramSocket.bind(
            address, reuse: reusePort ? .port : .none, receiveBuffer: receiveBuffer,
            receiveTimeout: receiveTimeout)
    }
}

/// close(2), which the worker's and the server's own `close` hide inside them.
func closeDescriptor(_ descriptor: CInt) -> CInt {
    close(descriptor)
}
