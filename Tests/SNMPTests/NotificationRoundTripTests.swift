import LBTestSupport
import NIOCore
import Synchronization
import Testing

@testable import SNMP

/// Our sender to our listener: INFORMs at each security level, v2c traps and informs, the engine
/// discovered once and again when the listener's clock moves, wildcard binds.
@Suite(.serialized, .timeLimit(.minutes(1))) struct NotificationRoundTripTests {
    typealias Fixture = NotificationFixture

    @Test func authPrivInformIsDeliveredAndAcknowledged() async throws {
        let (listener, port, collector) = try await Fixture.startListener()
        defer { Task { await listener.stop() } }
        let sender = try await Fixture.sender(
            port: port, credentials: .user(Fixture.privUser), sourceAddress: "127.0.0.2")
        defer { Task { await sender.shutdown() } }
        try await sender.send(Fixture.notificationOID, Fixture.bindings, upTime: 1_234)
        let notifications = await collector.wait(count: 1)
        try #require(notifications.count == 1)
        let notification = notifications[0]
        #expect(notification.source.ipAddress == "127.0.0.2")
        #expect(notification.version == .v3)
        #expect(notification.securityName == Fixture.privUser.name)
        #expect(notification.securityLevel == .authPriv)
        #expect(notification.kind == .inform)
        #expect(notification.upTime == 1_234)
        #expect(notification.oid == Fixture.notificationOID)
        #expect(notification.variableBindings == Fixture.bindings)
        let statistics = listener.statistics
        #expect(statistics.accepted == 1)
        #expect(statistics.responsesSent == 1)
        #expect(statistics.discoveryProbes == 1)
        #expect(statistics.dropped.isEmpty)
        // The engine is cached: the second INFORM needs no discovery.
        try await sender.send(Fixture.notificationOID, [])
        #expect(await collector.wait(count: 2).count == 2)
        #expect(listener.statistics.discoveryProbes == 1)
        #expect(listener.statistics.accepted == 2)
    }

    @Test func authNoPrivInformIsDelivered() async throws {
        let (listener, port, collector) = try await Fixture.startListener()
        defer { Task { await listener.stop() } }
        let sender = try await Fixture.sender(port: port, credentials: .user(Fixture.authUser))
        defer { Task { await sender.shutdown() } }
        try await sender.send(Fixture.notificationOID, Fixture.bindings)
        let notification = try #require(await collector.wait(count: 1).first)
        #expect(notification.securityName == Fixture.authUser.name)
        #expect(notification.securityLevel == .authNoPriv)
        #expect(notification.variableBindings == Fixture.bindings)
        // sysUpTime.0 counts from the sender's start: well under a minute here.
        #expect(notification.upTime < 6_000)
    }

    @Test func v2cTrapIsDelivered() async throws {
        let (listener, port, collector) = try await Fixture.startListener()
        defer { Task { await listener.stop() } }
        let sender = try await Fixture.sender(port: port, credentials: .community(Fixture.community))
        defer { Task { await sender.shutdown() } }
        #expect(sender.kind == .trap)
        try await sender.send(Fixture.notificationOID, Fixture.bindings)
        let notification = try #require(await collector.wait(count: 1).first)
        #expect(notification.version == .v2c)
        #expect(notification.kind == .trap)
        #expect(notification.securityName == Fixture.community)
        #expect(notification.securityLevel == .noAuthNoPriv)
        #expect(notification.oid == Fixture.notificationOID)
        #expect(notification.variableBindings == Fixture.bindings)
        #expect(listener.statistics.responsesSent == 0)
    }

    @Test func v2cInformIsAcknowledged() async throws {
        let (listener, port, collector) = try await Fixture.startListener()
        defer { Task { await listener.stop() } }
        let sender = try await Fixture.sender(
            port: port, credentials: .community(Fixture.community), kind: .inform)
        defer { Task { await sender.shutdown() } }
        try await sender.send(Fixture.notificationOID, Fixture.bindings)
        #expect(await collector.wait(count: 1).first?.kind == .inform)
        #expect(listener.statistics.responsesSent == 1)
    }

    @Test func aListenerClockJumpIsResynchronisedOnce() async throws {
        let offset = Mutex(Duration.zero)
        let (listener, port, collector) = try await Fixture.startListener(
            Fixture.configuration(now: { .now + offset.withLock { $0 } }))
        defer { Task { await listener.stop() } }
        let sender = try await Fixture.sender(port: port, credentials: .user(Fixture.privUser))
        defer { Task { await sender.shutdown() } }
        try await sender.send(Fixture.notificationOID, [])
        // Past the 150-second window: the cached engine time is stale.
        offset.withLock { $0 = .seconds(1_000) }
        try await sender.send(Fixture.notificationOID, [])
        #expect(await collector.wait(count: 2).count == 2)
        let statistics = listener.statistics
        #expect(statistics[.notInTimeWindow] == 1)
        #expect(statistics.discoveryProbes == 2)
        #expect(statistics.reportsSent == 3)
    }

    @Test func aWildcardListenerAnswersFromTheAddressAsked() async throws {
        let (listener, port, collector) = try await Fixture.startListener(
            Fixture.configuration(host: "0.0.0.0"))
        defer { Task { await listener.stop() } }
        // The sender drops answers from any other address than the one it sent to.
        let sender = try await Fixture.sender(
            port: port, host: "127.0.0.3", credentials: .user(Fixture.privUser))
        defer { Task { await sender.shutdown() } }
        try await sender.send(Fixture.notificationOID, Fixture.bindings)
        #expect(await collector.wait(count: 1).count == 1)
    }

    @Test func stopEndsTheNotificationsAfterTheOnesQueued() async throws {
        let listener = SNMPNotificationListener(
            configuration: Fixture.configuration(), keyCache: AgentFixture.keyCache)
        let address = try await listener.start()
        let sender = try await SNMPNotificationSender.start(
            receiver: address, credentials: .community(Fixture.community), keyCache: AgentFixture.keyCache)
        defer { Task { await sender.shutdown() } }
        try await sender.send(Fixture.notificationOID, [])
        await Fixture.eventually { listener.statistics.accepted == 1 }
        await listener.stop()
        var read = 0
        for await _ in listener.notifications { read += 1 }
        #expect(read == 1)
        await #expect(throws: SNMPNotificationError.self) { try await listener.start() }
    }

    @Test func unsupportedSendersAreRefusedAtStart() async throws {
        let receiver = try SocketAddress(ipAddress: "127.0.0.1", port: 162)
        await #expect(throws: SNMPNotificationError.self) {
            _ = try await SNMPNotificationSender.start(
                receiver: receiver, credentials: .user(Fixture.privUser), kind: .trap)
        }
        await #expect(throws: SNMPNotificationError.self) {
            _ = try await SNMPNotificationSender.start(
                receiver: receiver, credentials: .community("public", version: .v1))
        }
        await #expect(throws: SNMPNotificationError.self) {
            _ = try await SNMPNotificationSender.start(
                receiver: receiver, credentials: .community("public"), retries: -1)
        }
    }

    @Test func anInvalidListenerConfigurationIsRefused() async throws {
        var configuration = Fixture.configuration()
        configuration.engineID = [1, 2]
        let listener = SNMPNotificationListener(configuration: configuration)
        await #expect(throws: SNMPNotificationError.self) { try await listener.start() }
    }
}
