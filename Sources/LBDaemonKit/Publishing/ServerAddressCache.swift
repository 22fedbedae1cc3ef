import DNS
import Logging
import NIOCore

/// The socket addresses of the DNS servers a publisher writes to, looked up once and reused by
/// every publication.
///
/// A name is looked up at its first use, then again only when it is due: after
/// `refreshInterval`, or after a publication to it failed in a way a new address could mend (a
/// timeout, a refused connection), and then at most once per `retryInterval`. A lookup that fails
/// keeps the address already known. Each lookup that changes or cannot renew an address is logged.
/// Invariant: concurrent publications share one lookup per name.
actor ServerAddressCache {
    /// Looks a host up; `HostResolver.addresses` outside tests.
    typealias Resolve = @Sendable (_ host: String, _ port: Int) async throws -> [SocketAddress]

    private struct Entry {
        var address: SocketAddress
        var resolvedAt: ContinuousClock.Instant
        var suspect = false
    }

    private let resolve: Resolve
    private let now: @Sendable () -> ContinuousClock.Instant
    private let refreshInterval: Duration
    private let retryInterval: Duration
    private let logger: Logger
    private var entries: [ServerAddress: Entry] = [:]
    private var lookups: [ServerAddress: Task<[SocketAddress], any Error>] = [:]

    init(
        resolve: @escaping Resolve = { try await HostResolver.addresses(of: $0, port: $1) },
        now: @escaping @Sendable () -> ContinuousClock.Instant = { .now },
        refreshInterval: Duration = .seconds(3600), retryInterval: Duration = .seconds(30),
        logger: Logger
    ) {
        self.resolve = resolve
        self.now = now
        self.refreshInterval = refreshInterval
        self.retryInterval = retryInterval
        self.logger = logger
    }

    /// The address to send to `server`, looked up when due.
    ///
    /// - Throws: ``PublishingFailure`` when the name has no address and none is known yet.
    func address(of server: ServerAddress) async throws(PublishingFailure) -> SocketAddress {
        // An address literal needs no lookup, now or later.
        if let literal = try? SocketAddress(ipAddress: server.host, port: server.port) { return literal }
        if let entry = entries[server], !isDue(entry) { return entry.address }
        let found: [SocketAddress]
        do {
            found = try await lookUp(server)
        } catch {
            return try keepKnownAddress(of: server, after: error)
        }
        guard let address = found.first else {
            return try keepKnownAddress(
                of: server, after: PublishingFailure(.serverUnresolved, "\(server.host) has no address"))
        }
        record(address, for: server)
        return address
    }

    /// Marks the address of `server` as possibly outdated, after a publication to it failed in a
    /// way a new address could mend: the next use looks the name up again (once per
    /// `retryInterval` at most).
    func suspect(_ server: ServerAddress) {
        entries[server]?.suspect = true
    }

    private func isDue(_ entry: Entry) -> Bool {
        let age = entry.resolvedAt.duration(to: now())
        return age >= refreshInterval || (entry.suspect && age >= retryInterval)
    }

    private func lookUp(_ server: ServerAddress) async throws -> [SocketAddress] {
        if let running = lookups[server] { return try await running.value }
        let resolve = self.resolve
        let lookup = Task { try await resolve(server.host, server.port) }
        lookups[server] = lookup
        defer { lookups[server] = nil }
        return try await lookup.value
    }

    private func record(_ address: SocketAddress, for server: ServerAddress) {
        let previous = entries[server]?.address
        entries[server] = Entry(address: address, resolvedAt: now())
        guard previous != address else { return }
        var metadata: Logger.Metadata = ["server": "\(server)", "address": "\(address.endpointDescription)"]
        if let previous {
            metadata["previous"] = "\(previous.endpointDescription)"
            logger.notice("the DNS server's address changed", metadata: metadata)
        } else {
            logger.info("resolved the DNS server", metadata: metadata)
        }
    }

    private func keepKnownAddress(of server: ServerAddress, after error: any Error) throws(PublishingFailure)
        -> SocketAddress
    {
        let reason = (error as? PublishingFailure)?.description ?? "\(error)"
        guard var entry = entries[server] else {
            throw PublishingFailure(.serverUnresolved, "cannot resolve DNS server \(server): \(reason)")
        }
        // Tried now: the next attempt waits for the retry interval, not the next publication.
        entry.resolvedAt = now()
        entries[server] = entry
        logger.warning(
            "cannot resolve the DNS server again: keeping its last address",
            metadata: [
                "server": "\(server)", "address": "\(entry.address.endpointDescription)",
                "error": "\(reason)",
            ])
        return entry.address
    }
}
