import DNS
import Logging
import NIOCore

/// lbd's own authoritative DNS server for its aliases: a `ZoneStore` the `ZonePublisher` writes
/// and a `DNSServer` answers from, with NOTIFY to the configured secondaries.
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
    public static func start(_ settings: EmbeddedDNSSettings, logger: Logger) async throws
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
        logger.notice("serving DNS on \(address)", metadata: ["action": "listening"])
        return EmbeddedZoneServer(
            store: store, publisher: ZonePublisher(store: store, layout: layout, apex: apex), server: server,
            address: address)
    }

    public func stop() async {
        await server.stop()
    }
}
