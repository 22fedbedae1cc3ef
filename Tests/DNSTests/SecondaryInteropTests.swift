import DNS
import Foundation
import LBTestSupport
import NIOCore
import Synchronization
import Testing

/// Real BIND and Knot servers as secondaries of our embedded server: they load the zone by
/// transfer, and after a change our NOTIFY makes them transfer the new serial at once (their SOA
/// refresh is an hour away).
@Suite(.serialized)
struct SecondaryInteropTests {
    /// The primary's version of lb.example.: the apex alias with `addresses`, plus `filler`
    /// host names so that a full transfer takes several messages.
    static func zone(serial: UInt32, addresses: [String], filler: Int = 0) -> Zone {
        let origin = PeerZone.name
        let soa = StartOfAuthority(
            primaryServer: try! DomainName(parsing: "ns.lb.example."),
            responsibleMailbox: try! DomainName(parsing: "hostmaster.lb.example."),
            serial: serial, refresh: 3600, retry: 600, expire: 86400, minimum: 60)
        var records = [
            ResourceRecord(name: origin, ttl: 60, data: .ns(try! DomainName(parsing: "ns.lb.example."))),
            ResourceRecord(
                name: try! DomainName(parsing: "ns.lb.example."), ttl: 60, data: .a(IPv4Address("127.0.0.1")!)
            ),
        ]
        records += addresses.map { ResourceRecord(name: origin, ttl: 60, data: .a(IPv4Address($0)!)) }
        records += (0..<filler).map { index in
            ResourceRecord(
                name: try! DomainName(parsing: "host\(index).lb.example."), ttl: 60,
                data: .a(IPv4Address(10, 9, UInt8(index / 256), UInt8(index % 256))))
        }
        return try! Zone(origin: origin, soa: soa, soaTTL: 60, records: records)
    }

    /// Polls the secondary with dig until the apex A set is `expected`, for at most 15 s.
    static func waitForAddresses(_ expected: [String], at secondary: Secondary) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline {
            if try PeerZone.dig(port: secondary.port, type: "A") == expected { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    /// The serial the secondary answers in its SOA.
    static func serial(at secondary: Secondary) async throws -> UInt32? {
        let answer = try await DNSClient().query(PeerZone.name, type: .soa, server: secondary.address)
        guard case .soa(let soa)? = answer.message.answers.first?.data else { return nil }
        return soa.serial
    }

    /// Starts our server for `store`, then the secondary `launch` makes for our port, then our
    /// server again on the same port, now notifying the secondary's port (known only once it
    /// started). Returns the server, the secondary, and what became of the NOTIFYs.
    static func primaryAndSecondary(
        store: ZoneStore, configuration: DNSServerConfiguration,
        launch: (_ primaryPort: Int) async throws -> Secondary
    ) async throws -> (DNSServer, Secondary, NotifyLog) {
        let bootstrap = DNSServer(configuration: configuration, store: store)
        let primaryPort = try #require(try await bootstrap.start().port)
        let secondary: Secondary
        do {
            secondary = try await launch(primaryPort)
        } catch {
            await bootstrap.stop()
            throw error
        }
        await bootstrap.stop()
        var configuration = configuration
        configuration.port = primaryPort
        configuration.notifyTargets = [secondary.address]
        let notified = NotifyLog()
        let server = DNSServer(configuration: configuration, store: store, onNotify: notified.record)
        do {
            try await server.start()
        } catch {
            secondary.stop()
            throw error
        }
        return (server, secondary, notified)
    }

    /// Changes the apex addresses twice and checks that the secondary follows each time, by
    /// NOTIFY (its SOA refresh is an hour away).
    static func checkFollows(
        _ secondary: Secondary, store: ZoneStore, notified: NotifyLog, changes: [(UInt32, [String])]
    ) async throws {
        for (serial, addresses) in changes {
            let stored = store.replace(zone(serial: serial, addresses: addresses, filler: 1500))
            #expect(
                try await waitForAddresses(addresses, at: secondary),
                "the secondary did not follow \(addresses)")
            #expect(try await Self.serial(at: secondary) == stored.soa.serial)
        }
        #expect(notified.acknowledged(by: secondary.port) >= changes.count)
        // The host names came by the first (multi-message) transfer and stayed.
        let filler = try await DNSClient().query(
            try DomainName(parsing: "host1499.lb.example."), type: .a, server: secondary.address)
        #expect(filler.message.answers.count == 1)
    }

    @Test func bindFollowsOurChangesThroughNotify() async throws {
        guard Peers.available("named", "dig") else { return }
        let store = ZoneStore()
        store.replace(Self.zone(serial: 1, addresses: ["192.0.2.1"], filler: 1500))
        let (server, secondary, notified) = try await Self.primaryAndSecondary(
            store: store, configuration: DNSServerConfiguration(transferSources: ["127.0.0.1"]),
            launch: { try await Secondary.named(primaryPort: $0) })
        defer { secondary.stop() }
        #expect(try PeerZone.dig(port: secondary.port, type: "A") == ["192.0.2.1"])
        try await Self.checkFollows(
            secondary, store: store, notified: notified,
            changes: [(2, ["192.0.2.10", "192.0.2.11"]), (3, ["192.0.2.12"])])
        await server.stop()
    }

    @Test func knotFollowsOurChangesWithTSIGSignedNotifyAndTransfers() async throws {
        guard Peers.available("knotd", "dig") else { return }
        let key = PeerZone.makeKey(name: "xfr-key", algorithm: .hmacSHA256)
        let store = ZoneStore()
        store.replace(Self.zone(serial: 10, addresses: ["192.0.2.1"], filler: 1500))
        // No transfer sources: Knot can only transfer because it signs with the key.
        let (server, secondary, notified) = try await Self.primaryAndSecondary(
            store: store,
            configuration: DNSServerConfiguration(transferKeys: [key], notifyKey: key),
            launch: { try await Secondary.knot(primaryPort: $0, key: key) })
        defer { secondary.stop() }
        #expect(try PeerZone.dig(port: secondary.port, type: "A") == ["192.0.2.1"])
        try await Self.checkFollows(
            secondary, store: store, notified: notified,
            changes: [(11, ["192.0.2.20", "192.0.2.21"]), (12, ["192.0.2.22"])])
        // Knot applied the changes incrementally (IXFR) after the first full transfer.
        #expect(
            secondary.process.errorOutput.contains("IXFR"), "\(secondary.process.errorOutput.suffix(3000))")
        await server.stop()
    }

    @Test func digReadsIncrementalAndSignedTransfers() async throws {
        guard let dig = Peers.find("dig") else { return }
        let key = PeerZone.makeKey(name: "xfr-key", algorithm: .hmacSHA256)
        let store = ZoneStore()
        store.replace(Self.zone(serial: 1, addresses: ["192.0.2.1"], filler: 1500))
        store.replace(Self.zone(serial: 2, addresses: ["192.0.2.2"], filler: 1500))
        let server = DNSServer(
            configuration: DNSServerConfiguration(transferSources: ["127.0.0.1"], transferKeys: [key]),
            store: store)
        let port = try #require(try await server.start().port)
        defer { Task { await server.stop() } }
        let common = ["@127.0.0.1", "-p", String(port), "+tries=1", "+time=5", "+nocmd", "+nostats"]

        let incremental = try Peers.run(dig, common + ["lb.example.", "IXFR=1"])
        #expect(incremental.status == 0)
        let lines = incremental.output.split(separator: "\n").filter { !$0.hasPrefix(";") && !$0.isEmpty }
        // SOA 2, SOA 1, the old address, SOA 2, the new address, SOA 2.
        #expect(lines.count == 6, "\(incremental.output)")
        #expect(lines.filter { $0.contains("SOA") }.count == 4)
        #expect(lines[2].hasSuffix("192.0.2.1") && lines[4].hasSuffix("192.0.2.2"))

        // dig checks every TSIG of the multi-message AXFR and says so.
        let signed = try Peers.run(
            dig, common + ["-y", "hmac-sha256:xfr-key:\(PeerZone.base64(key))", "lb.example.", "AXFR"])
        #expect(signed.status == 0)
        #expect(!signed.output.contains("failed"), "\(signed.output.suffix(2000))")
        let records = signed.output.split(separator: "\n").filter { !$0.hasPrefix(";") && !$0.isEmpty }
        #expect(records.filter { $0.contains("\tA\t") }.count == 1 + 1 + 1500)
        #expect(records.filter { $0.contains("\tTSIG\t") }.count >= 2)
        let wrong = PeerZone.makeKey(name: "xfr-key", algorithm: .hmacSHA256)
        let forged = try Peers.run(
            dig, common + ["-y", "hmac-sha256:xfr-key:\(PeerZone.base64(wrong))", "lb.example.", "AXFR"])
        #expect(!forged.output.contains("192.0.2.2"))
    }
}

/// The NOTIFY outcomes the server reported.
final class NotifyLog: Sendable {
    private let reports = Mutex<[ZoneNotification]>([])

    var record: @Sendable (ZoneNotification) -> Void {
        { report in self.reports.withLock { $0.append(report) } }
    }

    func acknowledged(by port: Int) -> Int {
        reports.withLock { $0.filter { $0.target.port == port && $0.error == nil }.count }
    }
}
