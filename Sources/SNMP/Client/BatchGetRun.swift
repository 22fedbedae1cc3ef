import NIOCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One batch of GETs (``SNMPClient/get(_:fromEach:credentials:timeout:retries:pacing:started:deliver:)``),
/// run by a thread of its own: it stages requests and sends them by the dozen, reads answers by
/// the dozen, times attempts out from a queue in deadline order, and hands each target's outcome
/// over as soon as it is known. No task, continuation, timer or lock per request: at a hundred
/// thousand agents, those cost lbd several times the poll itself.
///
/// Each target goes through the client's own steps, read by the same code
/// (``SNMPAnswerReading``): v1/v2c, one exchange; v3, an engine discovery when the engine is not
/// cached, the GET, and after a `notInTimeWindow` or `unknownEngineID` report one fresh
/// discovery and GET. Every exchange has `retries + 1` attempts of `timeout` each, each attempt
/// with a fresh id, so a late answer to an earlier one is dropped. An answer counts only from the
/// target's address and with the id of its attempt in flight; anything unreadable from a
/// target's address is noted against it, and reported if it then times out.
///
/// Invariant: after `init`, every property but `stop` is used by the run's thread only, hence
/// `@unchecked Sendable`.
final class BatchGetRun: @unchecked Sendable {
    typealias Deliver =
        @Sendable (_ target: Int, _ outcome: SNMPClient.BatchOutcome, _ elapsed: Duration) -> Void

    private enum Stage: UInt8 {
        case waiting, discovering, getting, done
    }

    /// Where one target stands. Kept small: a batch may hold a hundred thousand.
    private struct Poll {
        var stage = Stage.waiting
        var holdsSlot = false
        var mayRediscover = true
        var attemptsLeft: Int16 = 0
        /// The id of the attempt in flight; answers with another id are stale.
        var id: Int32 = 0
        var started = ContinuousClock.Instant.now
        var malformed: String?
    }

    /// When an attempt times out unless answered.
    private struct Deadline {
        var at: ContinuousClock.Instant
        var target: Int32
        var id: Int32
    }

    /// When a poll's prompt window ends.
    private struct WindowEnd {
        var at: ContinuousClock.Instant
        var target: Int32
    }

    /// A v3 target's engine and keys while its GET is under way.
    private struct Security {
        var engine: EngineCache.Entry
        var keys: LocalizedKeys
    }

    private let client: SNMPClient
    private let targets: [SocketAddress]
    private let bindings: [VariableBinding]
    private let credentials: SNMPCredentials
    private let timeout: Duration
    private let attempts: Int16
    private let pacing: SNMPClient.BatchPacing
    private let started: @Sendable () -> Void
    private let deliver: Deliver
    private let clock = ContinuousClock()
    /// Set from outside (cancellation): the run ends its polls as cancelled.
    let stop = Atomic(false)

    // The state below is the run thread's alone (the type's invariant), so no two accesses can
    // overlap: `@exclusivity(unchecked)` spares each access a check in a thread-local table,
    // which came to an eighth of the thread's user-space CPU at 100,000 polls.
    @exclusivity(unchecked) private var polls: [Poll]
    @exclusivity(unchecked) private var security: [Int: Security] = [:]
    /// The target of each request sent, by the request's serial number (its id minus `firstID`).
    @exclusivity(unchecked) private var serials: [Int32] = []
    private let firstID: Int32
    /// The v1/v2c request encoded once, each request writing its id in.
    @exclusivity(unchecked) private var communityTemplate: CommunityRequestTemplate?
    /// Attempts in flight in the order their deadlines fall (one timeout for all).
    @exclusivity(unchecked) private var deadlines = TimeOrderedQueue<Deadline>()
    /// Polls holding a slot until their prompt window ends, in the order the windows end (the
    /// silent targets, with the shorter window, start first).
    @exclusivity(unchecked) private var windows = TimeOrderedQueue<WindowEnd>()
    @exclusivity(unchecked) private var nextTarget = 0
    @exclusivity(unchecked) private var holdingSlots = 0
    @exclusivity(unchecked) private var outstanding = 0
    @exclusivity(unchecked) private var remaining: Int
    /// One per address family used so far (two at most): searched in order, not hashed.
    @exclusivity(unchecked) private var sockets: [BatchDatagramSocket] = []
    @exclusivity(unchecked) private var unavailable: [NIOBSDSocket.ProtocolFamily] = []
    /// The targets at each address, made when a first unreadable datagram needs it.
    @exclusivity(unchecked) private var targetsByAddress: [SocketAddress: [Int]]?
    @exclusivity(unchecked) private var now = ContinuousClock.Instant.now
    /// When the loop last read answers.
    @exclusivity(unchecked) private var readAt = ContinuousClock.Instant.now
    /// The answer being read (`handleAnswer`).
    @exclusivity(unchecked) private var datagram: [UInt8] = []

    /// The longest `gather` sleeps: a small part of a timeout or prompt window.
    private static let maximumGathering = Duration.milliseconds(1)
    /// The polls in their window from which `gather` sleeps at all.
    private static let gatheringSlots = 8 * BatchDatagramSocket.batch

    /// The most requests one batch may send: ids stay positive.
    private static let maximumSerials = 1 << 26

    init(
        client: SNMPClient, targets: [SocketAddress], bindings: [VariableBinding],
        credentials: SNMPCredentials, timeout: Duration, retries: Int, pacing: SNMPClient.BatchPacing,
        started: @escaping @Sendable () -> Void, deliver: @escaping Deliver
    ) {
        self.client = client
        self.targets = targets
        self.bindings = bindings
        self.credentials = credentials
        self.timeout = timeout
        attempts = Int16(clamping: max(0, retries) + 1)
        self.pacing = pacing
        self.started = started
        self.deliver = deliver
        polls = [Poll](repeating: Poll(), count: targets.count)
        remaining = targets.count
        // Every id of the batch takes four octets, so that v1/v2c requests are written into one
        // encoded template (`CommunityRequestTemplate`).
        firstID = Int32.random(
            in: CommunityRequestTemplate.idsThatFit.lowerBound...(Int32.max - Int32(Self.maximumSerials)))
        if case .community(let community, let version) = credentials {
            communityTemplate = CommunityRequestTemplate {
                Self.communityRequest(id: $0, community: community, version: version, bindings: bindings)
            }
        }
    }

    // MARK: - The loop

    /// Runs the batch to its end: every target delivered once.
    func run() {
        defer {
            for socket in sockets { socket.close() }
        }
        if targets.isEmpty { return }
        while remaining > 0 {
            if stop.load(ordering: .relaxed) || client.isShutDown {
                endAll(.shutDown)
                return
            }
            now = clock.now
            let loopStart = now
            expireWindows()
            expireAttempts()
            startPolls()
            flush()
            guard remaining > 0 else { return }
            var received = 0
            for socket in sockets {
                // A few batches per socket, then back to starting polls in the slots freed.
                for _ in 0..<4 {
                    // One clock read per batch: its answers were all waiting when it was read.
                    now = clock.now
                    let count = socket.receive(handleAnswer)
                    received += count
                    if count < BatchDatagramSocket.batch { break }
                }
            }
            flush()
            if received == 0 {
                wait()
            } else if received < BatchDatagramSocket.batch, remaining > 0 {
                gather(received, in: loopStart - readAt)
            }
            readAt = loopStart
        }
    }

    /// After a read that found a few answers, which came in `interval`: sleeps about as long as
    /// the rest of a batch takes to come (at most `maximumGathering`), so that the next read and
    /// send move a batch each. Without it the loop goes round for every two or three answers,
    /// and its system calls cost more than the answers (a fifth of lbd's CPU at 100,000 polls).
    ///
    /// Only with `gatheringSlots` polls or more in their window: a batch then gathers within a
    /// small part of their round trip, and holding their slots that much longer slows a cycle
    /// by as little. No later than the next deadline or window end.
    private func gather(_ received: Int, in interval: Duration) {
        guard holdingSlots >= Self.gatheringSlots else { return }
        let batch = interval * (BatchDatagramSocket.batch - received) / received
        var until = now + min(Self.maximumGathering, batch)
        if let first = deadlines.first, first.at < until { until = first.at }
        if let first = windows.first, first.at < until { until = first.at }
        let left = until - clock.now
        guard left > .zero else { return }
        _ = usleep(UInt32(left / .microseconds(1)))
    }

    /// Sleeps until an answer comes or the next deadline or window end, at most 50 ms so that
    /// a cancellation is seen.
    private func wait() {
        var until = clock.now.advanced(by: .milliseconds(50))
        if let first = deadlines.first, first.at < until { until = first.at }
        if let first = windows.first, first.at < until { until = first.at }
        let left = until - clock.now
        guard left > .zero else { return }
        let milliseconds = CInt(min(50, (left / .milliseconds(1)).rounded(.up)))
        var descriptors = sockets.map { pollfd(fd: $0.descriptor, events: Int16(POLLIN), revents: 0) }
        _ = poll(&descriptors, nfds_t(descriptors.count), milliseconds)
    }

    private func expireWindows() {
        while let first = windows.first, first.at <= now {
            windows.removeFirst()
            let target = Int(first.target)
            if polls[target].holdsSlot {
                polls[target].holdsSlot = false
                holdingSlots -= 1
            }
        }
    }

    private func expireAttempts() {
        while let first = deadlines.first, first.at <= now {
            deadlines.removeFirst()
            let target = Int(first.target)
            guard polls[target].id == first.id, polls[target].stage != .done else { continue }
            if polls[target].attemptsLeft > 0 {
                sendAttempt(target)
            } else if let malformed = polls[target].malformed {
                finish(target, .failure(.malformedResponse(malformed)))
            } else {
                finish(target, .failure(.timeout(attempts: Int(attempts))))
            }
        }
    }

    private func startPolls() {
        var started = 0
        while nextTarget < targets.count, holdingSlots < pacing.concurrency,
            outstanding < pacing.maximumOutstanding
        {
            let target = nextTarget
            nextTarget += 1
            // Encoding thousands of requests takes a while: deadlines count from their sending.
            started += 1
            if started % 64 == 0 { now = clock.now }
            polls[target].started = now
            outstanding += 1
            let window = target < pacing.silentCount ? pacing.silentWindow : pacing.promptWindow
            if window != .zero {
                polls[target].holdsSlot = true
                holdingSlots += 1
                if let window {
                    windows.append(WindowEnd(at: now.advanced(by: window), target: Int32(target)))
                }
            }
            beginExchange(target)
            if nextTarget == targets.count { self.started() }
        }
    }

    /// Starts the target's next exchange: the GET, or the discovery of its engine first.
    private func beginExchange(_ target: Int) {
        polls[target].attemptsLeft = attempts
        polls[target].malformed = nil
        switch credentials {
        case .community:
            polls[target].stage = .getting
        case .user(let user):
            if let engine = client.engines.entry(for: targets[target]) {
                let keys = client.localizedKeys(of: user, for: engine, at: targets[target])
                security[target] = Security(engine: engine, keys: keys)
                polls[target].stage = .getting
            } else {
                polls[target].stage = .discovering
            }
        }
        sendAttempt(target)
    }

    /// Sends one attempt of the target's current exchange under a fresh id.
    private func sendAttempt(_ target: Int) {
        guard serials.count < Self.maximumSerials else {
            finish(target, .failure(.sendFailed("too many requests in one batch")))
            return
        }
        let id = firstID &+ Int32(serials.count)
        serials.append(Int32(target))
        polls[target].id = id
        polls[target].attemptsLeft -= 1
        let datagram: [UInt8]
        do {
            datagram = try request(for: target, id: id)
        } catch let error as SNMPClientError {
            finish(target, .failure(error))
            return
        } catch {
            finish(target, .failure(.sendFailed("\(error)")))
            return
        }
        let address = targets[target]
        guard let socket = socket(for: address) else {
            let family =
                switch address.protocol {
                case .inet: "IPv4"
                case .inet6: "IPv6"
                default: "a non-IP address"
                }
            finish(target, .failure(.unsupportedAddress(family)))
            return
        }
        if socket.isFull { flush(socket) }
        if let failure = socket.stage(datagram, to: address, owner: target) {
            finish(failure.owner, .failure(.sendFailed(failure.detail)))
            return
        }
        deadlines.append(Deadline(at: now.advanced(by: timeout), target: Int32(target), id: id))
    }

    private func request(for target: Int, id: Int32) throws -> [UInt8] {
        switch credentials {
        case .community(let community, let version):
            guard CommunityRequestTemplate.fits(id), communityTemplate != nil else {
                return Self.communityRequest(
                    id: id, community: community, version: version, bindings: bindings)
            }
            return communityTemplate!.request(id: id)
        case .user(let user):
            guard polls[target].stage == .getting, let security = security[target] else {
                return SNMPAnswerReading.discoveryRequest(messageID: id)
            }
            return try SNMPClient.sealed(
                .getRequest, bindings, requestID: id, messageID: id, user: user, keys: security.keys,
                engine: security.engine.estimate(now: now))
        }
    }

    private static func communityRequest(
        id: Int32, community: String, version: SNMPVersion, bindings: [VariableBinding]
    ) -> [UInt8] {
        CommunityMessage(
            version: version, community: Array(community.utf8),
            pdu: PDU(kind: .getRequest, requestID: id, variableBindings: bindings)
        ).encoded()
    }

    private func flush() {
        for socket in sockets { flush(socket) }
    }

    private func flush(_ socket: BatchDatagramSocket) {
        for failure in socket.flush() where polls[failure.owner].stage != .done {
            finish(failure.owner, .failure(.sendFailed(failure.detail)))
        }
    }

    // MARK: - Answers

    private func handleAnswer(_ bytes: UnsafeRawBufferPointer, from sender: DatagramSender, truncated: Bool) {
        guard !truncated else {
            noteMalformed(from: sender, "a datagram larger than \(BatchDatagramSocket.answerSlot) octets")
            return
        }
        // Into the one buffer of the run: nothing keeps the bytes once the answer is read, so
        // the buffer is reused instead of allocated per answer.
        datagram.removeAll(keepingCapacity: true)
        datagram.append(contentsOf: bytes)
        let id: Int32
        let decoded: ReceivedMessage.Decoded
        switch SNMPAnswerReading.route(datagram) {
        case .success(let routed): (id, decoded) = routed
        case .failure(let malformed):
            noteMalformed(from: sender, malformed.detail)
            return
        }
        let serial = Int(UInt32(bitPattern: id &- firstID))
        guard serial < serials.count else { return }
        let target = Int(serials[serial])
        guard polls[target].id == id, polls[target].stage != .done, sender.is(targets[target]) else { return }
        read(decoded, for: target)
    }

    /// Reads the answer `decoded` (of the bytes in `datagram`) from the target's address.
    private func read(_ decoded: ReceivedMessage.Decoded, for target: Int) {
        do {
            switch credentials {
            case .community(_, let version):
                let values = try SNMPAnswerReading.communityValues(
                    decoded, version: version, requested: bindings.count)
                finish(target, .success(values))
            case .user(let user):
                // Engine times and the deadline of a next request count from the answer itself.
                now = clock.now
                guard polls[target].stage == .getting, let security = security[target] else {
                    let engine = try SNMPAnswerReading.discoveredEngine(decoded, now: now)
                    client.engines.store(engine, for: targets[target])
                    let keys = client.localizedKeys(of: user, for: engine, at: targets[target])
                    self.security[target] = Security(engine: engine, keys: keys)
                    polls[target].stage = .getting
                    polls[target].attemptsLeft = attempts
                    polls[target].malformed = nil
                    sendAttempt(target)
                    return
                }
                let reply = ReceivedMessage(bytes: datagram, decoded: decoded, remote: targets[target])
                switch try SNMPAnswerReading.v3(
                    reply, engine: security.engine, user: user, keys: security.keys,
                    requestID: polls[target].id, requested: bindings.count, engines: client.engines, now: now)
                {
                case .values(let values):
                    finish(target, .success(values))
                case .usmReport(let error)
                where polls[target].mayRediscover && SNMPAnswerReading.calls(forRediscovery: error):
                    client.engines.forget(targets[target])
                    self.security[target] = nil
                    polls[target].mayRediscover = false
                    beginExchange(target)
                case .usmReport(let error):
                    finish(target, .failure(.security(error)))
                }
            }
        } catch let error as SNMPClientError {
            finish(target, .failure(error))
        } catch {
            finish(target, .failure(.malformedResponse("\(error)")))
        }
    }

    private func noteMalformed(from sender: DatagramSender, _ detail: String) {
        guard let sender = sender.address else { return }
        if targetsByAddress == nil {
            var map: [SocketAddress: [Int]] = [:]
            for (target, address) in targets.enumerated() { map[address, default: []].append(target) }
            targetsByAddress = map
        }
        for target in targetsByAddress?[sender] ?? []
        where polls[target].malformed == nil && polls[target].stage != .done
            && polls[target].stage != .waiting
        {
            polls[target].malformed = detail
        }
    }

    // MARK: - Ends

    private func finish(_ target: Int, _ outcome: SNMPClient.BatchOutcome) {
        guard polls[target].stage != .done else { return }
        let wasStarted = polls[target].stage != .waiting
        polls[target].stage = .done
        polls[target].id = 0
        // Hashing costs more than the rest of the ending: v1/v2c never fill it.
        if !security.isEmpty { security[target] = nil }
        if polls[target].holdsSlot {
            polls[target].holdsSlot = false
            holdingSlots -= 1
        }
        if wasStarted { outstanding -= 1 }
        remaining -= 1
        deliver(target, outcome, wasStarted ? now - polls[target].started : .zero)
    }

    /// Ends every poll not ended yet with `error`, those not started too.
    private func endAll(_ error: SNMPClientError) {
        now = clock.now
        for target in polls.indices where polls[target].stage != .done {
            finish(target, .failure(error))
        }
        if nextTarget < targets.count {
            nextTarget = targets.count
            started()
        }
    }

    /// The socket for `address`'s family, opened on first use; nil when the family has none.
    private func socket(for address: SocketAddress) -> BatchDatagramSocket? {
        let family = address.protocol
        for socket in sockets where socket.family == family { return socket }
        guard !unavailable.contains(family), let local = client.localAddress(for: family) else {
            return nil
        }
        do {
            let socket = try BatchDatagramSocket(local: local)
            sockets.append(socket)
            return socket
        } catch {
            unavailable.append(family)
            return nil
        }
    }
}
