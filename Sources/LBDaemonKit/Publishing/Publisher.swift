import LBCore

/// What lbd wants an alias to resolve to after one evaluation.
public struct Publication: Hashable, Sendable {
    /// The alias, lower-cased, without the trailing dot (`AliasConfiguration.name`).
    public var alias: String
    /// The addresses chosen, in decision order; empty means the alias gets no A or AAAA record.
    public var addresses: [NodeAddress]
    /// The TTL of the records, in seconds.
    public var ttl: Int
    /// Whether the alias is also published in the external view.
    public var external: Bool
    /// The lease's fencing token (`ha.mode: lease`): RFC 2136 UPDATEs carry it as a
    /// prerequisite, so that the DNS server refuses an instance that lost the lease.
    public var fencingToken: Int64?
    /// The partition whose lease the token belongs to: tokens of different partitions are not
    /// comparable, so each partition has a fence of its own. Nil is the default partition.
    public var fencingPartition: String?
    /// The decision the addresses come from, member by member (loads, ranks, why not chosen):
    /// what a publisher that weighs members needs (HAProxy). Nil when the publication was not
    /// decided by the engine (tests, a state replay).
    public var decision: Decision?

    public init(
        alias: String, addresses: [NodeAddress], ttl: Int, external: Bool = false, fencingToken: Int64? = nil,
        fencingPartition: String? = nil, decision: Decision? = nil
    ) {
        self.decision = decision
        self.alias = alias
        self.addresses = addresses
        self.ttl = ttl
        self.external = external
        self.fencingToken = fencingToken
        self.fencingPartition = fencingPartition
    }
}

/// What a publisher did, or would do, with a publication in one place it writes to.
public struct PublicationResult: Hashable, Sendable {
    public enum Action: Hashable, Sendable {
        /// The place already showed the publication.
        case unchanged
        /// The place was changed to show it.
        case updated
        /// Dry run: the place would have been changed.
        case wouldUpdate
        /// Reading or changing the place failed (after the retries); the failure says why.
        case failed(PublishingFailure)
    }

    /// Where: `internal view`, `external view`, `embedded zone`...
    public var target: String
    /// The addresses the place showed before, sorted; nil when they could not be read.
    public var previous: [NodeAddress]?
    /// The TTL the place showed before; nil when unknown or no record.
    public var previousTTL: Int?
    public var action: Action

    public init(target: String, previous: [NodeAddress]?, previousTTL: Int? = nil, action: Action) {
        self.target = target
        self.previous = previous
        self.previousTTL = previousTTL
        self.action = action
    }
}

/// Where lbd's decisions go: DNS servers by RFC 2136 UPDATE, the embedded DNS server, HAProxy.
///
/// A publisher never throws: a failure is a `.failed` result, so that a DNS server that is down
/// delays only the publishing of the aliases it serves, never the polling.
public protocol Publisher: Sendable {
    /// Makes `publication.alias` resolve to `publication.addresses` wherever this publisher
    /// writes, and tells what it did per place. With `dryRun`, reads what is there and reports
    /// `.wouldUpdate` instead of changing anything.
    func publish(_ publication: Publication, dryRun: Bool) async -> [PublicationResult]
}
