import NIOCore
import NIOPosix
import Synchronization
import UDPReplySource

/// An SNMP agent (command responder) on UDP: it serves registered objects, read-only, to v1/v2c
/// communities and v3 USM users. Bound to `0.0.0.0` or `::`, it answers each request from the
/// address the request was sent to, as snmpd does.
///
/// Each datagram is handled in its own task, so a slow value provider delays only its own
/// request; at most `maximumConcurrentRequests` are handled at once and the rest are dropped.
/// Datagrams that are not valid SNMP, carry a wrong community, or fail USM checks never get a
/// response other than the RFC 3414 Reports.
///
/// ```swift
/// let agent = SNMPAgent(configuration: SNMPAgentConfiguration(port: 0, communities: ["public"]))
/// agent.register(OID(".1.3.6.1.4.1.96.255.1")!) { .integer(currentLoad()) }
/// let address = try await agent.start()
/// ...
/// await agent.stop()
/// ```
public final class SNMPAgent: Sendable {
    /// Gives an object's current value. Returning `.noSuchInstance` (or another exception) says
    /// the object has no value now: GET reports it missing and GETNEXT skips it. Throwing answers
    /// the request with `genErr`, and so does taking longer than `requestTimeout`; the provider's
    /// task is then cancelled and should end soon (a loop around `try? await Task.sleep` would
    /// spin instead).
    public typealias ValueProvider = @Sendable () async throws -> SNMPValue

    public let configuration: SNMPAgentConfiguration
    private let group: any EventLoopGroup
    private let objects: Mutex<AgentObjectTable>
    private let counters = AgentCounters()
    private let slots: AgentSlots
    private let responder: AgentResponder
    private let state = Mutex<State>(.idle)

    private enum State {
        case idle
        case running(any Channel, startedAt: ContinuousClock.Instant)
    }

    /// An agent that will serve `objects` once started; more can be registered at any time.
    public init(
        configuration: SNMPAgentConfiguration,
        objects: [OID: ValueProvider] = [:],
        keyCache: USMKeyCache = USMKeyCache(),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.configuration = configuration
        self.group = eventLoopGroup
        var table = AgentObjectTable()
        for (oid, provider) in objects {
            table.register(oid, provider: provider)
        }
        self.objects = Mutex(table)
        self.slots = AgentSlots(capacity: configuration.maximumConcurrentRequests)
        self.responder = AgentResponder(
            configuration: configuration, keyCache: keyCache, counters: counters, access: configuration.access)
    }

    deinit {
        if case .running(let channel, _) = state.withLock({ $0 }) {
            channel.close(promise: nil)
        }
    }

    /// Serves `oid` with the values `provider` gives, replacing any provider it had.
    public func register(_ oid: OID, provider: @escaping ValueProvider) {
        objects.withLock { $0.register(oid, provider: provider) }
    }

    /// Serves `oid` with a fixed value.
    public func register(_ oid: OID, value: SNMPValue) {
        register(oid) { value }
    }

    /// Stops serving `oid`.
    public func unregister(_ oid: OID) {
        objects.withLock { $0.unregister(oid) }
    }

    /// The counters since the agent was created.
    public var statistics: SNMPAgentStatistics { counters.snapshot }

    /// snmpEngineTime: whole seconds since `start()`, 0 when not running.
    public var engineTime: Int32 {
        guard case .running(_, let startedAt) = state.withLock({ $0 }) else { return 0 }
        return Self.seconds(from: startedAt, to: configuration.now())
    }

    /// Binds the UDP socket and starts answering; returns the bound address (with the port the
    /// system chose when the configured port is 0). An agent can be started again after `stop()`;
    /// its engine time then restarts at 0 and v3 clients resynchronise through a
    /// usmStatsNotInTimeWindows Report.
    @discardableResult
    public func start() async throws -> SocketAddress {
        try validate(configuration)
        // Localising keys costs a megabyte of hashing per password: do it before the first request.
        responder.usm.warmKeyCache()
        let bootstrap = DatagramBootstrap(group: group)
            // NIO's default allocator cuts datagrams at 2,048 bytes.
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 65_536))
            // A poller sends bursts of requests; the default socket buffer drops past a few hundred.
            .channelOption(.socketOption(.so_rcvbuf), value: 4 << 20)
        // On a wildcard address, answers leave from the address asked: pollers drop any other.
        let channel = try await UDPReplySource.bind(
            bootstrap, host: configuration.host, port: configuration.port, reuseAddress: true
        ) { [weak self] channel in
            try channel.pipeline.syncOperations.addHandler(AgentDatagramHandler(agent: self))
        }
        let alreadyRunning = state.withLock { state in
            if case .running = state { return true }
            state = .running(channel, startedAt: configuration.now())
            return false
        }
        if alreadyRunning {
            try? await channel.close()
            throw SNMPAgentError(.alreadyRunning, "the SNMP agent is already running; stop() it first")
        }
        guard let address = channel.localAddress else {
            await stop()
            throw SNMPAgentError(.invalidPort, "the UDP socket has no local address")
        }
        return address
    }

    /// Closes the socket. Requests being handled finish, but their answers are not sent.
    public func stop() async {
        let channel = state.withLock { state -> (any Channel)? in
            guard case .running(let channel, _) = state else { return nil }
            state = .idle
            return channel
        }
        try? await channel?.close()
    }

    private func validate(_ configuration: SNMPAgentConfiguration) throws(SNMPAgentError) {
        guard (5...32).contains(configuration.engineID.count) else {
            throw SNMPAgentError(
                .invalidEngineID,
                "the SNMP engine ID has \(configuration.engineID.count) octets; RFC 3411 needs 5 to 32")
        }
        guard configuration.engineBoots >= 0 else {
            throw SNMPAgentError(
                .invalidEngineBoots,
                "snmpEngineBoots is \(configuration.engineBoots); it must not be negative")
        }
        for user in configuration.users
        where user.authentication?.password.isEmpty == true || user.privacy?.password.isEmpty == true {
            throw SNMPAgentError(.invalidUser, "the SNMPv3 user '\(user.name)' has an empty password")
        }
        guard (0...65_535).contains(configuration.port) else {
            throw SNMPAgentError(.invalidPort, "UDP port \(configuration.port) is not in 0...65535")
        }
        guard configuration.maximumConcurrentRequests > 0, configuration.requestTimeout > .zero else {
            throw SNMPAgentError(
                .invalidLimit, "maximumConcurrentRequests and requestTimeout must be greater than zero")
        }
    }

    /// Answers one datagram in a task of its own (called on the channel's event loop).
    func handle(_ datagram: AddressedEnvelope<ByteBuffer>, on channel: any Channel) {
        counters.count(\.datagramsReceived)
        guard case .running(_, let startedAt) = state.withLock({ $0 }) else { return }
        guard let lease = slots.acquire() else {
            counters.count(\.droppedWhileBusy)
            return
        }
        let bytes = Array(datagram.data.readableBytesView)
        let address = datagram.remoteAddress
        let replyMetadata = datagram.replyMetadata
        let table = objects.withLock { $0 }
        let engineTime = Self.seconds(from: startedAt, to: configuration.now())
        let responder = self.responder
        let counters = self.counters
        Task {
            guard
                let reply = await responder.reply(
                    to: bytes, from: address, objects: table, engineTime: engineTime, lease: lease)
            else { return }
            counters.count(\.messagesSent)
            let envelope = AddressedEnvelope(
                remoteAddress: address, data: ByteBuffer(bytes: reply), metadata: replyMetadata)
            channel.writeAndFlush(envelope, promise: nil)
        }
    }

    private static func seconds(from start: ContinuousClock.Instant, to now: ContinuousClock.Instant) -> Int32
    {
        Int32(clamping: max((now - start).components.seconds, 0))
    }
}
