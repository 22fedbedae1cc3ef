import DNS
import Logging
import NIOCore

/// lbd's own authoritative DNS server for its aliases: a `ZoneStore` the `ZonePublisher` writes
/// and a `DNSServer` answers from, with NOTIFY to the configured secondaries.
///
/// Started with a `StateStore`, the server answers from the zones lbd last published (read from
/// the state directory before the first query is answered), keeps their serials growing, and
/// holds the first round and the NOTIFYs until `completeFirstRound(served:)`, so that a restart
/// never shows anyone a zone that is not complete.
public final class EmbeddedZoneServer: Sendable {
    public let store: ZoneStore
    public let publisher: ZonePublisher
    public let server: DNSServer
    /// Where the server listens (the port is the one bound, when 0 was asked for).
    public let address: SocketAddress

    private init(store: ZoneStore, publisher: ZonePublisher, server: DNSServer, address: SocketAddress) {
        self.store = store
        self.publisher = publisher
        self.server = server
        self.address = address
    }

    /// Starts the server `settings` describe. Throws when a name in the settings is invalid or
    /// the address cannot be bound.
    ///
    /// - Parameter state: the state directory. Its zones are loaded before the server answers;
    ///   the publisher then holds the first round and the store its observers (no NOTIFY) until
    ///   `completeFirstRound(served:)`; each change is written back to it. Without one, zones
    ///   start empty and every publication is applied and announced at once (`lbd demo`).
    public static func start(_ settings: EmbeddedDNSSettings, logger: Logger, state: StateStore? = nil)
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
            store: store,
            onNotify: { outcome in
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
        let publisher = ZonePublisher(
            store: store, layout: layout, apex: apex, holdingFirstRound: state != nil,
            changed: { store in state?.setZones(store.zones) })
        return EmbeddedZoneServer(store: store, publisher: publisher, server: server, address: address)
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

    public func stop() async {
        await server.stop()
    }
}
