import LBCore
import Logging
import NIOCore
import SNMP
import ServiceLifecycle
import Synchronization

/// The push fast path (`snmp.notifications`): listens for the INFORMs (or v2c traps) nodes send
/// when their answer changes and re-polls the sender at once, so that a drained node leaves DNS
/// in a second rather than at its alias's next scheduled poll.
///
/// A notification is only a hint: its content is never read. Its source address must be the
/// resolved address of a member node (any other is counted as `unknown_source` and dropped before
/// it is even decoded), its credentials those lbd polls with; then the engine polls that node with
/// an authenticated GET and decides again every alias it is a member of (`EvaluationEngine.
/// refresh(nodes:)`). `PushLimiter` keeps a flapping node to one re-poll per `per_node_interval`
/// and all of them to `max_per_second`, without losing a node's last change.
///
/// A standby re-polls too: the engine's leadership gate decides who publishes.
public final class NotificationService: Service, Sendable {
    private let settings: SNMPSettings
    private let listen: ServerAddress
    private let engine: EvaluationEngine
    private let logger: Logger
    private let now: @Sendable () -> ContinuousClock.Instant
    private let counters: PushCounters
    private let unknownSources: UnknownSourceLog
    private let engineID: [UInt8]
    private let state = Mutex<(listener: SNMPNotificationListener?, address: SocketAddress?)>((nil, nil))

    /// - Parameters:
    ///   - settings: lbd's SNMP settings: `notifications.listen` must be set; the credentials are
    ///     those the listener accepts.
    ///   - metrics: where the `lbd_push_*` series go; none when nil.
    ///   - now: the clock the limits count on.
    ///   - engineID: the listener's snmpEngineID; a new random one by default, so that an INFORM
    ///     captured before a restart cannot be replayed after it.
    public init(
        settings: SNMPSettings, engine: EvaluationEngine, metrics: LBDMetrics?, logger: Logger,
        now: @escaping @Sendable () -> ContinuousClock.Instant = { .now },
        engineID: [UInt8] = SNMPAgentConfiguration.generateEngineID()
    ) {
        self.settings = settings
        self.listen =
            settings.notifications.listen
            ?? ServerAddress(host: "127.0.0.1", port: SNMPNotificationSettings.defaultPort)
        self.engine = engine
        self.logger = logger
        self.now = now
        self.engineID = engineID
        counters = PushCounters(metrics: metrics)
        unknownSources = UnknownSourceLog(logger: logger, now: now)
    }

    /// The address the listener is bound to, once it listens (with the port the system chose
    /// when the configured one is 0).
    public var address: SocketAddress? { state.withLock { $0.address } }

    /// What was received and re-polled so far, the listener's drops included.
    public var statistics: PushStatistics {
        absorbListenerStatistics()
        return counters.snapshot
    }

    public func run() async throws {
        let listener = SNMPNotificationListener(configuration: listenerConfiguration())
        let bound: SocketAddress
        do {
            bound = try await listener.start()
        } catch {
            logger.error(
                "cannot listen for SNMP notifications on \(listen): \(error)", metadata: ["action": "push"])
            throw error
        }
        state.withLock { $0 = (listener, bound) }
        logger.notice(
            "listening for SNMP notifications (push) on \(ServerAddress(host: listen.host, port: bound.port ?? listen.port))",
            metadata: [
                "action": "push", "per_node_interval": "\(settings.notifications.perNodeInterval)s",
                "max_per_second": "\(settings.notifications.maximumPerSecond)",
            ])
        let absorber = Task { [weak self] in
            // The listener's drops reach the metrics within seconds even when nothing is accepted.
            while (try? await Task.sleep(for: .seconds(2))) != nil { self?.absorbListenerStatistics() }
        }
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                await serve(listener)
            } onCancel: {
                Task { await listener.stop() }
            }
        } onGracefulShutdown: {
            Task { await listener.stop() }
        }
        absorber.cancel()
        absorbListenerStatistics()
        logger.notice("stopped listening for SNMP notifications", metadata: ["action": "push"])
    }

    /// Reads notifications until the listener stops, then lets the re-polls under way finish.
    private func serve(_ listener: SNMPNotificationListener) async {
        let notifications = settings.notifications
        let (batches, batchesContinuation) = AsyncStream.makeStream(of: [String].self)
        let dispatcher = PushDispatcher(
            limiter: PushLimiter(
                perNodeInterval: .milliseconds(Int64((notifications.perNodeInterval * 1000).rounded())),
                maximumPerSecond: notifications.maximumPerSecond,
                // Five seconds of re-polls at most: later ones would not be a fast path any more.
                queueCapacity: max(16, 5 * notifications.maximumPerSecond)),
            now: now, start: { batchesContinuation.yield($0) })
        // Discarding: lbd runs for months, and a plain group keeps every finished re-poll's task
        // until it is awaited.
        await withDiscardingTaskGroup { group in
            group.addTask {
                for await notification in listener.notifications {
                    await self.take(notification, dispatcher: dispatcher)
                }
                await dispatcher.finish()
                batchesContinuation.finish()
            }
            for await batch in batches {
                group.addTask { await self.repoll(batch) }
            }
        }
    }

    /// Maps an accepted notification to its nodes and hands them to the limiter.
    private func take(_ notification: SNMPNotification, dispatcher: PushDispatcher) async {
        let address = NodeAddress(notification.source).map(Self.unmapped)
        let nodes = address.map { engine.addressBook.nodes(at: $0) } ?? []
        var members: [String] = []
        for node in nodes where await !engine.aliases(ofMember: node).isEmpty { members.append(node) }
        guard !members.isEmpty else {
            // Known when the listener let it in, but no member since (a reload).
            counters.notification("unknown_source")
            unknownSources.note(
                Self.describe(notification.source), address: address,
                because: "no member node has this address")
            return
        }
        counters.notification("accepted")
        let outcomes = await dispatcher.notify(members)
        for (node, outcome) in zip(members, outcomes) {
            counters.limited(outcome)
            if outcome == .coalesced || outcome == .dropped {
                logger.debug(
                    "push from \(node): \(outcome == .dropped ? "dropped, the re-poll queue is full" : "coalesced into the next re-poll")",
                    metadata: ["action": "push", "node": "\(node)"])
            }
        }
    }

    private func repoll(_ nodes: [String]) async {
        counters.repolled(nodes.count)
        for node in nodes {
            let aliases = await engine.aliases(ofMember: node)
            logger.info(
                "push from \(node): re-polling \(aliases.count) alias(es)",
                metadata: [
                    "action": "push", "node": "\(node)", "aliases": "\(aliases.joined(separator: " "))",
                ])
        }
        await engine.refresh(nodes: Set(nodes))
    }

    private func listenerConfiguration() -> SNMPNotificationListenerConfiguration {
        var users: [USMUser] = []
        var communities: [String] = []
        switch SNMPNodeProbe.credentials(settings) {
        case .user(let user): users = [user]
        case .community(let community, _): communities = [community]
        }
        let book = engine.addressBook
        let unknownSources = self.unknownSources
        return SNMPNotificationListenerConfiguration(
            host: listen.host, port: listen.port, users: users, communities: communities, engineID: engineID,
            acceptsSource: { source in
                // Before decoding, so that an unknown source costs no cryptography and gets no Report.
                let address = NodeAddress(source).map(Self.unmapped)
                if let address, !book.nodes(at: address).isEmpty { return true }
                unknownSources.note(
                    Self.describe(source), address: address, because: "no member node has this address")
                return false
            }, now: now)
    }

    private func absorbListenerStatistics() {
        guard let listener = state.withLock({ $0.listener }) else { return }
        counters.absorb(listener.statistics)
    }

    /// An IPv4 address as an IPv6 socket on `::` receives it (`::ffff:a.b.c.d`) is the IPv4
    /// address the book holds.
    static func unmapped(_ address: NodeAddress) -> NodeAddress {
        if case .ipv6(let high, let low) = address, high == 0, low >> 32 == 0xFFFF {
            return .ipv4(UInt32(truncatingIfNeeded: low))
        }
        return address
    }

    private static func describe(_ source: SocketAddress) -> String {
        source.ipAddress ?? "\(source)"
    }
}
