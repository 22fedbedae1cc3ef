import DNS
import LBCore
import Synchronization
import Testing

@testable import LBDaemonKit

/// A restarted `ZonePublisher` holding its first round: the loaded zones are served as they
/// are, the round is applied whole (one version per zone) when complete, serials never go back,
/// and a `keep` alias that got no publication keeps its records.
@Suite struct FirstRoundTests {
    static func name(_ text: String) -> DomainName { try! DomainName(parsing: text) }

    static let apex = ZoneApexTemplate(
        primaryServer: name("ns.lb.example."), responsibleMailbox: name("hostmaster.lb.example."),
        nameServers: [name("ns.lb.example.")])
    static let shared = name("lb.example.")

    static func publication(_ alias: String, _ addresses: [String]) -> Publication {
        Publication(alias: alias, addresses: addresses.map { NodeAddress($0)! }, ttl: 60)
    }

    /// The shared zone a previous run published: www, api, keep and an alias since removed.
    static func loadedSharedZone(serial: UInt32) -> Zone {
        let records =
            apex.nameServerRecords(at: shared)
            + [
                ("www", "192.0.2.1"), ("api", "192.0.2.2"), ("keep", "192.0.2.3"), ("gone", "192.0.2.4"),
            ].map { ResourceRecord(name: name("\($0.0).lb.example."), ttl: 60, data: .a(IPv4Address($0.1)!)) }
        return try! Zone(origin: shared, soa: apex.soa(serial: serial), soaTTL: apex.ttl, records: records)
    }

    static func addresses(_ alias: String, in store: ZoneStore, origin: DomainName = shared) -> [String]? {
        guard let zone = store.zone(origin) else { return nil }
        return zone.recordSet(name(alias + "."), .a).map { record -> String in
            guard case .a(let address) = record.data else { return "" }
            return "\(address)"
        }.sorted()
    }

    /// A store loaded as at a restart, observers suspended, and the origins they hear of.
    static func restartedStore(_ zones: [Zone]) -> (ZoneStore, Heard) {
        let store = ZoneStore()
        for zone in zones { store.replace(zone) }
        store.suspendObservers()
        let heard = Heard()
        store.addObserver { zone in heard.lines.withLock { $0.append("\(zone.origin) \(zone.soa.serial)") } }
        return (store, heard)
    }

    @Test func theLoadedZoneIsServedUntilTheRoundIsCompleteThenChangesOnce() async {
        let (store, heard) = Self.restartedStore([Self.loadedSharedZone(serial: 5000)])
        let changes = Mutex(0)
        // The clock went back: serials still grow from the loaded one.
        let publisher = ZonePublisher(
            store: store, layout: .sharedZone(Self.shared), apex: Self.apex, serial: { 100 },
            holdingFirstRound: true, changed: { _ in changes.withLock { $0 += 1 } })

        let www = await publisher.publish(Self.publication("www.lb.example", ["192.0.2.10"]), dryRun: false)
        #expect(www.first?.action == .updated)
        #expect(www.first?.previous?.map(\.description) == ["192.0.2.1"])
        let api = await publisher.publish(Self.publication("api.lb.example", ["192.0.2.2"]), dryRun: false)
        #expect(api.first?.action == .unchanged)
        let again = await publisher.publish(Self.publication("www.lb.example", ["192.0.2.10"]), dryRun: false)
        #expect(again.first?.action == .unchanged)
        #expect(again.first?.previous?.map(\.description) == ["192.0.2.10"])
        // Nothing changed yet: the previous complete state is what is served.
        #expect(Self.addresses("www.lb.example", in: store) == ["192.0.2.1"])
        #expect(store.zone(Self.shared)?.soa.serial == 5000)
        #expect(changes.withLock { $0 } == 0)
        #expect(publisher.isHoldingFirstRound)

        // keep.lb.example had no usable member: no publication, it keeps its records.
        let withdrawn = publisher.completeFirstRound(served: [
            "www.lb.example", "api.lb.example", "keep.lb.example",
        ])
        #expect(withdrawn == ["gone.lb.example"])
        #expect(!publisher.isHoldingFirstRound)
        #expect(Self.addresses("www.lb.example", in: store) == ["192.0.2.10"])
        #expect(Self.addresses("api.lb.example", in: store) == ["192.0.2.2"])
        #expect(Self.addresses("keep.lb.example", in: store) == ["192.0.2.3"])
        #expect(Self.addresses("gone.lb.example", in: store) == [])
        // One version for the whole round and the withdrawal, announced once.
        #expect(store.zone(Self.shared)?.soa.serial == 5001)
        #expect(heard.lines.withLock { $0 } == ["lb.example. 5001"])
        #expect(changes.withLock { $0 } == 1)
        #expect(!store.observersSuspended)
        // After the round, publications apply at once.
        _ = await publisher.publish(Self.publication("api.lb.example", ["192.0.2.20"]), dryRun: false)
        #expect(Self.addresses("api.lb.example", in: store) == ["192.0.2.20"])
        #expect(publisher.completeFirstRound(served: []) == [])
    }

    @Test func aZonePerAliasRoundWithdrawsZonesNoLongerServedAndKeepsTheOthers() async {
        func zone(_ alias: String, _ address: String, serial: UInt32) -> Zone {
            let origin = Self.name(alias + ".")
            return try! Zone(
                origin: origin, soa: Self.apex.soa(serial: serial), soaTTL: Self.apex.ttl,
                records: Self.apex.nameServerRecords(at: origin) + [
                    ResourceRecord(name: origin, ttl: 60, data: .a(IPv4Address(address)!))
                ])
        }
        let (store, heard) = Self.restartedStore([
            zone("www.lb.example", "192.0.2.1", serial: 70), zone("keep.lb.example", "192.0.2.2", serial: 80),
            zone("gone.lb.example", "192.0.2.3", serial: 90),
        ])
        let publisher = ZonePublisher(
            store: store, layout: .zonePerAlias, apex: Self.apex, serial: { 1 }, holdingFirstRound: true)
        _ = await publisher.publish(Self.publication("www.lb.example", ["192.0.2.9"]), dryRun: false)
        // A reload during the round drops an alias: withdrawn with the round, not before.
        #expect(publisher.withdraw(alias: "gone.lb.example"))
        #expect(store.zone(Self.name("gone.lb.example.")) != nil)
        publisher.completeFirstRound(served: ["www.lb.example", "keep.lb.example"])
        #expect(store.zone(Self.name("gone.lb.example.")) == nil)
        #expect(
            Self.addresses("www.lb.example", in: store, origin: Self.name("www.lb.example.")) == ["192.0.2.9"]
        )
        #expect(store.zone(Self.name("www.lb.example."))?.soa.serial == 71)
        #expect(
            Self.addresses("keep.lb.example", in: store, origin: Self.name("keep.lb.example.")) == [
                "192.0.2.2"
            ])
        #expect(store.zone(Self.name("keep.lb.example."))?.soa.serial == 80)
        #expect(heard.lines.withLock { $0 } == ["www.lb.example. 71"])
    }

    @Test func aFirstStartServesNothingBeforeTheRoundThenEveryAliasAtOnce() async {
        let (store, heard) = Self.restartedStore([])
        let publisher = ZonePublisher(
            store: store, layout: .sharedZone(Self.shared), apex: Self.apex, serial: { 1_700_000_000 },
            holdingFirstRound: true)
        _ = await publisher.publish(Self.publication("www.lb.example", ["192.0.2.1"]), dryRun: false)
        // No zone yet: the server answers REFUSED, never NXDOMAIN for an alias not evaluated.
        #expect(store.zone(Self.shared) == nil)
        _ = await publisher.publish(Self.publication("api.lb.example", ["192.0.2.2"]), dryRun: false)
        publisher.completeFirstRound(served: ["www.lb.example", "api.lb.example"])
        #expect(Self.addresses("www.lb.example", in: store) == ["192.0.2.1"])
        #expect(Self.addresses("api.lb.example", in: store) == ["192.0.2.2"])
        #expect(heard.lines.withLock { $0 } == ["lb.example. 1700000000"])
    }

    @Test func aDryRunDuringTheRoundStagesNothing() async {
        let (store, _) = Self.restartedStore([Self.loadedSharedZone(serial: 9)])
        let publisher = ZonePublisher(
            store: store, layout: .sharedZone(Self.shared), apex: Self.apex, serial: { 1 },
            holdingFirstRound: true)
        let result = await publisher.publish(Self.publication("www.lb.example", ["192.0.2.7"]), dryRun: true)
        #expect(result.first?.action == .wouldUpdate)
        publisher.completeFirstRound(served: [
            "www.lb.example", "api.lb.example", "keep.lb.example", "gone.lb.example",
        ])
        #expect(Self.addresses("www.lb.example", in: store) == ["192.0.2.1"])
        #expect(store.zone(Self.shared)?.soa.serial == 9)
    }
}

/// The zones (origin and serial) a store's observer heard of.
final class Heard: Sendable {
    let lines = Mutex<[String]>([])
}
