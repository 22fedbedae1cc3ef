import NIOCore
import OSThreads
import Synchronization
import UDPReplySource

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The agent's UDP socket and the thread that serves it, where the system has recvmmsg and
/// sendmmsg (Linux): it reads a batch of datagrams per call, answers each one whose values are at
/// hand in place, with the agent's own decoding, access checks, USM and encoding
/// (``SNMPAgent/answerAtOnce(_:from:)``), and sends the answers with one call; a request whose
/// provider must be awaited goes to a task as on the NIO path, and its answer is sent from there
/// (``send(_:to:)``). Answers leave from the address each request was sent to when the socket is
/// bound to a wildcard address (IP_PKTINFO, IPV6_PKTINFO), as with `UDPReplySource`.
///
/// This is the DNS server's `DNSUDPWorker` for SNMP: a cached GET costs one recvmmsg and one
/// sendmmsg, without NIO's event loop, pipeline and allocations.
///
/// Invariant: the batch buffers are used only by the worker's thread while it runs; other threads
/// touch `stopping`, and the descriptor only under `open` (sends from tasks, `close()`), so that
/// no send reaches a descriptor number reused after closing. Hence `@unchecked Sendable`.
final class AgentUDPWorker: @unchecked Sendable {
    /// Datagrams per recvmmsg and sendmmsg.
    static let batch = 16
    /// Room for one datagram: the largest UDP payload fits.
    static let datagramSize = 65_536
    /// Room for one control message.
    static let controlCapacity = ReplySourceControl.capacity
    /// Seconds a receive waits before the thread checks whether to stop.
    static let receiveTimeout = 1

    private let descriptor: CInt
    private let wildcard: Bool
    /// Whether `descriptor` is still open; held while sending from a task and while closing.
    private let open = Mutex(true)
    private let stopping = Atomic(false)
    private var thread: JoinableThread?
    private weak var agent: SNMPAgent?
    /// Nanoseconds to keep polling the socket after an answer while requests come in a streak;
    /// 0 never.
    private let busyPoll: UInt64

    /// The requests read, with their senders (and, on a wildcard address, the address asked).
    private let requests: DatagramBatchBuffers
    /// The answers ready at once, each to its request's sender.
    private let answers: DatagramBatchBuffers

    /// Where an answer sent later from a task goes: the request's sender, and the control
    /// message that sends it from the address the request was sent to.
    struct ReplyRoute: Sendable {
        fileprivate var name: sockaddr_storage
        fileprivate var nameLength: socklen_t
        fileprivate var control: [UInt8]
    }

    /// Whether the system has the calls this worker needs.
    static var available: Bool { DatagramBatchCalls.receive != nil && DatagramBatchCalls.send != nil }

    /// A worker for the bound socket `descriptor`, which it closes in `close()`.
    init(descriptor: CInt, wildcard: Bool, agent: SNMPAgent, busyPoll: Duration = .zero) {
        self.descriptor = descriptor
        let (seconds, attoseconds) = max(busyPoll, .zero).components
        self.busyPoll = UInt64(seconds) * 1_000_000_000 + UInt64(attoseconds / 1_000_000_000)
        self.wildcard = wildcard
        self.agent = agent
        requests = DatagramBatchBuffers(
            count: Self.batch, slotSize: Self.datagramSize, names: true,
            controlCapacity: wildcard ? Self.controlCapacity : 0)
        answers = DatagramBatchBuffers(
            count: Self.batch, slotSize: Self.datagramSize, names: false,
            controlCapacity: Self.controlCapacity)
    }

    deinit {
        close()
    }

    /// The local address of the socket.
    func localAddress() throws -> SocketAddress {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard result == 0, let address = BlockingDatagramSocket.address(of: storage) else {
            throw SNMPAgentError(.invalidPort, "the UDP socket has no local address")
        }
        return address
    }

    /// Starts the thread.
    func start() throws {
        do {
            thread = try JoinableThread.start { self.run() }
        } catch {
            throw SNMPAgentError(.invalidPort, "cannot start the agent's UDP thread: error \(error.code)")
        }
    }

    /// Tells the thread to end after its current batch and wakes it if it waits for a datagram
    /// (shutdown(2) ends a blocked receive, on an unconnected UDP socket too).
    func requestStop() {
        stopping.store(true, ordering: .relaxed)
        open.withLock { isOpen in
            if isOpen { _ = shutdown(descriptor, CInt(SHUT_RDWR)) }
        }
    }

    /// `requestStop()`, then waits until the thread has ended: one batch at most.
    func join() {
        requestStop()
        guard let thread else { return }
        self.thread = nil
        thread.join()
    }

    /// Closes the socket: after `join()`, or when the thread never started. Answers sent later
    /// are then dropped.
    func close() {
        open.withLock { isOpen in
            guard isOpen else { return }
            isOpen = false
            _ = systemClose(descriptor)
        }
    }

    /// Sends `reply` from a task (the thread may be sending a batch: a UDP send is atomic).
    func send(_ reply: [UInt8], to route: ReplyRoute) {
        open.withLock { isOpen in
            guard isOpen else { return }
            var name = route.name
            var control = route.control
            reply.withUnsafeBytes { bytes in
                var vector = iovec(
                    iov_base: UnsafeMutableRawPointer(mutating: bytes.baseAddress), iov_len: bytes.count)
                withUnsafeMutablePointer(to: &name) { name in
                    withUnsafeMutablePointer(to: &vector) { vector in
                        control.withUnsafeMutableBytes { control in
                            var header = msghdr()
                            header.msg_name = UnsafeMutableRawPointer(name)
                            header.msg_namelen = route.nameLength
                            header.msg_iov = vector
                            header.msg_iovlen = 1
                            header.msg_control = control.isEmpty ? nil : control.baseAddress
                            header.msg_controllen = .init(control.count)
                            if sendmsg(descriptor, &header, CInt(MSG_DONTWAIT)) < 0, header.msg_control != nil
                            {
                                header.msg_control = nil
                                header.msg_controllen = 0
                                _ = sendmsg(descriptor, &header, CInt(MSG_DONTWAIT))
                            }
                        }
                    }
                }
            }
        }
    }

    private func run() {
        guard let receive = DatagramBatchCalls.receive else { return }
        var used = Self.batch
        var answeredAt: UInt64 = 0
        var streak = false
        while !stopping.load(ordering: .relaxed) {
            requests.prepareReceive(count: used)
            var count: CInt = -1
            if streak {
                // Requests are coming close together (a poller sending one after another's
                // answer): its next one is usually a few tens of microseconds away, and looking
                // for it costs less than sleeping and being woken. Never for isolated requests.
                while count < 0, Self.nanoseconds() &- answeredAt < busyPoll {
                    count = receive(
                        descriptor, UnsafeMutableRawPointer(requests.messages), CUnsignedInt(Self.batch),
                        CInt(MSG_DONTWAIT), nil)
                }
            }
            if count < 0 {
                // Blocks until one datagram comes, then takes those waiting with it
                // (MSG_WAITFORONE); returns 0 once `join()` shuts the socket down, EAGAIN after the
                // receive timeout.
                count = receive(
                    descriptor, UnsafeMutableRawPointer(requests.messages), CUnsignedInt(Self.batch),
                    DatagramBatchCalls.waitForOne, nil)
            }
            if count > 0 {
                used = Int(count)
                guard let agent else { return }
                if busyPoll > 0 { streak = Self.nanoseconds() &- answeredAt < busyPoll &* Self.streakFactor }
                answer(used, agent: agent)
                if busyPoll > 0 { answeredAt = Self.nanoseconds() }
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

    /// Busy polling goes on while requests come less than this many times `busyPoll` after the
    /// previous answer.
    static let streakFactor: UInt64 = 5

    private static func nanoseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    /// Answers the `count` datagrams read and sends the answers that are ready.
    private func answer(_ count: Int, agent: SNMPAgent) {
        let requests = self.requests
        let answers = self.answers
        var outgoing = 0
        for index in 0..<count {
            let bytes = [UInt8](
                UnsafeRawBufferPointer(
                    start: requests.slot(index), count: Int(requests.messages[index].length)))
            let source = BlockingDatagramSocket.address(of: requests.names![index])
            let control = answers.control(outgoing)
            let controlLength =
                wildcard
                ? ReplySourceControl.write(answering: requests.messages[index].header, into: control) : 0
            let reply: [UInt8]
            switch agent.answerAtOnce(bytes, from: source) {
            case .now(nil):
                continue
            case .now(let answer?):
                reply = answer
            case .later(let later):
                let route = ReplyRoute(
                    name: requests.names![index], nameLength: requests.messages[index].header.msg_namelen,
                    control: [UInt8](UnsafeRawBufferPointer(start: control, count: controlLength)))
                later { [self] reply in send(reply, to: route) }
                continue
            }
            guard reply.count <= Self.datagramSize else { continue }
            let output = answers.slot(outgoing)
            reply.withUnsafeBytes { output.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            answers.vectors[outgoing] = iovec(iov_base: output, iov_len: reply.count)
            withUnsafeMutablePointer(to: &answers.messages[outgoing].header) { header in
                header.pointee.msg_name = UnsafeMutableRawPointer(requests.names! + index)
                header.pointee.msg_namelen = requests.messages[index].header.msg_namelen
                header.pointee.msg_iov = answers.vectors + outgoing
                header.pointee.msg_iovlen = 1
                header.pointee.msg_control = controlLength > 0 ? control : nil
                header.pointee.msg_controllen = .init(controlLength)
                header.pointee.msg_flags = 0
            }
            outgoing += 1
        }
        DatagramBatchCalls.sendAnswers(answers.messages, count: outgoing, on: descriptor)
    }

}

extension AgentUDPWorker {
    /// A blocking UDP socket bound to `host`:`port` (SO_REUSEADDR with `reuseAddress`), with a
    /// `receiveBuffer`-octet receive buffer and, on a wildcard address, each datagram's
    /// destination address; and whether the address is a wildcard.
    static func bind(host: String, port: Int, reuseAddress: Bool, receiveBuffer: Int) throws -> (CInt, Bool) {
        let address = try SocketAddress.makeAddressResolvingHost(host, port: port)
        return try BlockingDatagramSocket.bind(
            address, reuse: reuseAddress ? .address : .none, receiveBuffer: receiveBuffer,
            receiveTimeout: receiveTimeout)
    }
}

private func systemClose(_ descriptor: CInt) -> CInt {
    close(descriptor)
}
