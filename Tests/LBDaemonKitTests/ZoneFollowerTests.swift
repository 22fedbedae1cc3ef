import DNS
import Foundation
import LBCore
import LBTestSupport
import Logging
import NIOCore
import Synchronization
import Testing

@testable import LBDaemonKit

/// A standby's embedded server following the active's (two `EmbeddedZoneServer`s on 127.0.0.1,
/// both read back with `DNSClient`), and a `ZoneFollower` against peers that misbehave.
@Suite(.serialized)
struct ZoneFollowerTests {
    static let fast = ZoneFollower.Settings(
        interval: .milliseconds(100), queryTimeout: .milliseconds(300), transferTimeout: .seconds(2))
    static let shared = EmbeddedDNSSettings(
        listen: ServerAddress(host: "127.0.0.1", port: 0), zone: "lb.example.org.",
        nameServer: "ns.example.org.",
        mailbox: "hostmaster.example.org.", transferFrom: ["127.0.0.1"])

    static func name(_ text: String) -> DomainName {
        try! DomainName(parsing: text.hasSuffix(".") ? text : text + ".")
    }

    static func publication(_ alias: String, _ addresses: [String]) -> Publication {
        Publication(alias: alias, addresses: addresses.map { NodeAddress($0)! }, ttl: 60)
    }

    static func peer(of server: EmbeddedZoneServer) -> ServerAddress {
        ServerAddress(host: "127.0.0.1", port: server.address.port!)
    }

    /// The A records of `name` as `server` answers them, sorted; nil when it does not answer
    /// them (REFUSED, NXDOMAIN, no answer).
    static func addresses(_ name: String, at server: SocketAddress) async -> [String]? {
        let client = DNSClient(options: DNSClient.Options(timeout: .milliseconds(500), retries: 1))
        guard let answer = try? await client.query(Self.name(name), type: .a, server: server) else {
            return nil
        }
        return answer.message.answers.compactMap { record in
            if case .a(let address) = record.data { return "\(address)" }
            return nil
        }.sorted()
    }

    static func serial(_ zone: String, at server: SocketAddress) async -> UInt32? {
        let client = DNSClient(options: DNSClient.Options(timeout: .milliseconds(500), retries: 1))
        guard let answer = try? await client.query(Self.name(zone), type: .soa, server: server),
            case .soa(let soa)? = answer.message.answers.first?.data
        else { return nil }
        return soa.serial
    }

    /// Waits (at most `limit`) until `condition` holds; whether it did.
    static func eventually(
        within limit: Duration = .seconds(5), _ condition: () async -> Bool
    ) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return await condition()
    }

    /// Whether `standby` answers `aliases` and the SOA of `zone` as `active` does.
    static func sameAnswers(
        _ aliases: [String], zone: String, active: SocketAddress, standby: SocketAddress
    ) async -> Bool {
        for alias in aliases {
            guard await addresses(alias, at: active) == addresses(alias, at: standby) else { return false }
        }
        guard let serial = await serial(zone, at: active) else { return false }
        return await self.serial(zone, at: standby) == serial
    }

    // MARK: - Two embedded servers

    @Test func theStandbyServesTheActiveZoneAndContinuesItsSerialsAfterTakeover() async throws {
        let log = CapturedLog()
        let active = try await EmbeddedZoneServer.start(Self.shared, logger: log.logger)
        let standby = try await EmbeddedZoneServer.start(Self.shared, logger: log.logger)
        defer { Task { await active.stop() } }
        defer { Task { await standby.stop() } }
        let aliases = ["www.lb.example.org", "api.lb.example.org"]
        _ = await active.publisher.publish(
            Self.publication(aliases[0], ["10.0.0.1", "10.0.0.2"]), dryRun: false)
        _ = await active.publisher.publish(Self.publication(aliases[1], ["10.0.0.3"]), dryRun: false)

        await standby.follow(peer: Self.peer(of: active), logger: log.logger, settings: Self.fast)
        #expect(standby.isFollowing)
        #expect(
            await Self.eventually {
                await Self.sameAnswers(
                    aliases, zone: "lb.example.org", active: active.address, standby: standby.address)
            })
        #expect(await Self.addresses(aliases[0], at: standby.address) == ["10.0.0.1", "10.0.0.2"])

        // Several changes within a second: the active's serials run ahead of the clock.
        for last in 4...8 {
            _ = await active.publisher.publish(
                Self.publication(aliases[0], ["10.0.0.\(last)"]), dryRun: false)
        }
        #expect(
            await Self.eventually {
                await Self.sameAnswers(
                    aliases, zone: "lb.example.org", active: active.address, standby: standby.address)
            })
        #expect(await Self.addresses(aliases[0], at: standby.address) == ["10.0.0.8"])
        let activeSerial = try #require(await Self.serial("lb.example.org", at: active.address))

        // The active is gone: the standby keeps serving what it had.
        await active.stop()
        try await Task.sleep(for: .milliseconds(800))
        #expect(await Self.addresses(aliases[0], at: standby.address) == ["10.0.0.8"])
        #expect(await Self.serial("lb.example.org", at: standby.address) == activeSerial)
        #expect(log.contains(.warning, "cannot reach the peer"))

        // Takeover: the next publication builds on the followed zone with a greater serial.
        await standby.stopFollowing(served: Set(aliases), logger: log.logger)
        #expect(!standby.isFollowing)
        let results = await standby.publisher.publish(
            Self.publication(aliases[0], ["10.0.0.9"]), dryRun: false)
        #expect(results.first?.action == .updated)
        let serial = try #require(await Self.serial("lb.example.org", at: standby.address))
        #expect(SerialNumber.isGreater(serial, than: activeSerial))
        #expect(await Self.addresses(aliases[0], at: standby.address) == ["10.0.0.9"])
        #expect(await Self.addresses(aliases[1], at: standby.address) == ["10.0.0.3"])
    }

    @Test func aZonePerAliasFollowsTheServedAliasesAndKeepsAZoneThePeerDropped() async throws {
        let log = CapturedLog()
        var settings = Self.shared
        settings.zone = nil
        let active = try await EmbeddedZoneServer.start(settings, logger: log.logger)
        let standby = try await EmbeddedZoneServer.start(settings, logger: log.logger)
        defer { Task { await active.stop() } }
        defer { Task { await standby.stop() } }
        _ = await active.publisher.publish(Self.publication("one.example.org", ["10.0.1.1"]), dryRun: false)
        _ = await active.publisher.publish(Self.publication("two.example.org", ["10.0.2.1"]), dryRun: false)
        // A zone the standby has from an earlier run, which the active does not serve.
        _ = await standby.publisher.publish(Self.publication("old.example.org", ["10.0.9.9"]), dryRun: false)
        let served = ServedAliases(["one.example.org", "old.example.org"])

        await standby.follow(
            peer: Self.peer(of: active), aliases: { served.current }, logger: log.logger, settings: Self.fast)
        #expect(
            await Self.eventually {
                await Self.sameAnswers(
                    ["one.example.org"], zone: "one.example.org", active: active.address,
                    standby: standby.address)
            })
        // Not among the aliases to follow (yet).
        #expect(await Self.addresses("two.example.org", at: standby.address) == nil)
        #expect(await Self.eventually { log.contains(.warning, "the peer no longer serves it") })
        #expect(await Self.addresses("old.example.org", at: standby.address) == ["10.0.9.9"])

        served.set(["one.example.org", "two.example.org", "old.example.org"])
        #expect(
            await Self.eventually {
                await Self.sameAnswers(
                    ["two.example.org"], zone: "two.example.org", active: active.address,
                    standby: standby.address)
            })

        // Taking over withdraws what this configuration does not serve.
        await standby.stopFollowing(served: ["one.example.org", "two.example.org"], logger: log.logger)
        #expect(await Self.addresses("old.example.org", at: standby.address) == nil)
        #expect(await Self.addresses("two.example.org", at: standby.address) == ["10.0.2.1"])
    }

    @Test func followingDuringTheFirstRoundHoldKeepsTheFollowedZonesAndSavesThem() async throws {
        let log = CapturedLog()
        let directory = try Peers.temporaryDirectory("lbd-follow")
        defer { try? FileManager.default.removeItem(at: directory) }
        let active = try await EmbeddedZoneServer.start(Self.shared, logger: log.logger)
        defer { Task { await active.stop() } }
        _ = await active.publisher.publish(
            Self.publication("www.lb.example.org", ["10.0.0.1"]), dryRun: false)
        _ = await active.publisher.publish(
            Self.publication("api.lb.example.org", ["10.0.0.2"]), dryRun: false)

        let state = StateStore(directory: directory.path, logger: log.logger)
        let standby = try await EmbeddedZoneServer.start(Self.shared, logger: log.logger, state: state)
        defer { Task { await standby.stop() } }
        #expect(standby.publisher.isHoldingFirstRound)
        await standby.follow(peer: Self.peer(of: active), logger: log.logger, settings: Self.fast)
        #expect(
            await Self.eventually {
                await Self.sameAnswers(
                    ["www.lb.example.org", "api.lb.example.org"], zone: "lb.example.org",
                    active: active.address,
                    standby: standby.address)
            })
        // A standby's first round publishes nothing: completing it must not wipe the followed zone.
        standby.completeFirstRound(served: [], logger: log.logger)
        #expect(!standby.publisher.isHoldingFirstRound)
        #expect(await Self.addresses("www.lb.example.org", at: standby.address) == ["10.0.0.1"])
        await state.flush()
        #expect(state.zones[Self.name("lb.example.org")] == standby.store.zone(Self.name("lb.example.org")))

        await standby.stopFollowing(served: ["www.lb.example.org"], logger: log.logger)
        #expect(await Self.addresses("api.lb.example.org", at: standby.address) == nil)
        #expect(await Self.addresses("www.lb.example.org", at: standby.address) == ["10.0.0.1"])
        let activeSerial = try #require(await Self.serial("lb.example.org", at: active.address))
        let serial = try #require(await Self.serial("lb.example.org", at: standby.address))
        #expect(SerialNumber.isGreater(serial, than: activeSerial))
    }

    @Test func aTransferTheActiveRefusesIsLoggedWithTheSettingToCheck() async throws {
        let log = CapturedLog()
        var closed = Self.shared
        closed.transferFrom = []
        let active = try await EmbeddedZoneServer.start(closed, logger: log.logger)
        let standby = try await EmbeddedZoneServer.start(Self.shared, logger: log.logger)
        defer { Task { await active.stop() } }
        defer { Task { await standby.stop() } }
        _ = await active.publisher.publish(
            Self.publication("www.lb.example.org", ["10.0.0.1"]), dryRun: false)
        await standby.follow(peer: Self.peer(of: active), logger: log.logger, settings: Self.fast)
        #expect(await Self.eventually { log.contains(.warning, "dns.embedded.transfer_from") })
        #expect(standby.store.zones.isEmpty)
    }

    // MARK: - Misbehaving peers

    static let origin = name("lb.example.org")
    static func soa(_ serial: UInt32) -> StartOfAuthority {
        StartOfAuthority(
            primaryServer: name("ns.example.org"), responsibleMailbox: name("hostmaster.example.org"),
            serial: serial,
            refresh: 3600, retry: 600, expire: 86400, minimum: 60)
    }

    /// A store holding lb.example.org at serial 100 with www at 10.0.0.1.
    static func storeWithZone() throws -> ZoneStore {
        let store = ZoneStore()
        store.replace(
            try Zone(
                origin: origin, soa: soa(100),
                records: [
                    ResourceRecord(
                        name: name("www.lb.example.org"), ttl: 60, data: .a(IPv4Address(10, 0, 0, 1)))
                ]))
        return store
    }

    /// Runs three passes of a follower of lb.example.org against `peer`; the outcomes.
    static func passes(
        _ store: ZoneStore, peer: FakeZonePeer, log: CapturedLog,
        limits: ZoneTransferClient.Limits = .init()
    ) async -> [ZoneFollower.Outcome] {
        var settings = fast
        settings.limits = limits
        let follower = ZoneFollower(
            peer: peer.serverAddress, store: store, zones: { [origin] }, logger: log.logger,
            settings: settings)
        var outcomes: [ZoneFollower.Outcome] = []
        for _ in 0..<3 {
            if let outcome = await follower.synchronise()[origin] { outcomes.append(outcome) }
        }
        return outcomes
    }

    static func isFailure(_ outcome: ZoneFollower.Outcome) -> Bool {
        if case .failed = outcome { return true }
        return false
    }

    @Test(arguments: ["garbage", "out-of-zone", "oversized", "wrong-closing-soa"])
    func aPeerSendingABadTransferLeavesTheZoneAsItWas(_ kind: String) async throws {
        let log = CapturedLog()
        let store = try Self.storeWithZone()
        let before = store.zone(Self.origin)
        let peer = try await FakeZonePeer(
            soa: { _ in Self.soa(500) },
            transfer: { request in
                switch kind {
                case "garbage":
                    return [0, 12, UInt8(request.id >> 8), UInt8(request.id & 0xFF)]
                        + Array(repeating: 0xFF, count: 10)
                case "out-of-zone":
                    return FakeZonePeer.transfer(
                        request, soa: Self.soa(500),
                        [
                            ResourceRecord(
                                name: Self.name("www.example.net"), ttl: 60,
                                data: .a(IPv4Address(10, 9, 9, 9)))
                        ])
                case "oversized":
                    return FakeZonePeer.transfer(
                        request, soa: Self.soa(500),
                        (0..<50).map {
                            ResourceRecord(
                                name: Self.name("h\($0).lb.example.org"), ttl: 60,
                                data: .a(IPv4Address(10, 9, 9, 9)))
                        })
                default:
                    let soaRecord = ResourceRecord(name: Self.origin, ttl: 3600, data: .soa(Self.soa(500)))
                    let other = ResourceRecord(name: Self.origin, ttl: 3600, data: .soa(Self.soa(501)))
                    return FakeZonePeer.frame(
                        DNSMessage(
                            id: request.id, isResponse: true, isAuthoritative: true,
                            questions: request.questions,
                            answers: [soaRecord, other]))
                }
            })
        defer { Task { await peer.stop() } }
        let outcomes = await Self.passes(store, peer: peer, log: log, limits: .init(maximumRecords: 20))
        #expect(outcomes.count == 3)
        #expect(outcomes.allSatisfy(Self.isFailure))
        #expect(store.zone(Self.origin) == before)
        // Logged once with its cause, not at every pass.
        let warnings = log.all.filter { $0.hasPrefix("warning") && $0.contains("cannot follow") }
        #expect(warnings.count == 1)
        #expect(warnings.first?.contains("keeping ours (serial 100)") == true)
    }

    @Test func aGoodTransferAfterABadOneIsTakenAndTheRecoveryLogged() async throws {
        let log = CapturedLog()
        let store = try Self.storeWithZone()
        let good = ServedAliases([])
        let peer = try await FakeZonePeer(
            soa: { _ in Self.soa(500) },
            transfer: { request in
                good.current.isEmpty
                    ? [0, 2, 0, 0]
                    : FakeZonePeer.transfer(
                        request, soa: Self.soa(500),
                        [
                            ResourceRecord(
                                name: Self.name("www.lb.example.org"), ttl: 60,
                                data: .a(IPv4Address(10, 0, 0, 7))
                            )
                        ])
            })
        defer { Task { await peer.stop() } }
        let follower = ZoneFollower(
            peer: peer.serverAddress, store: store, zones: { [Self.origin] }, logger: log.logger,
            settings: Self.fast)
        let first = await follower.synchronise()[Self.origin]
        #expect(first.map(Self.isFailure) == true)
        good.set(["good"])
        let second = await follower.synchronise()[Self.origin]
        #expect(second == ZoneFollower.Outcome.transferred(serial: 500, records: 2))
        let third = await follower.synchronise()[Self.origin]
        #expect(third == ZoneFollower.Outcome.upToDate(serial: 500))
        #expect(store.zone(Self.origin)?.recordSet(Self.name("www.lb.example.org"), .a).count == 1)
        #expect(log.contains(.notice, "again"))
    }

    @Test func aPeerThatIsDownIsRetriedAndLoggedOnce() async throws {
        let log = CapturedLog()
        let store = try Self.storeWithZone()
        let peer = try await FakeZonePeer(soa: { _ in Self.soa(500) }, transfer: { _ in [] })
        await peer.stop()
        let outcomes = await Self.passes(store, peer: peer, log: log)
        #expect(outcomes.count == 3 && outcomes.allSatisfy(Self.isFailure))
        #expect(store.zone(Self.origin)?.soa.serial == 100)
        #expect(log.all.filter { $0.contains("cannot reach the peer") }.count == 1)
    }

    @Test func aZoneThePeerRefusesIsKept() async throws {
        let log = CapturedLog()
        let store = try Self.storeWithZone()
        let peer = try await FakeZonePeer(soa: { _ in nil }, transfer: { _ in [] })
        defer { Task { await peer.stop() } }
        let outcomes = await Self.passes(store, peer: peer, log: log)
        #expect(outcomes.allSatisfy { if case .notServedByPeer = $0 { true } else { false } })
        #expect(store.zone(Self.origin)?.soa.serial == 100)
        #expect(log.all.filter { $0.contains("the peer no longer serves it") }.count == 1)
    }
}

/// A set of alias names a test changes while a follower reads it.
final class ServedAliases: Sendable {
    private let names: Mutex<Set<String>>

    init(_ names: Set<String>) { self.names = Mutex(names) }

    var current: Set<String> { names.withLock { $0 } }

    func set(_ names: Set<String>) { self.names.withLock { $0 = names } }
}
