import DNS
import Foundation
import LBCore
import Synchronization

/// Publishes aliases into the `ZoneStore` the embedded `DNSServer` answers from, in one of the
/// `AliasZoneLayout`s. A changed zone gets a new serial from the store, and the server sends
/// NOTIFYs to its secondaries.
///
/// After a restart the publisher holds the first round (`holdingFirstRound`): the store keeps
/// serving what it was loaded with, and the publications and withdrawals of the first round are
/// only collected; `completeFirstRound(served:)` applies them together, one new version per
/// changed zone, withdraws what the configuration no longer serves, and lets the store's
/// observers (the NOTIFYs) go. So neither lbd nor its secondaries ever see a zone built one
/// alias at a time.
///
/// Invariant: a zone is replaced only when the alias's addresses or TTL (or, for a zone of its
/// own, the apex) differ, so an unchanged publication never moves a serial; and changes are made
/// one at a time, so aliases sharing a zone never overwrite each other's records.
public final class ZonePublisher: Publisher {
    /// The `PublicationResult.target` of every result.
    public static let target = "embedded zone"

    /// A change of the first round, applied when the round is complete.
    private enum StagedChange: Equatable {
        case publish(PublishedRecords)
        case withdraw
    }

    public let layout: AliasZoneLayout
    public let apex: ZoneApexTemplate
    private let store: ZoneStore
    private let serial: @Sendable () -> UInt32
    private let changed: @Sendable (ZoneStore) -> Void
    /// Held from reading a zone to replacing it: `ZoneStore.replace` is atomic, but reading and
    /// then replacing is not. Holds the first round's changes while it is held (nil after).
    private let writing: Mutex<[DomainName: StagedChange]?>
    /// Whether a `ZoneFollower` keeps the zones (a standby): changed under `writing` only.
    private let following = Atomic<Bool>(false)

    /// - Parameters:
    ///   - serial: the serial a new zone version asks for; the Unix time by default (the store
    ///     takes the current serial + 1 when this one is not greater, so serials only grow, even
    ///     when the clock goes back).
    ///   - holdingFirstRound: collect the publications until `completeFirstRound(served:)`
    ///     instead of applying them at once.
    ///   - changed: called after each change of the store, under the publisher's lock (so calls
    ///     come in the order of the changes): the state directory keeps the zones from it.
    public init(
        store: ZoneStore, layout: AliasZoneLayout, apex: ZoneApexTemplate,
        serial: @escaping @Sendable () -> UInt32 = {
            UInt32(truncatingIfNeeded: Int(Date().timeIntervalSince1970))
        },
        holdingFirstRound: Bool = false, changed: @escaping @Sendable (ZoneStore) -> Void = { _ in }
    ) {
        self.store = store
        self.layout = layout
        self.apex = apex
        self.serial = serial
        self.changed = changed
        self.writing = Mutex(holdingFirstRound ? [:] : nil)
    }

    /// Whether the first round is still being collected.
    public var isHoldingFirstRound: Bool {
        writing.withLock { $0 != nil }
    }

    /// Whether the zones are a follower's (`beginFollowing()`), not this publisher's.
    public var isFollowing: Bool {
        following.load(ordering: .acquiring)
    }

    /// The zones become a `ZoneFollower`'s, copies of the active instance's: until
    /// `endFollowing(served:)` withdrawals change nothing, and completing the first round only
    /// ends the hold (its changes are dropped; nothing is withdrawn or given this apex), so that
    /// the followed zones are what is served.
    public func beginFollowing() {
        writing.withLock { _ in following.store(true, ordering: .releasing) }
    }

    /// The zones are this publisher's again (a standby taking over): each next change builds on
    /// the followed zones, and the store gives it a serial above theirs. With `served` (alias
    /// names, as configured), the aliases the followed zones hold but `served` does not are
    /// withdrawn and zones of their own get the configured apex, as at the end of a first round;
    /// returns the aliases withdrawn. During the first round the round's completion does that.
    @discardableResult
    public func endFollowing(served: Set<String>?) -> [String] {
        writing.withLock { staged in
            following.store(false, ordering: .releasing)
            guard staged == nil, let served else { return [] }
            let withdrawn: [String]
            switch layout {
            case .zonePerAlias: withdrawn = completeZonesPerAlias([:], served: served)
            case .sharedZone(let origin): withdrawn = completeSharedZone(origin, [:], served: served)
            }
            refreshApexes()
            changed(store)
            return withdrawn
        }
    }

    public func publish(_ publication: Publication, dryRun: Bool) async -> [PublicationResult] {
        [apply(publication, dryRun: dryRun)]
    }

    /// Stops publishing `alias`, dropped from the configuration: its zone goes, or in a shared
    /// zone its A and AAAA records. Returns whether there was anything to remove. During the
    /// first round the withdrawal waits for `completeFirstRound(served:)`.
    @discardableResult
    public func withdraw(alias: String) -> Bool {
        guard let name = try? DomainName(alias: alias), let origin = layout.origin(of: name) else {
            return false
        }
        return writing.withLock { staged in
            if following.load(ordering: .acquiring) { return false }
            if var changes = staged {
                let shown: PublishedRecords?
                switch changes[name] {
                case .publish(let records)?: shown = records
                case .withdraw?: shown = nil
                case nil: shown = store.zone(origin).map { self.shown(name, in: $0) }
                }
                changes[name] = .withdraw
                staged = changes
                guard let shown else { return false }
                return layout == .zonePerAlias || !shown.addresses.isEmpty
            }
            let removed = withdrawNow(name, origin: origin)
            if removed { changed(store) }
            return removed
        }
    }

    /// Ends the first round: applies its publications and withdrawals (one new version per
    /// zone), withdraws the aliases the loaded state holds but `served` (alias names, as
    /// configured) does not, brings every zone of its own to the configured apex, and resumes
    /// the store's observers, which sends the NOTIFYs. Returns the aliases withdrawn because
    /// they are no longer served. Does nothing (returns []) when the round is not held. While
    /// following, it only drops the round's changes and resumes the observers.
    @discardableResult
    public func completeFirstRound(served: Set<String>) -> [String] {
        let withdrawn = writing.withLock { staged -> [String]? in
            guard let changes = staged else { return nil }
            staged = nil
            // The followed zones are the active instance's: they stay as they are.
            if following.load(ordering: .acquiring) { return [] }
            let withdrawn: [String]
            switch layout {
            case .zonePerAlias: withdrawn = completeZonesPerAlias(changes, served: served)
            case .sharedZone(let origin): withdrawn = completeSharedZone(origin, changes, served: served)
            }
            refreshApexes()
            changed(store)
            return withdrawn
        }
        guard let withdrawn else { return [] }
        store.resumeObservers()
        return withdrawn
    }

    private func apply(_ publication: Publication, dryRun: Bool) -> PublicationResult {
        let alias: DomainName
        do {
            alias = try DomainName(alias: publication.alias)
        } catch {
            return PublicationResult(target: Self.target, previous: nil, action: .failed(error))
        }
        guard let origin = layout.origin(of: alias) else {
            return PublicationResult(
                target: Self.target, previous: nil,
                action: .failed(
                    PublishingFailure(
                        .outsideZone, "\(alias) is outside the zone the aliases are published in")))
        }
        let wanted = PublishedRecords(publication)
        return writing.withLock { staged in
            let current = store.zone(origin)
            let stagedChange = staged?[alias]
            let shown: PublishedRecords?
            switch stagedChange {
            case .publish(let records)?: shown = records
            case .withdraw?: shown = nil
            case nil: shown = current.map { self.shown(alias, in: $0) }
            }
            let result = { (action: PublicationResult.Action) in
                PublicationResult(
                    target: Self.target, previous: shown?.addresses ?? [], previousTTL: shown?.ttl,
                    action: action)
            }
            if stagedChange == .publish(wanted) { return result(.unchanged) }
            if stagedChange == nil, let current, shown == wanted, hasWantedApex(current) {
                return result(.unchanged)
            }
            if dryRun { return result(.wouldUpdate) }
            if staged != nil {
                staged?[alias] = .publish(wanted)
                return result(.updated)
            }
            do {
                try publishNow(wanted, at: alias, origin: origin)
                changed(store)
                return result(.updated)
            } catch {
                return result(.failed(PublishingFailure(.zone, "cannot build zone \(origin): \(error)")))
            }
        }
    }

    /// The alias's addresses as `zone` shows them.
    private func shown(_ alias: DomainName, in zone: Zone) -> PublishedRecords {
        PublishedRecords(Self.addressRecords(of: alias, in: zone), at: alias)
    }

    /// Puts `records` at `alias` in the store now.
    private func publishNow(_ records: PublishedRecords, at alias: DomainName, origin: DomainName) throws {
        let base: Zone
        switch layout {
        case .zonePerAlias: base = try emptyZone(origin)
        case .sharedZone: base = try store.zone(origin) ?? emptyZone(origin)
        }
        store.replace(
            try Self.zone(base, replacingAddressesOf: alias, by: records.records(at: alias), serial: serial())
        )
    }

    /// Takes `alias` out of the store now; whether there was anything to remove.
    private func withdrawNow(_ alias: DomainName, origin: DomainName) -> Bool {
        switch layout {
        case .zonePerAlias:
            return store.remove(origin)
        case .sharedZone:
            guard let zone = store.zone(origin), !shown(alias, in: zone).addresses.isEmpty,
                let replacement = try? Self.zone(zone, replacingAddressesOf: alias, by: [], serial: serial())
            else { return false }
            store.replace(replacement)
            return true
        }
    }

    /// The first round's changes for zones of their own, and the withdrawal of the zones of
    /// aliases not served; the aliases withdrawn, sorted.
    private func completeZonesPerAlias(_ changes: [DomainName: StagedChange], served: Set<String>) -> [String]
    {
        for (alias, change) in changes {
            switch change {
            case .publish(let records): try? publishNow(records, at: alias, origin: alias)
            case .withdraw: _ = withdrawNow(alias, origin: alias)
            }
        }
        var withdrawn: [String] = []
        for origin in store.zones.keys where !served.contains(origin.normalised) {
            if store.remove(origin) { withdrawn.append(origin.normalised) }
        }
        return withdrawn.sorted()
    }

    /// The first round's changes in the shared zone and the withdrawal of the aliases not
    /// served, as one new version of the zone; the aliases withdrawn, sorted.
    private func completeSharedZone(
        _ origin: DomainName, _ changes: [DomainName: StagedChange], served: Set<String>
    ) -> [String] {
        var withdrawn: [String] = []
        // Zones of the other layout, loaded from an older configuration, are not lbd's any more.
        for other in store.zones.keys where other != origin {
            if store.remove(other) { withdrawn.append(other.normalised) }
        }
        guard var zone = store.zone(origin) ?? (changes.isEmpty ? nil : try? emptyZone(origin)) else {
            return withdrawn.sorted()
        }
        for (alias, change) in changes {
            var records: [ResourceRecord] = []
            if case .publish(let wanted) = change { records = wanted.records(at: alias) }
            zone = (try? Self.zone(zone, replacingAddressesOf: alias, by: records, serial: serial())) ?? zone
        }
        let names = zone.records.filter { $0.value[.a] != nil || $0.value[.aaaa] != nil }.keys
        for name in names where !served.contains(name.normalised) {
            guard let without = try? Self.zone(zone, replacingAddressesOf: name, by: [], serial: serial())
            else {
                continue
            }
            zone = without
            withdrawn.append(name.normalised)
        }
        store.replace(zone)
        return withdrawn.sorted()
    }

    /// Gives every zone of its own the configured apex, so that a changed name server or
    /// mailbox reaches the aliases whose addresses did not change (a `keep` alias, say).
    private func refreshApexes() {
        guard case .zonePerAlias = layout else { return }
        for zone in store.zones.values where !apex.isApex(of: zone) {
            guard let base = try? emptyZone(zone.origin),
                let refreshed = try? Self.zone(
                    base, replacingAddressesOf: zone.origin,
                    by: Self.addressRecords(of: zone.origin, in: zone), serial: serial())
            else { continue }
            store.replace(refreshed)
        }
    }

    /// Whether `zone` has the apex this publisher gives it: a zone of its own takes the
    /// template's (so a changed template reaches every alias); a shared zone keeps its own.
    private func hasWantedApex(_ zone: Zone) -> Bool {
        switch layout {
        case .zonePerAlias: return apex.isApex(of: zone)
        case .sharedZone: return true
        }
    }

    /// A zone with the template's apex and nothing else.
    private func emptyZone(_ origin: DomainName) throws -> Zone {
        try Zone(
            origin: origin, soa: apex.soa(serial: serial()), soaTTL: apex.ttl,
            records: apex.nameServerRecords(at: origin))
    }

    /// `zone` with the A and AAAA records of `name` replaced by `records`, asking for `serial`.
    private static func zone(
        _ zone: Zone, replacingAddressesOf name: DomainName, by records: [ResourceRecord], serial: UInt32
    ) throws -> Zone {
        let kept = zone.recordsWithoutSOA.filter { $0.name != name || ($0.type != .a && $0.type != .aaaa) }
        return try Zone(
            origin: zone.origin, soa: zone.withSerial(serial).soa, soaTTL: zone.soaTTL,
            records: kept + records)
    }

    private static func addressRecords(of name: DomainName, in zone: Zone) -> [ResourceRecord] {
        zone.recordSet(name, .a) + zone.recordSet(name, .aaaa)
    }
}
