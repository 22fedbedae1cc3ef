import DNS
import Logging
import NIOCore

/// Keeps a standby's embedded zones equal to the active instance's: at once, then every
/// `interval`, it asks the peer for the SOA serial of each zone (over UDP) and, when it is not
/// the one last followed or the zone was changed here since, transfers the zone by AXFR and
/// puts it in the store. So queries, IXFR to this server's own secondaries and their NOTIFYs
/// follow, and `saved` keeps the zones for a restart.
///
/// Invariant: the store only ever gets whole, checked zones (a transfer that fails, is out of
/// bounds or out of the zone changes nothing), and their serials only grow (`ZoneStore.replace`
/// gives a zone whose serial is not newer the current one + 1). A peer that is down or answers
/// garbage is logged (once per cause, then again every `repeatLogAfter`) and retried; a zone the
/// peer no longer serves is kept.
public actor ZoneFollower {
    /// What one pass did for one zone.
    public enum Outcome: Hashable, Sendable {
        /// The zone is the peer's version already.
        case upToDate(serial: UInt32)
        /// A new version was transferred; `serial` is the one stored (the peer's, unless ours
        /// was ahead).
        case transferred(serial: UInt32, records: Int)
        /// The peer is not authoritative for the zone (REFUSED, NOTAUTH, no SOA at the apex):
        /// ours is kept.
        case notServedByPeer(String)
        /// The peer is down, too slow, or sent something that is no valid transfer: ours is kept.
        case failed(String)
    }

    /// Timeouts and bounds of the exchanges with the peer.
    public struct Settings: Sendable {
        /// The time between two passes.
        public var interval: Duration
        /// How long the SOA query waits (with one retry).
        public var queryTimeout: Duration
        /// The deadline of one whole transfer.
        public var transferTimeout: Duration
        public var limits: ZoneTransferClient.Limits
        /// How often the same trouble is logged again while it lasts.
        public var repeatLogAfter: Duration

        public init(
            interval: Duration = .seconds(1), queryTimeout: Duration = .seconds(1),
            transferTimeout: Duration = .seconds(10), limits: ZoneTransferClient.Limits = .init(),
            repeatLogAfter: Duration = .seconds(60)
        ) {
            self.interval = interval
            self.queryTimeout = queryTimeout
            self.transferTimeout = transferTimeout
            self.limits = limits
            self.repeatLogAfter = repeatLogAfter
        }
    }

    /// The peer's version last put in the store, and the serial the store gave it.
    private struct Followed {
        var peerSerial: UInt32
        var storedSerial: UInt32
    }

    /// A trouble being logged: its kind (a new kind is logged at once) and when it last was.
    private struct Trouble {
        var kind: String
        var loggedAt: ContinuousClock.Instant
        var suppressed: Int
    }

    /// The peer's `dns.embedded.listen`.
    public nonisolated let peer: ServerAddress
    private let store: ZoneStore
    private let zones: @Sendable () async -> [DomainName]
    private let saved: @Sendable (ZoneStore) -> Void
    private let logger: Logger
    private let settings: Settings
    private let client: DNSClient
    private let transfers: ZoneTransferClient
    private let resolve: @Sendable (ServerAddress) async throws -> [SocketAddress]
    private var resolved: SocketAddress?
    private var followed: [DomainName: Followed] = [:]
    private var troubles: [DomainName: Trouble] = [:]
    private var peerTrouble: Trouble?

    /// - Parameters:
    ///   - zones: the origins to follow, asked at each pass (the served aliases change at reload).
    ///   - saved: called after each change of the store (the state directory keeps the zones).
    ///   - resolve: the peer's addresses; the first is used, and asked again after a failure.
    public init(
        peer: ServerAddress, store: ZoneStore, zones: @escaping @Sendable () async -> [DomainName],
        saved: @escaping @Sendable (ZoneStore) -> Void = { _ in }, logger: Logger,
        settings: Settings = Settings(), transfers: ZoneTransferClient = ZoneTransferClient(),
        resolve: @escaping @Sendable (ServerAddress) async throws -> [SocketAddress] = {
            try await HostResolver.addresses(of: $0.host, port: $0.port)
        }
    ) {
        self.peer = peer
        self.store = store
        self.zones = zones
        self.saved = saved
        self.logger = logger
        self.settings = settings
        self.client = DNSClient(options: DNSClient.Options(timeout: settings.queryTimeout, retries: 1))
        self.transfers = transfers
        self.resolve = resolve
    }

    /// Follows until the task is cancelled: a pass at once, then one every `interval`. No zone
    /// is put in the store after the cancellation is seen.
    public func run() async {
        logger.notice(
            "following the zones of the active instance at \(peer)", metadata: ["action": "follow-started"])
        while !Task.isCancelled {
            await synchronise()
            do {
                try await Task.sleep(for: settings.interval)
            } catch {
                break
            }
        }
        logger.notice(
            "stopped following the zones of \(peer)", metadata: ["action": "follow-stopped"])
    }

    /// One pass over the zones to follow; what it did for each.
    @discardableResult
    public func synchronise() async -> [DomainName: Outcome] {
        let origins = await zones()
        guard !origins.isEmpty else { return [:] }
        let server: SocketAddress
        do {
            server = try await peerAddress()
        } catch {
            let cause = "cannot resolve \(peer): \(error)"
            notePeerTrouble("resolve", cause)
            return Dictionary(origins.map { ($0, .failed(cause)) }, uniquingKeysWith: { first, _ in first })
        }
        var outcomes: [DomainName: Outcome] = [:]
        for (index, origin) in origins.enumerated() {
            guard !Task.isCancelled else { break }
            let (outcome, peerDown) = await synchronise(origin, from: server)
            outcomes[origin] = outcome
            if peerDown, case .failed(let cause) = outcome {
                // Every other zone would wait for the same timeout: the next pass tries again.
                resolved = nil
                notePeerTrouble("down", cause)
                for other in origins[(index + 1)...] { outcomes[other] = .failed(cause) }
                return outcomes
            }
            log(outcome, for: origin)
        }
        if peerTrouble != nil {
            logger.notice("the peer \(peer) answers again", metadata: ["action": "follow-resumed"])
            peerTrouble = nil
        }
        return outcomes
    }

    /// One zone; `peerDown` when the SOA query found nobody (a timeout or a refused
    /// connection), rather than this zone failing.
    private func synchronise(_ origin: DomainName, from server: SocketAddress) async -> (
        outcome: Outcome, peerDown: Bool
    ) {
        let peerSerial: UInt32
        do {
            let answer = try await client.query(origin, type: .soa, server: server).message
            guard answer.isAuthoritative,
                let record = answer.answers.first(where: { $0.name == origin && $0.type == .soa }),
                case .soa(let soa) = record.data
            else {
                return (.notServedByPeer("\(peer) has no SOA at \(origin)"), false)
            }
            peerSerial = soa.serial
        } catch let error as DNSClientError {
            switch error.code {
            case .responseCode(.notAuth), .responseCode(.refused), .responseCode(.nameError):
                return (.notServedByPeer("\(peer) answered \(error.responseCode!) to the SOA query"), false)
            case .timeout, .connectionFailed:
                return (.failed(error.message), true)
            default:
                return (.failed(error.message), false)
            }
        } catch {
            return (.failed("\(error)"), false)
        }
        let current = store.zone(origin)
        if let known = followed[origin], known.peerSerial == peerSerial,
            current?.soa.serial == known.storedSerial
        {
            return (.upToDate(serial: known.storedSerial), false)
        }
        let zone: Zone
        do {
            zone = try await transfers.transferZone(
                origin, from: server, timeout: settings.transferTimeout, limits: settings.limits)
        } catch let error as ZoneTransferError {
            // The active allows transfers by source address only (`dns.embedded.transfer_from`).
            let hint =
                error.code == .responseCode(.refused)
                ? " (is this instance's address in the peer's dns.embedded.transfer_from?)" : ""
            return (.failed(error.message + hint), false)
        } catch {
            return (.failed("\(error)"), false)
        }
        // stopFollowing() waits for this task: after it, nothing may change the store.
        guard !Task.isCancelled else { return (.failed("stopped"), false) }
        let stored = store.replace(zone)
        followed[origin] = Followed(peerSerial: zone.soa.serial, storedSerial: stored.soa.serial)
        if stored.soa.serial != current?.soa.serial { saved(store) }
        let count = zone.records.values.reduce(0) { $0 + $1.values.reduce(0) { $0 + $1.count } } + 1
        return (.transferred(serial: stored.soa.serial, records: count), false)
    }

    private func peerAddress() async throws -> SocketAddress {
        if let resolved { return resolved }
        guard let first = try await resolve(peer).first else {
            throw HostResolver.Failure(host: peer.host, reason: "no address")
        }
        resolved = first
        return first
    }

    private func log(_ outcome: Outcome, for origin: DomainName) {
        let serial = store.zone(origin).map { "serial \($0.soa.serial)" } ?? "no zone"
        switch outcome {
        case .upToDate:
            resolveTrouble(of: origin)
        case .transferred(let stored, let records):
            resolveTrouble(of: origin)
            logger.info(
                "\(origin): followed \(peer), serial \(stored) (\(records) records)",
                metadata: ["zone": "\(origin)", "action": "zone-followed", "serial": "\(stored)"])
        case .notServedByPeer(let cause):
            noteTrouble(
                of: origin, kind: "not-served",
                "\(origin): \(cause): the peer no longer serves it; keeping ours (\(serial))")
        case .failed(let cause):
            noteTrouble(
                of: origin, kind: "failed",
                "\(origin): cannot follow \(peer): \(cause); keeping ours (\(serial)) and retrying")
        }
    }

    private func noteTrouble(of origin: DomainName, kind: String, _ message: String) {
        let now = ContinuousClock.now
        if let trouble = troubles[origin], trouble.kind == kind,
            trouble.loggedAt.duration(to: now) < settings.repeatLogAfter
        {
            troubles[origin]?.suppressed += 1
            return
        }
        let again = troubles[origin].map { $0.suppressed > 0 ? " (\($0.suppressed) more since)" : "" } ?? ""
        logger.warning(
            "\(message)\(again)",
            metadata: ["zone": "\(origin)", "action": "follow-failed", "cause": "\(kind)"])
        troubles[origin] = Trouble(kind: kind, loggedAt: now, suppressed: 0)
    }

    private func resolveTrouble(of origin: DomainName) {
        guard troubles.removeValue(forKey: origin) != nil else { return }
        logger.notice(
            "\(origin): following \(peer) again", metadata: ["zone": "\(origin)", "action": "follow-resumed"])
    }

    private func notePeerTrouble(_ kind: String, _ cause: String) {
        let now = ContinuousClock.now
        if let trouble = peerTrouble, trouble.kind == kind,
            trouble.loggedAt.duration(to: now) < settings.repeatLogAfter
        {
            peerTrouble?.suppressed += 1
            return
        }
        let again = peerTrouble.map { $0.suppressed > 0 ? " (\($0.suppressed) more since)" : "" } ?? ""
        logger.warning(
            "cannot reach the peer \(peer): \(cause); serving the zones as they are and retrying\(again)",
            metadata: ["action": "follow-failed", "cause": "\(kind)"])
        peerTrouble = Trouble(kind: kind, loggedAt: now, suppressed: 0)
    }
}
