import LBCore
import LBDaemonKit
import LBTestSupport
import Logging
import NIOCore
import SNMP
import Synchronization
import Testing

/// The push path with real SNMP on loopback: nodes are the SNMP library's agents on 127.0.0.2 and
/// .3 (SNMPv3, lbd's user), lbd's engine polls them with `polling_interval: 300` and never on a
/// schedule here, so every change a test sees came through a notification.
@Suite(.serialized) struct NotificationServiceTests {
    static let user = USMUser(
        name: "loadbalancing", authentication: .init(.md5, password: "push-test-password"))
    static let loadOID = OID(".1.3.6.1.4.1.96.255.1")!
    static let notificationOID = OID(".1.3.6.1.4.1.96.255.0.1")!
    static let alias = "www.push.example"

    /// Two nodes, one alias publishing the least loaded, the engine and the service running.
    final class Fixture: Sendable {
        let agents: [String: SNMPAgent]
        let engine: EvaluationEngine
        let publisher: RecordingPublisher
        let probe: CountingProbe
        let service: NotificationService
        let client: SNMPClient
        let serviceTask: Task<Void, any Error>
        let listenerPort: Int

        init(
            loads: [String: Int32], perNodeInterval: Double = 1, maximumPerSecond: Int = 50,
            metrics: LBDMetrics? = nil
        ) async throws {
            var agents: [String: SNMPAgent] = [:]
            var port = 0
            for (address, load) in loads.sorted(by: { $0.key < $1.key }) {
                let agent = SNMPAgent(
                    configuration: SNMPAgentConfiguration(host: address, port: port, users: [user]))
                agent.register(loadOID, value: .integer(load))
                port = try await agent.start().port ?? 0
                agents[address] = agent
            }
            self.agents = agents
            var snmp = SNMPSettings(
                version: .v3, port: port, user: user.name, authProtocol: .md5,
                authPassword: "push-test-password",
                timeout: 0.5, retries: 1)
            snmp.notifications = SNMPNotificationSettings(
                listen: ServerAddress(host: "127.0.0.1", port: 0), perNodeInterval: perNodeInterval,
                maximumPerSecond: maximumPerSecond)
            let configuration = Configuration(
                aliases: [
                    AliasConfiguration(
                        name: alias, members: loads.keys.sorted(),
                        parameters: AliasParameters(bestHosts: .count(1), pollingInterval: 300))
                ], snmp: snmp)
            client = try await SNMPClient.start(maximumInFlight: 16)
            probe = CountingProbe(SNMPNodeProbe(client: client, settings: snmp))
            publisher = RecordingPublisher()
            let logger = Logger(label: "push-test", factory: { _ in SwiftLogNoOpLogHandler() })
            engine = EvaluationEngine(
                configuration: configuration,
                poller: NodePoller(addressBook: NodeAddressBook(port: port), probe: probe, concurrency: 4),
                publishers: [publisher], logger: logger, seed: 3)
            // The first round: the book then knows every member's address.
            await engine.evaluateAll()
            service = NotificationService(settings: snmp, engine: engine, metrics: metrics, logger: logger)
            let service = self.service
            serviceTask = Task { try await service.run() }
            let deadline = ContinuousClock.now + .seconds(5)
            while service.address == nil, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            listenerPort = try #require(service.address?.port)
        }

        func set(_ address: String, load: Int32) {
            agents[address]?.register(loadOID, value: .integer(load))
        }

        /// The addresses of the latest publication of the alias.
        var published: [String] {
            publisher.publications.withLock { $0.last?.addresses.map(\.description) ?? [] }
        }

        /// Waits until `published` is `expected`, at most `timeout`; returns what it was last.
        func waitForPublished(_ expected: [String], timeout: Duration = .seconds(3)) async -> [String] {
            let deadline = ContinuousClock.now + timeout
            while published != expected, ContinuousClock.now < deadline {
                try? await Task.sleep(for: .milliseconds(20))
            }
            return published
        }

        func sender(from source: String, user: USMUser = NotificationServiceTests.user) async throws
            -> SNMPNotificationSender
        {
            try await SNMPNotificationSender.start(
                receiver: try SocketAddress(ipAddress: "127.0.0.1", port: listenerPort),
                credentials: .user(user),
                timeout: .milliseconds(300), retries: 1, sourceAddress: source)
        }

        func stop() async throws {
            serviceTask.cancel()
            _ = try? await serviceTask.value
            for agent in agents.values { await agent.stop() }
            await client.shutdown()
        }
    }

    @Test func anInformFromANodeRePollsItAndPublishesItsChangeAtOnce() async throws {
        let metrics = LBDMetrics()
        let fixture = try await Fixture(loads: ["127.0.0.2": 10, "127.0.0.3": 20], metrics: metrics)
        #expect(fixture.published == ["127.0.0.2"])
        let pollsBefore = fixture.probe.count("127.0.0.2")
        fixture.set("127.0.0.2", load: 30)
        let sender = try await fixture.sender(from: "127.0.0.2")
        try await sender.send(Self.notificationOID, [VariableBinding(oid: Self.loadOID, value: .integer(-1))])
        #expect(await fixture.waitForPublished(["127.0.0.3"]) == ["127.0.0.3"])
        #expect(fixture.probe.count("127.0.0.2") == pollsBefore + 1)
        #expect(fixture.probe.count("127.0.0.3") == 1, "only the node that pushed is polled again")
        let statistics = fixture.service.statistics
        #expect(statistics["accepted"] == 1)
        #expect(statistics.repolls == 1)
        let text = String(decoding: metrics.emit(), as: UTF8.self)
        #expect(text.contains("lbd_push_notifications_total{outcome=\"accepted\"} 1"), "\(text)")
        #expect(text.contains("lbd_push_repolls_total 1"), "\(text)")
        #expect(text.contains("lbd_push_coalesced_total 0"), "\(text)")
        await sender.shutdown()
        try await fixture.stop()
    }

    @Test func aForgedInformAndOneFromAnUnknownSourceChangeNothingAndAreCounted() async throws {
        let fixture = try await Fixture(loads: ["127.0.0.2": 10, "127.0.0.3": 20])
        fixture.set("127.0.0.2", load: 30)
        let polls = fixture.probe.total
        let forger = USMUser(
            name: Self.user.name, authentication: .init(.md5, password: "not-the-password"))
        let forged = try await fixture.sender(from: "127.0.0.2", user: forger)
        await #expect(throws: SNMPClientError.self) {
            try await forged.send(Self.notificationOID)
        }
        let stranger = try await fixture.sender(from: "127.0.0.9")
        await #expect(throws: SNMPClientError.self) {
            try await stranger.send(Self.notificationOID)
        }
        let unknownUser = try await fixture.sender(
            from: "127.0.0.3",
            user: USMUser(name: "intruder", authentication: .init(.md5, password: "whatever-pass")))
        await #expect(throws: SNMPClientError.self) {
            try await unknownUser.send(Self.notificationOID)
        }
        try await Task.sleep(for: .milliseconds(300))
        let statistics = fixture.service.statistics
        #expect(statistics["wrong_digest"] >= 1, "\(statistics)")
        #expect(statistics["unknown_source"] >= 1, "\(statistics)")
        #expect(statistics["unknown_user"] >= 1, "\(statistics)")
        #expect(statistics["accepted"] == 0)
        #expect(statistics.repolls == 0)
        #expect(fixture.probe.total == polls)
        #expect(fixture.published == ["127.0.0.2"], "nothing was decided again")
        for sender in [forged, stranger, unknownUser] { await sender.shutdown() }
        try await fixture.stop()
    }

    @Test func aNodeFlapping20TimesASecondIsRePolledWithinTheLimitAndItsLastStateIsPublished() async throws {
        let fixture = try await Fixture(loads: ["127.0.0.2": 10, "127.0.0.3": 20])
        let pollsBefore = fixture.probe.count("127.0.0.2")
        let sender = try await fixture.sender(from: "127.0.0.2")
        let started = ContinuousClock.now
        var flips = 0
        // 2 s of a node whose answer flips every 50 ms, each flip pushed.
        while ContinuousClock.now < started + .seconds(2), flips < 40 {
            fixture.set("127.0.0.2", load: flips % 2 == 0 ? 30 : 10)
            try? await sender.send(Self.notificationOID)
            flips += 1
            try await Task.sleep(until: started + .milliseconds(50 * flips), clock: .continuous)
        }
        // The last flip leaves it loaded: .3 must end up published.
        fixture.set("127.0.0.2", load: 30)
        try? await sender.send(Self.notificationOID)
        #expect(await fixture.waitForPublished(["127.0.0.3"], timeout: .seconds(3)) == ["127.0.0.3"])
        let elapsed = ContinuousClock.now - started
        let repolls = fixture.probe.count("127.0.0.2") - pollsBefore
        // One per second of flapping (per_node_interval 1 s), plus the trailing one.
        let bound = Int(elapsed.components.seconds) + 2
        #expect(repolls >= 2 && repolls <= bound, "\(repolls) re-polls in \(elapsed)")
        let statistics = fixture.service.statistics
        #expect(statistics["accepted"] == UInt64(flips + 1))
        #expect(statistics.coalesced >= UInt64(flips + 1 - bound), "\(statistics)")
        await sender.shutdown()
        try await fixture.stop()
    }

    @Test func theServiceStopsWhenCancelledAndReleasesItsPort() async throws {
        let fixture = try await Fixture(loads: ["127.0.0.2": 10])
        let port = fixture.listenerPort
        try await fixture.stop()
        // The port is free again: a listener can bind it.
        let listener = SNMPNotificationListener(
            configuration: SNMPNotificationListenerConfiguration(host: "127.0.0.1", port: port))
        _ = try await listener.start()
        await listener.stop()
    }
}

/// Counts the polls of each address, then polls for real.
final class CountingProbe: NodeProbe {
    private let inner: any NodeProbe
    private let polls = Mutex<[String: Int]>([:])

    init(_ inner: any NodeProbe) {
        self.inner = inner
    }

    func poll(_ address: SocketAddress) async -> AddressReply {
        polls.withLock { $0[address.ipAddress ?? "?", default: 0] += 1 }
        return await inner.poll(address)
    }

    func count(_ address: String) -> Int { polls.withLock { $0[address] ?? 0 } }
    var total: Int { polls.withLock { $0.values.reduce(0, +) } }
}
