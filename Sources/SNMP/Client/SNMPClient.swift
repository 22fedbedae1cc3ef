import NIOCore
import NIOPosix
import Synchronization

/// An asynchronous SNMP client for GETs to many agents at once.
///
/// One UDP socket per address family carries every request; answers are matched by request-id
/// (v1/v2c) or msgID (v3), so thousands of requests can be in flight, bounded by
/// `maximumInFlight`. SNMPv3 engines are discovered once per agent and cached; a Report of
/// `notInTimeWindow` or `unknownEngineID` triggers one re-discovery and retry.
///
/// A batch of GETs to many agents (`get(_:fromEach:...)`, SNMPClient+Batch.swift) runs apart,
/// on a thread and sockets of its own, and shares the engines and the reading of answers.
public final class SNMPClient: Sendable {
    private let group: any EventLoopGroup
    private let ipv4: (any Channel)?
    private let ipv6: (any Channel)?
    private let ipv4Queue: DatagramSendQueue?
    private let ipv6Queue: DatagramSendQueue?
    private let pending: PendingRequests
    private let limiter: RequestLimiter
    let engines = EngineCache()
    let keys: USMKeyCache
    let clock = ContinuousClock()
    private let localAddress: String?
    private let shutDown = Atomic(false)

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
            // No SO_REUSEADDR on this port-0 bind: Linux could then give the client a port that
            // another SO_REUSEADDR socket holds, and the answers would go to either.
            try await DatagramBootstrap(group: eventLoopGroup)
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
            limiter: RequestLimiter(limit: maximumInFlight), keys: keyCache, localAddress: localAddress)
    }

    private init(
        group: any EventLoopGroup, ipv4: (any Channel)?, ipv6: (any Channel)?, pending: PendingRequests,
        limiter: RequestLimiter, keys: USMKeyCache, localAddress: String?
    ) {
        self.localAddress = localAddress
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
        shutDown.store(true, ordering: .relaxed)
        pending.failAll(SNMPClientError.shutDown)
        try? await ipv4?.close()
        try? await ipv6?.close()
    }

    /// Whether `shutdown()` has been called: batches under way end.
    var isShutDown: Bool { shutDown.load(ordering: .relaxed) }

    /// The local address a batch's socket for `family` binds to: the client's own local address
    /// when it has one (of that family only), else the family's wildcard.
    func localAddress(for family: NIOBSDSocket.ProtocolFamily) -> SocketAddress? {
        if let localAddress {
            guard let address = try? SocketAddress(ipAddress: localAddress, port: 0),
                address.protocol == family
            else { return nil }
            return address
        }
        switch family {
        case .inet: return try? SocketAddress(ipAddress: "0.0.0.0", port: 0)
        case .inet6: return try? SocketAddress(ipAddress: "::", port: 0)
        default: return nil
        }
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
        return try SNMPAnswerReading.communityValues(
            reply.decoded, version: version, requested: bindings.count)
    }

    // MARK: - v3

    private func requestV3(
        _ kind: PDU.Kind, _ bindings: [VariableBinding], user: USMUser, _ address: SocketAddress,
        _ attempts: Attempts, mayRediscover: Bool
    ) async throws -> [VariableBinding] {
        let engine = try await engine(for: address, attempts)
        let localized = localizedKeys(of: user, for: engine, at: address)
        let requestID = pending.makeID()
        let reply = try await exchange(address, attempts) { messageID in
            try Self.sealed(
                kind, bindings, requestID: requestID, messageID: messageID, user: user, keys: localized,
                engine: engine.estimate(now: self.clock.now))
        }
        switch try SNMPAnswerReading.v3(
            reply, engine: engine, user: user, keys: localized, requestID: requestID,
            requested: bindings.count, engines: engines, now: clock.now)
        {
        case .values(let values):
            return values
        case .usmReport(let error) where mayRediscover && SNMPAnswerReading.calls(forRediscovery: error):
            engines.forget(address)
            return try await requestV3(kind, bindings, user: user, address, attempts, mayRediscover: false)
        case .usmReport(let error):
            throw SNMPClientError.security(error)
        }
    }

    /// `user`'s keys localised to `engine`, kept with the engine's entry so that the next
    /// request to it finds them there.
    func localizedKeys(of user: USMUser, for engine: EngineCache.Entry, at address: SocketAddress)
        -> LocalizedKeys
    {
        if let known = engine.keys(of: user) { return known }
        let localized = keys.keys(for: user, engineID: engine.id, keepingLocalized: false)
        var engine = engine
        engine.localized = (user, localized)
        engines.store(engine, for: address)
        return localized
    }

    /// A v3 request of `kind` for `bindings`, sealed for `user` at their security level.
    static func sealed(
        _ kind: PDU.Kind, _ bindings: [VariableBinding], requestID: Int32, messageID: Int32, user: USMUser,
        keys: LocalizedKeys, engine: USMCodec.Engine
    ) throws -> [UInt8] {
        let scoped = ScopedPDU(
            contextEngineID: engine.id, pdu: PDU(kind: kind, requestID: requestID, variableBindings: bindings)
        )
        guard
            let sealed = USMCodec.seal(
                scoped, messageID: messageID, reportable: true, user: user, keys: keys, engine: engine,
                salt: UInt64.random(in: .min ... .max))
        else { throw SNMPClientError.security(.unsupportedSecurityLevel) }
        return sealed
    }

    /// The cached engine of the agent at `address`, discovered first if unknown (RFC 3414
    /// section 4): an unauthenticated request the agent answers with a Report carrying its
    /// engine ID, boots and time.
    private func engine(for address: SocketAddress, _ attempts: Attempts) async throws -> EngineCache.Entry {
        if let known = engines.entry(for: address) { return known }
        let reply = try await exchange(address, attempts) {
            SNMPAnswerReading.discoveryRequest(messageID: $0)
        }
        let entry = try SNMPAnswerReading.discoveredEngine(reply.decoded, now: clock.now)
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
}
