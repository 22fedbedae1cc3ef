import DNS
import Logging
import NIOCore
import Synchronization

/// lbd's own authoritative DNS server for its aliases: a `ZoneStore` the `ZonePublisher` writes
/// and a `DNSServer` answers from, with NOTIFY to the configured secondaries.
///
/// Started with a `StateStore`, the server answers from the zones lbd last published (read from
/// the state directory before the first query is answered), keeps their serials growing, and
/// holds the first round and the NOTIFYs until `completeFirstRound(served:)`, so that a restart
/// never shows anyone a zone that is not complete.
///
/// On a standby, `follow(peer:aliases:logger:settings:)` makes it serve the active instance's
/// zones, transferred from the active's embedded server, until `stopFollowing(served:logger:)`
/// at takeover; its own publications then continue from those zones with growing serials.
public final class EmbeddedZoneServer: Sendable {
    public let store: ZoneStore
    public let publisher: ZonePublisher
    public let server: DNSServer
    /// Where the server listens (the port is the one bound, when 0 was asked for).
    public let address: SocketAddress
    /// Writes the zones to the state directory (nothing without one).
    private let saveZones: @Sendable (ZoneStore) -> Void
    /// The task of the `ZoneFollower` while this instance is a standby following the active.
    private let following = Mutex<Task<Void, Never>?>(nil)

    private init(
        store: ZoneStore, publisher: ZonePublisher, server: DNSServer, address: SocketAddress,
        saveZones: @escaping @Sendable (ZoneStore) -> Void
    ) {
        self.store = store
        self.publisher = publisher
        self.server = server
        self.address = address
        self.saveZones = saveZones
    }

    /// Starts the server `settings` describe. Throws when a name in the settings is invalid or
    /// the address cannot be bound.
    ///
    /// - Parameter state: the state directory. Its zones are loaded before the server answers;
    ///   the publisher then holds the first round and the store its observers (no NOTIFY) until
    ///   `completeFirstRound(served:)`; each change is written back to it. Without one, zones
    ///   start empty and every publication is applied and announced at once (`lbd demo`).
    /// - Parameter onNotify: told what became of each NOTIFY (the metrics).
    /// - Parameter dynamicText: TXT answers computed at query time (`ExplainTXT`, when
    ///   `settings.explain` is on).
    public static func start(
        _ settings: EmbeddedDNSSettings, logger: Logger, state: StateStore? = nil,
        onNotify: @escaping @Sendable (ZoneNotification) -> Void = { _ in },
        dynamicText: AuthoritativeResponder.DynamicText? = nil
    )
        async throws
        -> EmbeddedZoneServer
    {
        let layout: AliasZoneLayout =
            try settings.zone.map { .sharedZone(try DomainName(parsing: $0)) } ?? .zonePerAlias
        let nameServer = try DomainName(parsing: settings.nameServer)
        let apex = ZoneApexTemplate(
            primaryServer: nameServer, responsibleMailbox: try DomainName(parsing: settings.mailbox),
            nameServers: [nameServer])
        var notifyTargets: [SocketAddress] = []
        for target in settings.notify {
            notifyTargets += try await HostResolver.addresses(of: target.host, port: target.port).prefix(1)
        }
        let store = ZoneStore()
        if let state {
            // Before the server answers its first query: a restart serves the last state.
            for zone in state.load() { store.replace(zone) }
            // Nobody hears of a zone until the first round is complete, the loaded ones included.
            store.suspendObservers()
        }
        let server = DNSServer(
            configuration: DNSServerConfiguration(
                host: settings.listen.host, port: settings.listen.port,
                transferSources: Set(settings.transferFrom), notifyTargets: notifyTargets),
            store: store, responder: AuthoritativeResponder(dynamicText: dynamicText),
            onNotify: { outcome in
                onNotify(outcome)
                if let error = outcome.error {
                    logger.warning(
                        "NOTIFY of \(outcome.zone) serial \(outcome.serial) to \(outcome.target) failed: \(error)"
                    )
                } else {
                    logger.debug(
                        "NOTIFY of \(outcome.zone) serial \(outcome.serial) to \(outcome.target) acknowledged"
                    )
                }
            })
        let address = try await server.start()
        logger.notice("serving DNS on \(address.endpointDescription)", metadata: ["action": "listening"])
        let saveZones: @Sendable (ZoneStore) -> Void = { store in state?.setZones(store.zones) }
        let publisher = ZonePublisher(
            store: store, layout: layout, apex: apex, holdingFirstRound: state != nil, changed: saveZones)
        return EmbeddedZoneServer(
            store: store, publisher: publisher, server: server, address: address, saveZones: saveZones)
    }

    /// Ends the first round after a start (every served alias evaluated once): applies its
    /// changes in one new version per zone, withdraws the aliases of the loaded state that
    /// `served` (alias names) no longer has, and sends the NOTIFYs held until now.
    public func completeFirstRound(served: Set<String>, logger: Logger) {
        guard publisher.isHoldingFirstRound else { return }
        let withdrawn = publisher.completeFirstRound(served: served)
        for alias in withdrawn {
            logger.notice(
                "\(alias): in the published state but no longer served: withdrawn",
                metadata: ["alias": "\(alias)", "action": "withdrawn"])
        }
        logger.notice(
            "first round complete: serving \(store.zones.count) zone(s), NOTIFY resumed",
            metadata: ["action": "first-round-complete", "zones": "\(store.zones.count)"])
    }

    /// Whether a `ZoneFollower` keeps the zones (`follow(peer:aliases:logger:settings:)`).
    public var isFollowing: Bool {
        following.withLock { $0 != nil }
    }

    /// Makes this server a copy of the active instance's (call when this instance becomes the
    /// standby): a `ZoneFollower` transfers the zones the layout gives (the shared zone, or the
    /// zone of each alias `aliases` returns, asked at each pass) from `peer`, the active's
    /// `dns.embedded.listen`, at once and then every second, until `stopFollowing(served:logger:)`.
    /// The publisher leaves the zones to it meanwhile. The peer must allow this instance's
    /// address in its `transfer_from`. Following again restarts the follower.
    public func follow(
        peer: ServerAddress, aliases: @escaping @Sendable () async -> Set<String> = { [] }, logger: Logger,
        settings: ZoneFollower.Settings = ZoneFollower.Settings()
    ) async {
        await stopFollowerTask()
        let layout = publisher.layout
        let follower = ZoneFollower(
            peer: peer, store: store,
            zones: {
                switch layout {
                case .sharedZone(let origin): return [origin]
                case .zonePerAlias:
                    return await aliases().sorted().compactMap { try? DomainName(alias: $0) }
                }
            }, saved: saveZones, logger: logger, settings: settings)
        publisher.beginFollowing()
        following.withLock { $0 = Task { await follower.run() } }
    }

    /// Stops following (call when this instance becomes the active, before it publishes): when
    /// it returns no transfer changes the zones any more, and the publisher continues from the
    /// followed zones, each next version with a serial above the followed one. With `served`
    /// (alias names), the aliases the followed zones hold but this configuration does not serve
    /// are withdrawn and zones of their own get this instance's apex (after the first round
    /// only; before, its completion does that).
    public func stopFollowing(served: Set<String>?, logger: Logger) async {
        guard await stopFollowerTask() else { return }
        let withdrawn = publisher.endFollowing(served: served)
        for alias in withdrawn {
            logger.notice(
                "\(alias): in the followed zones but not served here: withdrawn",
                metadata: ["alias": "\(alias)", "action": "withdrawn"])
        }
        logger.notice(
            "publishing from the followed zones: \(store.zones.count) zone(s)",
            metadata: ["action": "follow-ended", "zones": "\(store.zones.count)"])
    }

    /// Cancels the follower and waits for it; whether this call ended it. The task stays
    /// `isFollowing` until it has ended, so that a concurrent caller (two publications at
    /// takeover) waits for it too instead of writing beside its last transfer.
    @discardableResult
    private func stopFollowerTask() async -> Bool {
        guard let task = following.withLock({ $0 }) else { return false }
        task.cancel()
        await task.value
        return following.withLock { current in
            guard current == task else { return false }
            current = nil
            return true
        }
    }

    public func stop() async {
        await stopFollowerTask()
        await server.stop()
    }
}
