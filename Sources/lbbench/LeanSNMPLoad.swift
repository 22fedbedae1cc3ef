import SNMP
import UDPReplySource

#if canImport(Glibc)
    import Glibc
#endif

/// The load `lbbench lbclient --agent` puts on both servers by default: GETs of the load OID from
/// one plain UDP socket on the calling thread, every datagram built (and, for v3, encrypted and
/// signed) before the clock starts, each response matched by its request-id (v2c) or msgID (v3)
/// read from its first few octets. The client then costs a system call or two per GET, far less
/// than either server, so the round trip shows the servers' differences.
///
/// One request at a time: send, wait for its response (at most `timeout`), next. With `inFlight`
/// above 1: keep that many outstanding, sending and receiving in batches (sendmmsg, recvmmsg).
/// Requests unanswered within `timeout` count as failed; no retries.
struct LeanSNMPLoad {
    var inFlight: Int
    /// A run stops sending after this many seconds; what is outstanding then gets `timeout`.
    var maxSeconds: Double
    /// How long a request waits for its response before it counts as failed.
    var timeoutSeconds: Double = 1
    /// One request at a time: wait for each response awake, polling the socket, rather than
    /// asleep in recv(2). The client's own wake-up (tens of microseconds on an idle virtual
    /// machine) then stays out of every round trip, for both servers alike; its CPU time is then
    /// the whole run's.
    var busyPoll = false
    var oid = OID(BenchmarkCredentials.loadOID)!

    /// Datagrams per sendmmsg and recvmmsg.
    private static let batch = 64

    /// `requests` GETs to 127.0.0.1:`port`, after one checked GET (engine discovery for v3). The
    /// result's CPU is the load thread's own.
    func measure(port: Int, credentials: SNMPCredentials, requests: Int) throws -> BenchmarkResult {
        let socket = try LeanSocket(port: port)
        defer { socket.close() }
        let base = Int32.random(in: 0x0100_0000...0x3FFF_FFFF - Int32(clamping: requests))
        let datagrams = try LeanDatagrams(
            socket: socket, credentials: credentials, oid: oid, count: requests, base: base)
        let cpuBefore = leanThreadCPUSeconds()
        let started = leanNanoseconds()
        var state = LeanRun(count: requests)
        if inFlight <= 1 {
            oneAtATime(socket: socket, datagrams: datagrams, base: base, run: &state, started: started)
        } else {
            inFlightBatches(socket: socket, datagrams: datagrams, base: base, run: &state, started: started)
        }
        let seconds = Double(leanNanoseconds() - started) / 1e9
        return BenchmarkResult(
            completed: state.latencies.count, failed: state.failed, seconds: seconds,
            cpuSeconds: leanThreadCPUSeconds() - cpuBefore, latenciesMicroseconds: state.latencies.sorted())
    }

    private func oneAtATime(
        socket: LeanSocket, datagrams: LeanDatagrams, base: Int32, run: inout LeanRun, started: UInt64
    ) {
        let stopSending = started + UInt64(maxSeconds * 1e9)
        let timeout = UInt64(timeoutSeconds * 1e9)
        var buffer = [UInt8](repeating: 0, count: 65_536)
        for index in 0..<datagrams.count {
            let sent = leanNanoseconds()
            guard sent < stopSending else { break }
            datagrams.withDatagram(index) { _ = send(socket.descriptor, $0.baseAddress, $0.count, 0) }
            let expected = base &+ Int32(index)
            waiting: while true {
                let length = buffer.withUnsafeMutableBytes {
                    recv(socket.descriptor, $0.baseAddress, $0.count, busyPoll ? CInt(MSG_DONTWAIT) : 0)
                }
                let now = leanNanoseconds()
                if length > 0,
                    buffer.withUnsafeBytes({
                        datagrams.matchedID(in: UnsafeRawBufferPointer(rebasing: $0[..<length]))
                    })
                        == expected
                {
                    run.latencies.append(Double(now - sent) / 1e3)
                    break waiting
                }
                if now - sent >= timeout {
                    run.failed += 1
                    break waiting
                }
            }
        }
    }

    private func inFlightBatches(
        socket: LeanSocket, datagrams: LeanDatagrams, base: Int32, run: inout LeanRun, started: UInt64
    ) {
        guard let sendBatch = DatagramBatchCalls.send, let receiveBatch = DatagramBatchCalls.receive else {
            // Without the batch calls (not Linux) there is no fair lean load: fail loudly.
            run.failed = datagrams.count
            return
        }
        let batch = Self.batch
        let stopSending = started + UInt64(maxSeconds * 1e9)
        let timeout = UInt64(timeoutSeconds * 1e9)
        let datagramSize = 4_096
        let sending = UnsafeMutablePointer<DatagramBatchCalls.Message>.allocate(capacity: batch)
        let received = UnsafeMutablePointer<DatagramBatchCalls.Message>.allocate(capacity: batch)
        let sendVectors = UnsafeMutablePointer<iovec>.allocate(capacity: batch)
        let receiveVectors = UnsafeMutablePointer<iovec>.allocate(capacity: batch)
        let receiveBuffer = UnsafeMutableRawPointer.allocate(byteCount: batch * datagramSize, alignment: 16)
        defer {
            sending.deallocate()
            received.deallocate()
            sendVectors.deallocate()
            receiveVectors.deallocate()
            receiveBuffer.deallocate()
        }
        for index in 0..<batch {
            receiveVectors[index] = iovec(
                iov_base: receiveBuffer + index * datagramSize, iov_len: datagramSize)
        }
        // Send times; 0: not sent yet or finished (answered or timed out).
        var sentAt = [UInt64](repeating: 0, count: datagrams.count)
        var next = 0
        var outstanding = 0
        var oldest = 0
        var lastExpiry = started
        while true {
            let now = leanNanoseconds()
            let mayStillSend = next < datagrams.count && now < stopSending
            if !mayStillSend && outstanding == 0 { break }
            if mayStillSend {
                let wanted = min(inFlight - outstanding, datagrams.count - next, batch)
                if wanted > 0 {
                    for slot in 0..<wanted {
                        datagrams.withDatagram(next + slot) { bytes in
                            sendVectors[slot] = iovec(
                                iov_base: UnsafeMutableRawPointer(mutating: bytes.baseAddress),
                                iov_len: bytes.count)
                        }
                        sending[slot] = DatagramBatchCalls.Message()
                        sending[slot].header.msg_iov = sendVectors + slot
                        sending[slot].header.msg_iovlen = 1
                    }
                    let count = sendBatch(
                        socket.descriptor, UnsafeMutableRawPointer(sending), CUnsignedInt(wanted), 0)
                    if count > 0 {
                        let sentTime = leanNanoseconds()
                        for slot in 0..<Int(count) { sentAt[next + slot] = sentTime }
                        next += Int(count)
                        outstanding += Int(count)
                    }
                }
            }
            for slot in 0..<batch {
                received[slot] = DatagramBatchCalls.Message()
                received[slot].header.msg_iov = receiveVectors + slot
                received[slot].header.msg_iovlen = 1
            }
            // Waits for one datagram (at most the socket's receive timeout), then takes the rest.
            let count = receiveBatch(
                socket.descriptor, UnsafeMutableRawPointer(received), CUnsignedInt(batch),
                DatagramBatchCalls.waitForOne,
                nil)
            let receivedAt = leanNanoseconds()
            if count > 0 {
                for slot in 0..<Int(count) {
                    let bytes = UnsafeRawBufferPointer(
                        start: receiveBuffer + slot * datagramSize, count: Int(received[slot].length))
                    guard let id = datagrams.matchedID(in: bytes) else { continue }
                    let index = Int(id &- base)
                    guard index >= 0, index < next, sentAt[index] != 0 else { continue }
                    run.latencies.append(Double(receivedAt - sentAt[index]) / 1e3)
                    sentAt[index] = 0
                    outstanding -= 1
                }
            }
            // Lost requests would hold their slots forever: expire them now and then.
            if receivedAt - lastExpiry >= timeout / 4 || count <= 0 {
                lastExpiry = receivedAt
                while oldest < next && sentAt[oldest] == 0 { oldest += 1 }
                for index in oldest..<next where sentAt[index] != 0 && receivedAt - sentAt[index] >= timeout {
                    sentAt[index] = 0
                    outstanding -= 1
                    run.failed += 1
                }
            }
        }
    }
}

/// What one run has seen so far.
private struct LeanRun {
    var latencies: [Double] = []
    var failed = 0

    init(count: Int) {
        latencies.reserveCapacity(count)
    }
}

/// A UDP socket connected to 127.0.0.1:`port`, whose receives wait at most 50 ms.
private final class LeanSocket {
    let descriptor: CInt

    init(port: Int) throws {
        descriptor = socket(AF_INET, CInt(SOCK_DGRAM.rawValue) | CInt(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw BenchmarkError("socket: errno \(errno)") }
        var size: CInt = 4 << 20
        _ = setsockopt(descriptor, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<CInt>.size))
        _ = setsockopt(descriptor, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<CInt>.size))
        var timeout = timeval(tv_sec: 0, tv_usec: 50_000)
        _ = setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = in_addr_t(0x7F00_0001).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            let error = errno
            _ = Glibc.close(descriptor)
            throw BenchmarkError("connect to 127.0.0.1:\(port): errno \(error)")
        }
    }

    /// Sends `bytes` and returns the first datagram that `accept`s within `seconds`, or nil.
    func exchange(_ bytes: [UInt8], seconds: Double, accept: ([UInt8]) -> Bool) -> [UInt8]? {
        _ = bytes.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, 0) }
        let deadline = leanNanoseconds() + UInt64(seconds * 1e9)
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while leanNanoseconds() < deadline {
            let length = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if length > 0, accept(Array(buffer[..<length])) { return Array(buffer[..<length]) }
        }
        return nil
    }

    func close() {
        _ = Glibc.close(descriptor)
    }
}

/// Every request of a run, encoded before it starts, back to back in one buffer.
private struct LeanDatagrams {
    private var storage: [UInt8] = []
    private var offsets: [Int] = [0]
    private let isV3: Bool

    var count: Int { offsets.count - 1 }

    /// Builds `count` GETs of `oid`; request-id (and msgID for v3) `base + index`. For v3 it
    /// first discovers the server's engine (and its time) and checks one authPriv GET.
    init(socket: LeanSocket, credentials: SNMPCredentials, oid: OID, count: Int, base: Int32) throws {
        switch credentials {
        case .community(let community, let version):
            isV3 = false
            let probe = CommunityMessage(
                version: version, community: Array(community.utf8),
                pdu: PDU(
                    kind: .getRequest, requestID: base &- 1, variableBindings: [VariableBinding(oid: oid)]))
            try Self.check(
                socket.exchange(probe.encoded(), seconds: 2) {
                    (try? CommunityMessage(decoding: $0))?.pdu.requestID == base &- 1
                }
                .flatMap { try? CommunityMessage(decoding: $0).pdu },
                what: "v2c GET")
            storage.reserveCapacity(count * 48)
            for index in 0..<count {
                var message = probe
                message.pdu.requestID = base &+ Int32(index)
                append(message.encoded())
            }
        case .user(let user):
            isV3 = true
            var engine = try Self.discover(socket: socket, base: base)
            let keys = USMKeyCache().keys(for: user, engineID: engine.id)
            let started = leanNanoseconds()
            func request(_ id: Int32, salt: UInt64) -> [UInt8]? {
                var current = engine
                current.time &+= Int32((leanNanoseconds() - started) / 1_000_000_000)
                let scoped = ScopedPDU(
                    contextEngineID: engine.id,
                    pdu: PDU(kind: .getRequest, requestID: id, variableBindings: [VariableBinding(oid: oid)]))
                return USMCodec.seal(
                    scoped, messageID: id, reportable: true, user: user, keys: keys, engine: current,
                    salt: salt)
            }
            // One checked GET; a Report (not in time window) gives the engine's time, then retry.
            var answer: PDU?
            for attempt in 0..<2 {
                let id = base &- 2 &- Int32(attempt)
                guard let bytes = request(id, salt: UInt64(attempt) << 40),
                    let reply = socket.exchange(
                        bytes, seconds: 2, accept: { (try? SNMPv3Message(decoding: $0))?.messageID == id }),
                    let message = try? SNMPv3Message(decoding: reply)
                else { break }
                if let scoped = try? USMCodec.open(message, bytes: reply, user: user, keys: keys),
                    scoped.pdu.kind == .response
                {
                    answer = scoped.pdu
                    break
                }
                engine.boots = message.security.engineBoots
                engine.time = message.security.engineTime
            }
            try Self.check(answer, what: "v3 authPriv GET")
            storage.reserveCapacity(count * 160)
            for index in 0..<count {
                guard let bytes = request(base &+ Int32(index), salt: UInt64(index) | 1 << 48) else {
                    throw BenchmarkError("cannot seal a v3 request for \(user.name)")
                }
                append(bytes)
            }
        }
    }

    private mutating func append(_ bytes: [UInt8]) {
        storage += bytes
        offsets.append(storage.count)
    }

    func withDatagram<Result>(_ index: Int, _ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        storage.withUnsafeBytes {
            body(UnsafeRawBufferPointer(rebasing: $0[offsets[index]..<offsets[index + 1]]))
        }
    }

    /// The request-id (v2c) or msgID (v3) of a response, read without decoding the rest; nil when
    /// the octets are not shaped like one.
    func matchedID(in bytes: UnsafeRawBufferPointer) -> Int32? {
        var reader = LeanReader(bytes: bytes)
        guard reader.enter(0x30), reader.skip(0x02) else { return nil }
        if isV3 {
            guard reader.enter(0x30) else { return nil }
        } else {
            guard reader.skip(0x04), reader.enter(0xA2) else { return nil }
        }
        return reader.integer()
    }

    /// Discovers the engine behind `socket` (RFC 3414 section 4): its ID, boots and time.
    private static func discover(socket: LeanSocket, base: Int32) throws -> USMCodec.Engine {
        let id = base &- 3
        let discovery = SNMPv3Message(
            messageID: id, flags: [.reportable], security: USMSecurityParameters(),
            payload: .plaintext(
                ScopedPDU(
                    contextEngineID: [], pdu: PDU(kind: .getRequest, requestID: id, variableBindings: []))))
        guard
            let reply = socket.exchange(
                discovery.encoded(), seconds: 2,
                accept: { (try? SNMPv3Message(decoding: $0))?.messageID == id }),
            let report = try? SNMPv3Message(decoding: reply), !report.security.engineID.isEmpty
        else { throw BenchmarkError("no engine discovery Report") }
        return USMCodec.Engine(
            id: report.security.engineID, boots: report.security.engineBoots, time: report.security.engineTime
        )
    }

    private static func check(_ pdu: PDU?, what: String) throws {
        guard let pdu, pdu.kind == .response, pdu.errorStatus == 0,
            let value = pdu.variableBindings.first?.value,
            !value.isException
        else {
            throw BenchmarkError(
                "the server does not answer a \(what) of the load OID: \(String(describing: pdu))")
        }
    }
}

/// Just enough BER to find an identifier near the start of a message.
private struct LeanReader {
    let bytes: UnsafeRawBufferPointer
    var position = 0

    /// Reads a tag and a length; returns the length, or nil.
    private mutating func header(_ tag: UInt8) -> Int? {
        guard position + 2 <= bytes.count, bytes[position] == tag else { return nil }
        let first = bytes[position + 1]
        position += 2
        if first < 0x80 { return Int(first) }
        let octets = Int(first & 0x7F)
        guard octets <= 3, position + octets <= bytes.count else { return nil }
        var length = 0
        for _ in 0..<octets {
            length = length << 8 | Int(bytes[position])
            position += 1
        }
        return length
    }

    mutating func enter(_ tag: UInt8) -> Bool {
        header(tag) != nil
    }

    mutating func skip(_ tag: UInt8) -> Bool {
        guard let length = header(tag), position + length <= bytes.count else { return false }
        position += length
        return true
    }

    mutating func integer() -> Int32? {
        guard let length = header(0x02), (1...4).contains(length), position + length <= bytes.count else {
            return nil
        }
        var value = Int32(Int8(bitPattern: bytes[position]))
        for offset in 1..<length { value = value << 8 | Int32(bytes[position + offset]) }
        return value
    }
}

/// CLOCK_MONOTONIC in nanoseconds.
private func leanNanoseconds() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
}

/// The calling thread's CPU time.
private func leanThreadCPUSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}
