import NIOCore
import NIOPosix

/// An asynchronous SNMP client for GETs to many agents at once.
///
/// One UDP socket per address family carries every request; answers are matched by request-id
/// (v1/v2c) or msgID (v3), so thousands of requests can be in flight, bounded by
/// `maximumInFlight`. SNMPv3 engines are discovered once per agent and cached; a Report of
/// `notInTimeWindow` or `unknownEngineID` triggers one re-discovery and retry.
public final class SNMPClient: Sendable {
    private let group: any EventLoopGroup
    private let ipv4: (any Channel)?
    private let ipv6: (any Channel)?
    private let ipv4Queue: DatagramSendQueue?
    private let ipv6Queue: DatagramSendQueue?
    private let pending: PendingRequests
    private let limiter: RequestLimiter
    private let engines = EngineCache()
    private let keys: USMKeyCache
    private let clock = ContinuousClock()

    private static let datagramsPerRead = 16

    /// Opens the client's sockets.
    ///
    /// - Parameters:
    ///   - maximumInFlight: requests waiting for an answer at once, over all agents.
    ///   - keyCache: shared USM key cache (password-to-key is costly).
    ///   - localAddress: the one local address to send from (its family only); `nil` for one
    ///     socket on `0.0.0.0` and one on `::`.
    public static func start(
        maximumInFlight: Int = 1000, keyCache: USMKeyCache = USMKeyCache(), localAddress: String? = nil,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> SNMPClient {
        let pending = PendingRequests(firstID: Int32.random(in: 1...Int32.max))
        func bind(_ host: String) async throws -> any Channel {
            try await DatagramBootstrap(group: eventLoopGroup)
                .channelOption(.socketOption(.so_reuseaddr), value: 1)
                // Up to 16 datagrams per system call (recvmmsg), each in a 64 KB slice of one
                // buffer, so none is cut short: a cycle's answers come in thousands at once.
                .channelOption(.datagramVectorReadMessageCount, value: Self.datagramsPerRead)
                .channelOption(
                    .recvAllocator,
                    value: FixedSizeRecvByteBufferAllocator(capacity: 65_536 * Self.datagramsPerRead)
                )
                // Thousands of answers can arrive at once; the default socket buffer (~200 KB, a
                // few hundred datagrams) drops the rest. The kernel caps this at rmem_max.
                .channelOption(.socketOption(.so_rcvbuf), value: 4 << 20)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ClientChannelHandler(pending: pending))
                    }
                }
                .bind(host: host, port: 0).get()
        }
        var ipv4: (any Channel)?
        var ipv6: (any Channel)?
        if let localAddress {
            let channel = try await bind(localAddress)
            if channel.localAddress?.protocol == .inet6 { ipv6 = channel } else { ipv4 = channel }
        } else {
            ipv4 = try? await bind("0.0.0.0")
            ipv6 = try? await bind("::")
        }
        guard ipv4 != nil || ipv6 != nil else { throw SNMPClientError.unsupportedAddress("any") }
        return SNMPClient(
            group: eventLoopGroup, ipv4: ipv4, ipv6: ipv6, pending: pending,
            limiter: RequestLimiter(limit: maximumInFlight), keys: keyCache)
    }

    private init(
        group: any EventLoopGroup, ipv4: (any Channel)?, ipv6: (any Channel)?, pending: PendingRequests,
        limiter: RequestLimiter, keys: USMKeyCache
    ) {
        self.group = group
        self.ipv4 = ipv4
        self.ipv6 = ipv6
        ipv4Queue = ipv4.map(DatagramSendQueue.init)
        ipv6Queue = ipv6.map(DatagramSendQueue.init)
        self.pending = pending
        self.limiter = limiter
        self.keys = keys
    }

    /// Closes the sockets; requests still waiting fail with `shutDown`.
    public func shutdown() async {
        pending.failAll(SNMPClientError.shutDown)
        try? await ipv4?.close()
        try? await ipv6?.close()
    }

    /// Requests waiting for an answer right now.
    public var requestsInFlight: Int { pending.count }

    /// GETs `oids` from the agent at `address`.
    ///
    /// - Parameters:
    ///   - timeout: how long one attempt waits for its answer.
    ///   - retries: attempts after the first one times out.
    /// - Returns: the variable bindings of the response, in request order.
    /// - Throws: `SNMPClientError`, or `CancellationError` when the task is cancelled.
    public func get(
        _ oids: [OID], from address: SocketAddress, credentials: SNMPCredentials,
        timeout: Duration = .seconds(2),
        retries: Int = 2
    ) async throws -> [VariableBinding] {
        try await request(
            .getRequest, oids.map { VariableBinding(oid: $0) }, to: address, credentials: credentials,
            timeout: timeout, retries: retries)
    }

    /// Sends a confirmed-class PDU of `kind` (GET, InformRequest) with `bindings` and returns the
    /// response's bindings; for v3 the peer at `address` is the authoritative engine.
    func request(
        _ kind: PDU.Kind, _ bindings: [VariableBinding], to address: SocketAddress,
        credentials: SNMPCredentials, timeout: Duration, retries: Int
    ) async throws -> [VariableBinding] {
        try await limiter.acquire()
        defer { limiter.release() }
        let attempts = Attempts(timeout: timeout, retries: retries)
        switch credentials {
        case .community(let community, let version):
            return try await requestCommunity(
                kind, bindings, community: community, version: version, address, attempts)
        case .user(let user):
            return try await requestV3(kind, bindings, user: user, address, attempts, mayRediscover: true)
        }
    }

    /// Sends one datagram that expects no answer (a trap) from the socket of `address`'s family.
    func post(_ datagram: [UInt8], to address: SocketAddress) async throws {
        let channel = try channel(for: address)
        do {
            try await channel.writeAndFlush(
                AddressedEnvelope(remoteAddress: address, data: channel.allocator.buffer(bytes: datagram)))
        } catch {
            throw SNMPClientError.sendFailed("\(error)")
        }
    }

    private struct Attempts {
        var timeout: Duration
        var retries: Int

        var timeAmount: TimeAmount { TimeAmount(timeout) }
    }

    // MARK: - v1 / v2c

    private func requestCommunity(
        _ kind: PDU.Kind, _ bindings: [VariableBinding], community: String, version: SNMPVersion,
        _ address: SocketAddress, _ attempts: Attempts
    ) async throws -> [VariableBinding] {
        let reply = try await exchange(address, attempts) { id in
            CommunityMessage(
                version: version, community: Array(community.utf8),
                pdu: PDU(kind: kind, requestID: id, variableBindings: bindings)
            ).encoded()
        }
        guard case .community(let message) = reply.decoded else {
            throw SNMPClientError.malformedResponse("expected a \(version) message, got an SNMPv3 one")
        }
        guard message.pdu.kind == .response else {
            throw SNMPClientError.malformedResponse("expected a Response PDU, got \(message.pdu.kind)")
        }
        return try Self.values(of: message.pdu, requested: bindings.count)
    }

    // MARK: - v3

    private func requestV3(
        _ kind: PDU.Kind, _ bindings: [VariableBinding], user: USMUser, _ address: SocketAddress,
        _ attempts: Attempts, mayRediscover: Bool
    ) async throws -> [VariableBinding] {
        var engine = try await engine(for: address, attempts)
        let localized: LocalizedKeys
        if let known = engine.keys(of: user) {
            localized = known
        } else {
            localized = keys.keys(for: user, engineID: engine.id)
            engine.localized = (user, localized)
            engines.store(engine, for: address)
        }
        let requestID = pending.makeID()
        let reply = try await exchange(address, attempts) { messageID in
            let estimate = engine.estimate(now: self.clock.now)
            let scoped = ScopedPDU(
                contextEngineID: engine.id,
                pdu: PDU(kind: kind, requestID: requestID, variableBindings: bindings))
            guard
                let sealed = USMCodec.seal(
                    scoped, messageID: messageID, reportable: true, user: user, keys: localized,
                    engine: estimate,
                    salt: UInt64.random(in: .min ... .max))
            else { throw SNMPClientError.security(.unsupportedSecurityLevel) }
            return sealed
        }
        guard case .v3(let message) = reply.decoded else {
            throw SNMPClientError.malformedResponse("expected an SNMPv3 message")
        }
        // A Report the agent could not authenticate (unknown user, wrong digest...) comes in clear.
        if !message.flags.contains(.authenticated), let scoped = message.scopedPDU, scoped.pdu.kind == .report
        {
            return try await handleReport(
                scoped.pdu, message: message, kind, bindings, user, address, attempts,
                mayRediscover: mayRediscover)
        }
        guard message.security.engineID == engine.id else { throw SNMPClientError.engineMismatch }
        let scoped: ScopedPDU
        do {
            scoped = try USMCodec.open(message, bytes: reply.bytes, user: user, keys: localized)
        } catch {
            throw SNMPClientError.security(error)
        }
        // The answer is authentic: its boots and time refresh the estimate.
        engines.store(
            EngineCache.Entry(
                id: engine.id, boots: message.security.engineBoots, time: message.security.engineTime,
                learnedAt: clock.now, localized: (user, localized)), for: address)
        if scoped.pdu.kind == .report {
            return try await handleReport(
                scoped.pdu, message: message, kind, bindings, user, address, attempts,
                mayRediscover: mayRediscover)
        }
        guard scoped.pdu.kind == .response else {
            throw SNMPClientError.malformedResponse("expected a Response PDU, got \(scoped.pdu.kind)")
        }
        guard scoped.pdu.requestID == requestID else {
            throw SNMPClientError.malformedResponse("the response's request-id is not the request's")
        }
        // Only Reports may come back below the request's level; a response must match it.
        guard message.flags.contains(.privacy) == (user.securityLevel == .authPriv) else {
            throw SNMPClientError.security(.unsupportedSecurityLevel)
        }
        return try Self.values(of: scoped.pdu, requested: bindings.count)
    }

    private func handleReport(
        _ report: PDU, message: SNMPv3Message, _ kind: PDU.Kind, _ bindings: [VariableBinding],
        _ user: USMUser,
        _ address: SocketAddress, _ attempts: Attempts, mayRediscover: Bool
    ) async throws -> [VariableBinding] {
        guard let oid = report.variableBindings.first?.oid, let error = USMError(reportOID: oid) else {
            throw SNMPClientError.unexpectedReport(report.variableBindings.first?.oid)
        }
        switch error {
        case .notInTimeWindow where mayRediscover, .unknownEngineID where mayRediscover:
            engines.forget(address)
            return try await requestV3(kind, bindings, user: user, address, attempts, mayRediscover: false)
        default:
            throw SNMPClientError.security(error)
        }
    }

    /// The cached engine of the agent at `address`, discovered first if unknown (RFC 3414
    /// section 4): an unauthenticated request the agent answers with a Report carrying its
    /// engine ID, boots and time.
    private func engine(for address: SocketAddress, _ attempts: Attempts) async throws -> EngineCache.Entry {
        if let known = engines.entry(for: address) { return known }
        let reply = try await exchange(address, attempts) { messageID in
            SNMPv3Message(
                messageID: messageID, flags: [.reportable], security: USMSecurityParameters(),
                payload: .plaintext(
                    ScopedPDU(
                        contextEngineID: [],
                        pdu: PDU(kind: .getRequest, requestID: messageID, variableBindings: [])))
            )
            .encoded()
        }
        guard case .v3(let message) = reply.decoded, !message.security.engineID.isEmpty else {
            throw SNMPClientError.malformedResponse("engine discovery: no engine ID in the answer")
        }
        let entry = EngineCache.Entry(
            id: message.security.engineID, boots: message.security.engineBoots,
            time: message.security.engineTime,
            learnedAt: clock.now)
        engines.store(entry, for: address)
        return entry
    }

    // MARK: - Exchange

    /// Sends the datagram `build` makes for a fresh id, and waits for the answer with that id;
    /// each retry uses a new id, so a late answer to an earlier attempt is dropped.
    private func exchange(
        _ address: SocketAddress, _ attempts: Attempts, build: (Int32) throws -> [UInt8]
    ) async throws -> ReceivedMessage {
        let queue = try queue(for: address)
        // An unreadable datagram does not end an attempt (the real answer may follow it), but
        // when no answer comes, it is what the caller hears about rather than silence.
        var malformed: String?
        for _ in 0...max(0, attempts.retries) {
            try Task.checkCancellation()
            let id = pending.makeID()
            let datagram = try build(id)
            do {
                return try await send(
                    datagram, id: id, to: address, on: queue, timeout: attempts.timeAmount)
            } catch let timedOut as AttemptTimedOut {
                malformed = timedOut.malformed ?? malformed
                continue
            }
        }
        if let malformed { throw SNMPClientError.malformedResponse(malformed) }
        throw SNMPClientError.timeout(attempts: max(0, attempts.retries) + 1)
    }

    private func send(
        _ datagram: [UInt8], id: Int32, to address: SocketAddress, on queue: DatagramSendQueue,
        timeout: TimeAmount
    ) async throws -> ReceivedMessage {
        let pending = self.pending
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                pending.insert(
                    id, remote: address, timeout: timeout, on: queue.eventLoop, continuation: continuation)
                if Task.isCancelled {
                    pending.fail(id, CancellationError())
                    return
                }
                queue.send(datagram, to: address) { error in
                    pending.fail(id, SNMPClientError.sendFailed("\(error)"))
                }
            }
        } onCancel: {
            pending.fail(id, CancellationError())
        }
    }

    /// The send queue of the socket that sends to `address`'s family.
    private func queue(for address: SocketAddress) throws -> DatagramSendQueue {
        switch address.protocol {
        case .inet:
            guard let ipv4Queue else { throw SNMPClientError.unsupportedAddress("IPv4") }
            return ipv4Queue
        case .inet6:
            guard let ipv6Queue else { throw SNMPClientError.unsupportedAddress("IPv6") }
            return ipv6Queue
        default:
            throw SNMPClientError.unsupportedAddress("a non-IP address")
        }
    }

    /// The socket that sends to `address`'s family.
    private func channel(for address: SocketAddress) throws -> any Channel {
        switch address.protocol {
        case .inet:
            guard let ipv4 else { throw SNMPClientError.unsupportedAddress("IPv4") }
            return ipv4
        case .inet6:
            guard let ipv6 else { throw SNMPClientError.unsupportedAddress("IPv6") }
            return ipv6
        default:
            throw SNMPClientError.unsupportedAddress("a non-IP address")
        }
    }

    private static func values(of pdu: PDU, requested: Int) throws -> [VariableBinding] {
        if pdu.errorStatus != 0 {
            throw SNMPClientError.errorStatus(
                SNMPErrorStatus(rawValue: pdu.errorStatus) ?? .genErr, index: pdu.errorIndex)
        }
        guard pdu.variableBindings.count == requested else {
            throw SNMPClientError.unexpectedBindingCount(
                received: pdu.variableBindings.count, requested: requested)
        }
        return pdu.variableBindings
    }
}
