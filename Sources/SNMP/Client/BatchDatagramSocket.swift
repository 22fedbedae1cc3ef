import NIOCore
import UDPReplySource

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A UDP socket of a batch of GETs (``BatchGetRun``) with its buffers: requests are staged and
/// leave together by sendmmsg, answers come in by recvmmsg, many per system call.
///
/// Used by one thread only, the batch's; it owns the descriptor and closes it in `close()`.
final class BatchDatagramSocket {
    /// Requests per sendmmsg and answers per recvmmsg.
    static let batch = 64
    /// Room for one staged request; a larger one is sent on its own at once.
    static let requestSlot = 2048
    /// Room for one answer: the largest UDP payload fits, so none is cut short. Only the pages
    /// an answer reaches are ever touched.
    static let answerSlot = 65_536

    /// How one staged request could not be sent.
    struct SendFailure {
        var owner: Int
        var detail: String
    }

    let descriptor: CInt
    /// The address family it sends to and hears from.
    let family: NIOBSDSocket.ProtocolFamily
    /// The requests staged, each with its target.
    private let requests = DatagramBatchBuffers(
        count: BatchDatagramSocket.batch, slotSize: BatchDatagramSocket.requestSlot, names: true)
    /// The answers read, each with its sender.
    private let answers = DatagramBatchBuffers(
        count: BatchDatagramSocket.batch, slotSize: BatchDatagramSocket.answerSlot, names: true)
    /// Who each staged request belongs to (a position in the batch).
    /// Used by the batch's thread only (the type's invariant): unchecked, as `BatchGetRun`'s state.
    @exclusivity(unchecked) private var owners: [Int] = []
    private var isOpen = true

    /// A socket bound to `local` (an address of the family it will send to, port 0).
    init(local: SocketAddress) throws {
        descriptor = try BlockingDatagramSocket.bind(
            local, reuse: .none, receiveBuffer: 4 << 20, receiveTimeout: 1
        ).descriptor
        family = local.protocol
        var size: CInt = 4 << 20
        _ = setsockopt(descriptor, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<CInt>.size))
        if local.protocol == .inet {
            // Requests are far below any MTU. With Don't Fragment set, the kernel gives each an IP
            // ID of 0 instead of drawing one from its shared table: a tenth of the send path at
            // 100,000 polls. PROBE sets the bit without tracking the path MTU.
            var probe = CInt(IP_PMTUDISC_PROBE)
            _ = setsockopt(
                descriptor, CInt(IPPROTO_IP), CInt(IP_MTU_DISCOVER), &probe,
                socklen_t(MemoryLayout<CInt>.size))
        }
        owners.reserveCapacity(Self.batch)
    }

    deinit {
        close()
    }

    func close() {
        guard isOpen else { return }
        isOpen = false
        closeDescriptor(descriptor)
    }

    /// Whether no more requests can be staged before `flush`.
    var isFull: Bool { owners.count == Self.batch }

    /// Stages `datagram` for `address` on behalf of `owner`; one too large for a slot is sent at
    /// once instead. Returns why it could not be sent, if it was sent at once and failed.
    func stage(_ datagram: [UInt8], to address: SocketAddress, owner: Int) -> SendFailure? {
        guard datagram.count <= Self.requestSlot else {
            let sent = datagram.withUnsafeBytes { bytes in
                address.withSockAddr { name, length in
                    sendto(
                        descriptor, bytes.baseAddress, bytes.count, CInt(MSG_DONTWAIT), name,
                        socklen_t(length))
                }
            }
            return sent < 0 ? SendFailure(owner: owner, detail: Self.describe(errno)) : nil
        }
        let position = owners.count
        let slot = requests.slot(position)
        let name = requests.names! + position
        datagram.withUnsafeBytes { slot.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        let nameLength = address.withSockAddr { address, length in
            UnsafeMutableRawPointer(name).copyMemory(from: address, byteCount: length)
            return length
        }
        requests.vectors[position] = iovec(iov_base: slot, iov_len: datagram.count)
        requests.messages[position] = DatagramBatchCalls.Message()
        requests.messages[position].header.msg_name = UnsafeMutableRawPointer(name)
        requests.messages[position].header.msg_namelen = socklen_t(nameLength)
        requests.messages[position].header.msg_iov = requests.vectors + position
        requests.messages[position].header.msg_iovlen = 1
        owners.append(owner)
        return nil
    }

    /// Sends what is staged. A request the kernel refuses fails alone; when the socket buffer
    /// is full, waits up to `patience` milliseconds for room before failing the rest.
    func flush(patience: CInt = 100) -> [SendFailure] {
        guard let send = DatagramBatchCalls.send else {
            defer { owners.removeAll(keepingCapacity: true) }
            return owners.map { SendFailure(owner: $0, detail: "sendmmsg is not available") }
        }
        var failures: [SendFailure] = []
        var next = 0
        var waited = false
        while next < owners.count {
            let sent = send(
                descriptor, UnsafeMutableRawPointer(requests.messages + next),
                CUnsignedInt(owners.count - next),
                CInt(MSG_DONTWAIT))
            if sent > 0 {
                next += Int(sent)
                continue
            }
            let code = errno
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK {
                if !waited {
                    waited = true
                    var descriptor = pollfd(fd: self.descriptor, events: Int16(POLLOUT), revents: 0)
                    _ = poll(&descriptor, 1, patience)
                    continue
                }
                failures += owners[next...].map {
                    SendFailure(owner: $0, detail: "the socket's send buffer stayed full")
                }
                break
            }
            failures.append(SendFailure(owner: owners[next], detail: Self.describe(code)))
            next += 1
        }
        owners.removeAll(keepingCapacity: true)
        return failures
    }

    /// Reads the answers waiting, up to one batch, without blocking, and hands each to `handle`
    /// with its sender; returns how many came (0 when none was waiting).
    func receive(_ handle: (UnsafeRawBufferPointer, DatagramSender, _ truncated: Bool) -> Void) -> Int {
        guard let receive = DatagramBatchCalls.receive else { return 0 }
        answers.prepareReceive(count: Self.batch)
        let count = receive(
            descriptor, UnsafeMutableRawPointer(answers.messages), CUnsignedInt(Self.batch),
            CInt(MSG_DONTWAIT),
            nil)
        guard count > 0 else { return 0 }
        for index in 0..<Int(count) {
            let message = answers.messages[index]
            let bytes = UnsafeRawBufferPointer(start: answers.slot(index), count: Int(message.length))
            let sender = DatagramSender(name: answers.names! + index)
            handle(bytes, sender, message.header.msg_flags & CInt(MSG_TRUNC) != 0)
        }
        return Int(count)
    }

    private static func describe(_ code: CInt) -> String {
        "\(String(cString: strerror(code))) (errno \(code))"
    }
}

/// close(2), which the type's own `close()` hides inside it.
private func closeDescriptor(_ descriptor: CInt) {
    _ = close(descriptor)
}
