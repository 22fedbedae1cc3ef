import NIOCore
import NIOPosix
import Synchronization
import UDPReplySource

/// An SNMP agent (command responder) on UDP: it serves registered objects, read-only, to v1/v2c
/// communities and v3 USM users. Bound to `0.0.0.0` or `::`, it answers each request from the
/// address the request was sent to, as snmpd does.
///
/// A request whose values are at hand (constants, and providers registered with an `immediate`
/// value such as a cache) is answered at once by the thread reading the socket: the agent's own
/// UDP thread on Linux (``SNMPAgentConfiguration/datagramThread``), else NIO's event loop, with the
/// same answers either way. Any other is handled in
/// its own task, so a slow value provider delays only its own request; at most
/// `maximumConcurrentRequests` of those are handled at once and the rest are dropped.
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
public final class SNMPAgent: Sendable, DatagramOwner {
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
        case running(Transport, startedAt: ContinuousClock.Instant)
    }

    /// The socket being served: through NIO, or by a thread of its own.
    private enum Transport {
        case channel(any Channel)
        case worker(AgentUDPWorker)
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
            configuration: configuration, keyCache: keyCache, counters: counters, access: configuration.access
        )
    }

    deinit {
        switch state.withLock({ $0 }) {
        case .running(.channel(let channel), _):
            channel.close(promise: nil)
        case .running(.worker(let worker), _):
            // Not joined: this may run on the worker's own thread. It ends after its batch, and
            // the socket closes when the worker is freed.
            worker.requestStop()
        case .idle:
            break
        }
    }

    /// Serves `oid` with the values `provider` gives, replacing any provider it had.
    public func register(_ oid: OID, provider: @escaping ValueProvider) {
        objects.withLock { $0.register(oid, provider: provider) }
    }

    /// Serves `oid` with the value `immediate` gives when it has one at hand, else with the value
    /// `provider` gives. `immediate` runs on the socket's event loop for every GET of `oid`: it
    /// must return at once (read a cached value, never wait for one); returning `nil` hands the
    /// request to `provider` in a task of its own.
    public func register(
        _ oid: OID, immediate: @escaping @Sendable () -> SNMPValue?, provider: @escaping ValueProvider
    ) {
        objects.withLock { $0.register(oid, immediate: immediate, provider: provider) }
    }

    /// Serves `oid` with a fixed value.
    public func register(_ oid: OID, value: SNMPValue) {
        register(oid, immediate: { value }, provider: { value })
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
        return AuthoritativeEngine.time(from: startedAt, to: configuration.now())
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
        let transport: Transport
        let address: SocketAddress?
        // SO_REUSEADDR lets a restart bind its port again at once. Never on port 0: Linux's
        // choice of a free UDP port skips ports held by other SO_REUSEADDR sockets only when the
        // new socket does not set it, so two agents could be given the same port.
        let reuseAddress = configuration.port != 0
        if configuration.datagramThread, AgentUDPWorker.available {
            let (descriptor, wildcard) = try AgentUDPWorker.bind(
                host: configuration.host, port: configuration.port, reuseAddress: reuseAddress,
                receiveBuffer: Self.receiveBufferSize)
            let worker = AgentUDPWorker(
                descriptor: descriptor, wildcard: wildcard, agent: self, busyPoll: configuration.busyPoll)
            address = try? worker.localAddress()
            transport = .worker(worker)
        } else {
            let bootstrap = DatagramBootstrap(group: group)
                // NIO's default allocator cuts datagrams at 2,048 bytes.
                .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 65_536))
                // A poller sends bursts of requests; the default socket buffer drops past a few hundred.
                .channelOption(.socketOption(.so_rcvbuf), value: Self.receiveBufferSize)
            // On a wildcard address, answers leave from the address asked: pollers drop any other.
            let channel = try await UDPReplySource.bind(
                bootstrap, host: configuration.host, port: configuration.port, reuseAddress: reuseAddress
            ) { [weak self] channel in
                try channel.pipeline.syncOperations.addHandler(OwnedDatagramHandler(owner: self))
            }
            address = channel.localAddress
            transport = .channel(channel)
        }
        let alreadyRunning = state.withLock { state in
            if case .running = state { return true }
            state = .running(transport, startedAt: configuration.now())
            return false
        }
        if alreadyRunning {
            await Self.close(transport)
            throw SNMPAgentError(.alreadyRunning, "the SNMP agent is already running; stop() it first")
        }
        guard let address else {
            await stop()
            throw SNMPAgentError(.invalidPort, "the UDP socket has no local address")
        }
        if case .worker(let worker) = transport {
            do {
                try worker.start()
            } catch {
                await stop()
                throw error
            }
        }
        return address
    }

    /// The receive buffer asked for: a poller sends bursts of requests, and the default socket
    /// buffer drops past a few hundred.
    static let receiveBufferSize = 4 << 20

    private static func close(_ transport: Transport) async {
        switch transport {
        case .channel(let channel):
            try? await channel.close()
        case .worker(let worker):
            worker.join()
            worker.close()
        }
    }

    /// Closes the socket. Requests being handled finish, but their answers are not sent.
    public func stop() async {
        let transport = state.withLock { state -> Transport? in
            guard case .running(let transport, _) = state else { return nil }
            state = .idle
            return transport
        }
        if let transport { await Self.close(transport) }
    }

    private func validate(_ configuration: SNMPAgentConfiguration) throws(SNMPAgentError) {
        if let (code, message) = AuthoritativeEngine.problem(
            engineID: configuration.engineID, engineBoots: configuration.engineBoots,
            users: configuration.users,
            port: configuration.port)
        {
            throw SNMPAgentError(code, message)
        }
        guard configuration.maximumConcurrentRequests > 0, configuration.requestTimeout > .zero else {
            throw SNMPAgentError(
                .invalidLimit, "maximumConcurrentRequests and requestTimeout must be greater than zero")
        }
    }

    /// What becomes of one datagram: its answer (or nothing) at once, or, when a value provider
    /// must be awaited, a function that starts the task that answers it.
    enum AtOnce {
        case now([UInt8]?)
        /// Call with the function that sends the answer; it is called at most once, from a task.
        case later((@escaping @Sendable ([UInt8]) -> Void) -> Void)
    }

    /// Decodes, checks and answers one datagram whose values are at hand, counting it and its
    /// answer; the same for the NIO path and the UDP thread, so both answer alike.
    func answerAtOnce(_ bytes: [UInt8], from address: SocketAddress?) -> AtOnce {
        counters.count(\.datagramsReceived)
        guard case .running(_, let startedAt) = state.withLock({ $0 }) else { return .now(nil) }
        let table = objects.withLock { $0 }
        let engineTime = AuthoritativeEngine.time(from: startedAt, to: configuration.now())
        let pending: AgentResponder.PendingAnswer
        switch responder.prepare(bytes, from: address, objects: table, engineTime: engineTime) {
        case .finished(let reply):
            if reply != nil { counters.count(\.messagesSent) }
            return .now(reply)
        case .answer(let answer):
            // No task, no hop between threads: the common case of a poller reading a cached value.
            if let response = answer.responder.immediateResponse(to: answer.request) {
                let reply = responder.finish(answer, with: response)
                if reply != nil { counters.count(\.messagesSent) }
                return .now(reply)
            }
            pending = answer
        }
        guard let lease = slots.acquire() else {
            counters.count(\.droppedWhileBusy)
            return .now(nil)
        }
        let responder = self.responder
        let counters = self.counters
        return .later { send in
            Task {
                let response = await responder.respond(to: pending, lease: lease)
                guard let reply = responder.finish(pending, with: response) else { return }
                counters.count(\.messagesSent)
                send(reply)
            }
        }
    }

    /// Answers one datagram (called on the channel's event loop): at once when its values are at
    /// hand, otherwise in a task of its own.
    func handle(_ datagram: AddressedEnvelope<ByteBuffer>, on channel: any Channel) {
        let address = datagram.remoteAddress
        let replyMetadata = datagram.replyMetadata
        switch answerAtOnce(Array(datagram.data.readableBytesView), from: address) {
        case .now(let reply):
            Self.send(reply, to: address, metadata: replyMetadata, on: channel)
        case .later(let start):
            start { reply in Self.send(reply, to: address, metadata: replyMetadata, on: channel) }
        }
    }

    /// Sends `reply`, if any, back to the sender from the address it asked.
    private static func send(
        _ reply: [UInt8]?, to address: SocketAddress, metadata: AddressedEnvelope<ByteBuffer>.Metadata?,
        on channel: any Channel
    ) {
        guard let reply else { return }
        let envelope = AddressedEnvelope(
            remoteAddress: address, data: channel.allocator.buffer(bytes: reply), metadata: metadata)
        channel.writeAndFlush(envelope, promise: nil)
    }
}
