import DNS
import Foundation
import LBCore
import Synchronization

/// Publishes aliases into the `ZoneStore` the embedded `DNSServer` answers from, in one of the
/// `AliasZoneLayout`s. A changed zone gets a new serial from the store, and the server sends
/// NOTIFYs to its secondaries.
///
/// Invariant: a zone is replaced only when the alias's addresses or TTL (or, for a zone of its
/// own, the apex) differ, so an unchanged publication never moves a serial; and changes are made
/// one at a time, so aliases sharing a zone never overwrite each other's records.
public final class ZonePublisher: Publisher {
    /// The `PublicationResult.target` of every result.
    public static let target = "embedded zone"

    public let layout: AliasZoneLayout
    public let apex: ZoneApexTemplate
    private let store: ZoneStore
    private let serial: @Sendable () -> UInt32
    /// Held from reading a zone to replacing it: `ZoneStore.replace` is atomic, but reading and
    /// then replacing is not.
    private let writing = Mutex(())

    /// - Parameter serial: the serial a new zone version asks for; the Unix time by default, so
    ///   that after a restart serials still grow past what the secondaries hold (the store takes
    ///   the current serial + 1 when this one is not greater).
    public init(
        store: ZoneStore, layout: AliasZoneLayout, apex: ZoneApexTemplate,
        serial: @escaping @Sendable () -> UInt32 = {
            UInt32(truncatingIfNeeded: Int(Date().timeIntervalSince1970))
        }
    ) {
        self.store = store
        self.layout = layout
        self.apex = apex
        self.serial = serial
    }

    public func publish(_ publication: Publication, dryRun: Bool) async -> [PublicationResult] {
        [apply(publication, dryRun: dryRun)]
    }

    /// Stops publishing `alias`, dropped from the configuration: its zone goes, or in a shared
    /// zone its A and AAAA records. Returns whether there was anything to remove.
    @discardableResult
    public func withdraw(alias: String) -> Bool {
        guard let name = try? DomainName(alias: alias), let origin = layout.origin(of: name) else {
            return false
        }
        return writing.withLock { _ in
            switch layout {
            case .zonePerAlias:
                return store.remove(origin)
            case .sharedZone:
                guard let zone = store.zone(origin),
                    !PublishedRecords(Self.addressRecords(of: name, in: zone), at: name).addresses.isEmpty,
                    let replacement = try? Self.zone(
                        zone, replacingAddressesOf: name, by: [], serial: serial())
                else { return false }
                store.replace(replacement)
                return true
            }
        }
    }

    private func apply(_ publication: Publication, dryRun: Bool) -> PublicationResult {
        let alias: DomainName
        do {
            alias = try DomainName(alias: publication.alias)
        } catch {
            return PublicationResult(target: Self.target, previous: nil, action: .failed("\(error)"))
        }
        guard let origin = layout.origin(of: alias) else {
            return PublicationResult(
                target: Self.target, previous: nil,
                action: .failed("\(alias) is outside the zone the aliases are published in"))
        }
        let wanted = PublishedRecords(publication)
        return writing.withLock { _ in
            let current = store.zone(origin)
            let shown = current.map { PublishedRecords(Self.addressRecords(of: alias, in: $0), at: alias) }
            let result = { (action: PublicationResult.Action) in
                PublicationResult(
                    target: Self.target, previous: shown?.addresses ?? [], previousTTL: shown?.ttl,
                    action: action)
            }
            if let current, shown == wanted, hasWantedApex(current) { return result(.unchanged) }
            if dryRun { return result(.wouldUpdate) }
            do {
                let base: Zone
                switch layout {
                case .zonePerAlias: base = try emptyZone(origin)
                case .sharedZone: base = try current ?? emptyZone(origin)
                }
                store.replace(
                    try Self.zone(
                        base, replacingAddressesOf: alias, by: wanted.records(at: alias), serial: serial()))
                return result(.updated)
            } catch {
                return result(.failed("cannot build zone \(origin): \(error)"))
            }
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
