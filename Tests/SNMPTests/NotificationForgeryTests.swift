import LBTestSupport
import NIOCore
import Testing

@testable import SNMP

/// Notifications the listener must not accept: each is dropped, counted under its reason, never
/// delivered, and the sender hears an error or a timeout rather than hanging.
@Suite(.serialized, .timeLimit(.minutes(1))) struct NotificationForgeryTests {
    typealias Fixture = NotificationFixture

    /// Sends one notification with `credentials` and returns the sender's error, the listener's
    /// statistics, and what was delivered (after a short wait, so that a wrong delivery shows).
    private func attempt(
        _ credentials: SNMPCredentials, kind: SNMPNotification.Kind? = nil,
        configuration: SNMPNotificationListenerConfiguration = Fixture.configuration(),
        sourceAddress: String? = nil, bindings: [VariableBinding] = Fixture.bindings
    ) async throws -> (error: SNMPClientError?, statistics: SNMPNotificationStatistics, delivered: Int) {
        let (listener, port, collector) = try await Fixture.startListener(configuration)
        defer { Task { await listener.stop() } }
        let sender = try await Fixture.sender(
            port: port, credentials: credentials, kind: kind, sourceAddress: sourceAddress,
            timeout: .milliseconds(300), retries: 0)
        defer { Task { await sender.shutdown() } }
        var failure: SNMPClientError?
        do {
            try await sender.send(Fixture.notificationOID, bindings)
        } catch let error as SNMPClientError {
            failure = error
        }
        await Fixture.eventually(timeout: .seconds(2)) {
            listener.statistics.datagramsReceived > 0
                && Fixture.outcomes(listener.statistics) == listener.statistics.datagramsReceived
        }
        try await Task.sleep(for: .milliseconds(50))
        return (failure, listener.statistics, collector.all.count)
    }

    @Test func anUnknownUserIsReported() async throws {
        let intruder = USMUser(
            name: "intruder", authentication: .init(.sha256, password: "sha256-password"),
            privacy: .init(.aes128, password: "aes256-password"))
        let result = try await attempt(.user(intruder))
        #expect(result.error == .security(.unknownUserName))
        #expect(result.statistics[.unknownUser] == 1)
        #expect(result.statistics.accepted == 0)
        #expect(result.delivered == 0)
    }

    @Test func aWrongAuthenticationPasswordIsReported() async throws {
        var forged = Fixture.privUser
        forged.authentication?.password = "not-the-password"
        let result = try await attempt(.user(forged))
        #expect(result.error == .security(.wrongDigest))
        #expect(result.statistics[.wrongDigest] == 1)
        #expect(result.delivered == 0)
    }

    @Test func aWrongPrivacyPasswordIsReported() async throws {
        var forged = Fixture.privUser
        forged.privacy?.password = "not-the-password"
        let result = try await attempt(.user(forged))
        #expect(result.error == .security(.decryptionError))
        #expect(result.statistics[.decryptionFailed] == 1)
        #expect(result.delivered == 0)
    }

    @Test func aLowerSecurityLevelThanConfiguredIsDropped() async throws {
        var weaker = Fixture.privUser
        weaker.privacy = nil
        let result = try await attempt(.user(weaker))
        #expect(result.error == .timeout(attempts: 1))
        #expect(result.statistics[.unsupportedSecurityLevel] == 1)
        #expect(result.delivered == 0)
    }

    @Test func aWrongCommunityIsDroppedSilently() async throws {
        let trap = try await attempt(.community("guess"))
        #expect(trap.error == nil)
        #expect(trap.statistics[.badCommunity] == 1)
        #expect(trap.delivered == 0)
        let inform = try await attempt(.community("guess"), kind: .inform)
        #expect(inform.error == .timeout(attempts: 1))
        #expect(inform.statistics[.badCommunity] == 1)
        #expect(inform.statistics.reportsSent == 0 && inform.statistics.responsesSent == 0)
    }

    @Test func v2cIsRefusedWithoutCommunities() async throws {
        let result = try await attempt(
            .community(Fixture.community), configuration: Fixture.configuration(communities: []))
        #expect(result.statistics[.badCommunity] == 1)
        #expect(result.delivered == 0)
    }

    @Test func aRefusedSourceIsDroppedBeforeDecoding() async throws {
        let result = try await attempt(
            .user(Fixture.privUser),
            configuration: Fixture.configuration(acceptsSource: { $0.ipAddress == "127.0.0.1" }),
            sourceAddress: "127.0.0.2")
        #expect(result.error == .timeout(attempts: 1))
        #expect(result.statistics[.refusedSource] == 1)
        #expect(result.statistics.discoveryProbes == 0)
    }

    @Test func anOversizedNotificationIsDropped() async throws {
        let big = [
            VariableBinding(oid: Fixture.loadOID, value: .octetString([UInt8](repeating: 0x61, count: 600)))
        ]
        let result = try await attempt(
            .community(Fixture.community), configuration: Fixture.configuration(maximumMessageSize: 484),
            bindings: big)
        #expect(result.statistics[.oversized] == 1)
        #expect(result.delivered == 0)
    }

    @Test func aGetSentToTheListenerIsNotAnswered() async throws {
        let (listener, port, collector) = try await Fixture.startListener()
        defer { Task { await listener.stop() } }
        let client = try await SNMPClient.start(keyCache: AgentFixture.keyCache)
        defer { Task { await client.shutdown() } }
        let address = try SocketAddress(ipAddress: "127.0.0.1", port: port)
        await #expect(throws: SNMPClientError.timeout(attempts: 1)) {
            _ = try await client.get(
                [Fixture.loadOID], from: address, credentials: .user(Fixture.privUser),
                timeout: .milliseconds(300), retries: 0)
        }
        await #expect(throws: SNMPClientError.timeout(attempts: 1)) {
            _ = try await client.get(
                [Fixture.loadOID], from: address, credentials: .community(Fixture.community),
                timeout: .milliseconds(300), retries: 0)
        }
        #expect(listener.statistics[.unexpectedPDU] == 2)
        #expect(collector.all.isEmpty)
    }

    @Test func aReplayOutsideTheTimeWindowIsReported() async throws {
        let (listener, port, collector) = try await Fixture.startListener()
        defer { Task { await listener.stop() } }
        let inform = PDU(
            kind: .informRequest, requestID: 5,
            variableBindings: SNMPNotification.bindings(upTime: 1, oid: Fixture.notificationOID, []))
        let stale = AgentFixture.v3Request(inform, user: Fixture.privUser, time: 10_000)
        let socket = try TestUDPSocket()
        let answer = try #require(try await socket.exchange(stale, port: port))
        let report = try SNMPv3Message(decoding: answer)
        // Authenticated, so that the sender can trust the engine time it carries.
        #expect(report.flags.contains(.authenticated))
        #expect(listener.statistics[.notInTimeWindow] == 1)
        #expect(collector.all.isEmpty)
    }

    @Test func aFullBacklogLeavesTheInformUnacknowledged() async throws {
        let listener = SNMPNotificationListener(
            configuration: Fixture.configuration(bufferCapacity: 1), keyCache: AgentFixture.keyCache)
        let address = try await listener.start()
        defer { Task { await listener.stop() } }
        let sender = try await SNMPNotificationSender.start(
            receiver: address, credentials: .user(Fixture.privUser), timeout: .milliseconds(300), retries: 0,
            keyCache: AgentFixture.keyCache)
        defer { Task { await sender.shutdown() } }
        // Nobody reads: the first fills the buffer, the second is dropped and not acknowledged.
        try await sender.send(Fixture.notificationOID, [])
        await #expect(throws: SNMPClientError.timeout(attempts: 1)) {
            try await sender.send(Fixture.notificationOID, [])
        }
        #expect(listener.statistics.accepted == 1)
        #expect(listener.statistics[.backlogFull] == 1)
        #expect(listener.statistics.responsesSent == 1)
    }
}
