import NIOCore
import Synchronization
import Testing

@testable import DNS

/// A primary rebuilding its zones suspends the store's observers: queries see every change at
/// once, but no secondary is told until the observers resume, and then once per zone.
@Suite struct ZoneStoreSuspensionTests {
    static func name(_ text: String) -> DomainName { try! DomainName(parsing: text) }

    static func zone(_ origin: String, serial: UInt32, address: IPv4Address) -> Zone {
        let origin = name(origin)
        return try! Zone(
            origin: origin,
            soa: StartOfAuthority(
                primaryServer: name("ns.example.org."), responsibleMailbox: name("hostmaster.example.org."),
                serial: serial, refresh: 3600, retry: 600, expire: 86400, minimum: 60),
            records: [ResourceRecord(name: origin, ttl: 60, data: .a(address))])
    }

    @Test func suspendedObserversHearOnceOfEachZoneChangedMeanwhileAtResume() {
        let store = ZoneStore()
        store.replace(Self.zone("a.example.org.", serial: 1, address: IPv4Address(192, 0, 2, 1)))
        let heard = Mutex<[String]>([])
        store.addObserver { zone in heard.withLock { $0.append("\(zone.origin) \(zone.soa.serial)") } }
        store.suspendObservers()
        #expect(store.observersSuspended)
        store.replace(Self.zone("a.example.org.", serial: 2, address: IPv4Address(192, 0, 2, 2)))
        store.replace(Self.zone("a.example.org.", serial: 3, address: IPv4Address(192, 0, 2, 3)))
        store.replace(Self.zone("b.example.org.", serial: 1, address: IPv4Address(192, 0, 2, 4)))
        store.replace(Self.zone("c.example.org.", serial: 1, address: IPv4Address(192, 0, 2, 5)))
        store.remove(Self.name("c.example.org."))
        // Answered at once.
        #expect(store.zone(Self.name("a.example.org."))?.soa.serial == 3)
        #expect(heard.withLock { $0 }.isEmpty)
        store.resumeObservers()
        #expect(!store.observersSuspended)
        #expect(heard.withLock { $0 } == ["a.example.org. 3", "b.example.org. 1"])
        store.resumeObservers()
        store.replace(Self.zone("b.example.org.", serial: 2, address: IPv4Address(192, 0, 2, 6)))
        #expect(heard.withLock { $0 }.count == 3)
    }

    @Test func aServerOnASuspendedStoreSendsNoNotifyUntilResumed() async throws {
        let notifies = Mutex<[DNSMessage]>([])
        let secondary = try await FakeDNSServer { request, _ in
            notifies.withLock { $0.append(request) }
            return [FakeDNSServer.answer(request)]
        }
        let store = ZoneStore()
        store.replace(Self.zone("a.example.org.", serial: 1, address: IPv4Address(192, 0, 2, 1)))
        store.replace(Self.zone("b.example.org.", serial: 1, address: IPv4Address(192, 0, 2, 2)))
        store.suspendObservers()
        let server = DNSServer(
            configuration: DNSServerConfiguration(
                notifyTargets: [secondary.address], notifyTimeout: .milliseconds(200)),
            store: store)
        try await server.start()
        store.replace(Self.zone("a.example.org.", serial: 2, address: IPv4Address(192, 0, 2, 3)))
        // Neither the start-up announcement nor the change goes out while suspended.
        try await Task.sleep(for: .milliseconds(500))
        #expect(notifies.withLock { $0 }.isEmpty)
        store.resumeObservers()
        let deadline = ContinuousClock.now + .seconds(10)
        while notifies.withLock({ $0.count }) < 2, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        try await Task.sleep(for: .milliseconds(300))
        let sent = notifies.withLock { $0 }
        #expect(sent.count == 2, "one NOTIFY per zone: \(sent.map(\.questions))")
        let announced = sent.compactMap { message -> String? in
            guard case .soa(let soa)? = message.answers.first?.data else { return nil }
            return "\(message.questions[0].name) \(soa.serial)"
        }
        #expect(Set(announced) == ["a.example.org. 2", "b.example.org. 1"])
        await server.stop()
        await secondary.stop()
    }
}
