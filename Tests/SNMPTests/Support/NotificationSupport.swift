import LBTestSupport
import NIOCore
import Synchronization

@testable import SNMP

/// Reads a listener's notifications in a task of its own, so that tests can wait for them with a
/// bound (cancelling a task that waits on an AsyncStream would end the stream).
final class NotificationCollector: Sendable {
    /// Shared with the reading task, which must not hold the collector (its deinit cancels it).
    private final class Received: Sendable {
        let notifications = Mutex<[SNMPNotification]>([])
    }

    private let received = Received()
    private let reader: Task<Void, Never>

    init(_ listener: SNMPNotificationListener) {
        let received = self.received
        let stream = listener.notifications
        reader = Task {
            for await notification in stream {
                received.notifications.withLock { $0.append(notification) }
            }
        }
    }

    deinit {
        reader.cancel()
    }

    var all: [SNMPNotification] { received.notifications.withLock { $0 } }

    /// The notifications once there are at least `count`, or what came within `timeout`.
    func wait(count: Int, timeout: Duration = .seconds(5)) async -> [SNMPNotification] {
        await NotificationFixture.eventually(timeout: timeout) { self.all.count >= count }
        return all
    }
}

/// The users, OIDs and helpers the notification tests share.
enum NotificationFixture {
    static let notificationOID = OID(".1.3.6.1.4.1.96.255.0.1")!
    static let loadOID = AgentFixture.loadOID
    static let community = "trapcommunity"
    /// SHA-256 + AES, authPriv.
    static let privUser = AgentFixture.sha256User
    /// MD5, authNoPriv.
    static let authUser = AgentFixture.md5User
    static let bindings = [VariableBinding(oid: loadOID, value: .integer(42))]

    static func configuration(
        host: String = "127.0.0.1", communities: [String] = [community], bufferCapacity: Int = 64,
        maximumMessageSize: Int = 65_507, acceptsSource: (@Sendable (SocketAddress) -> Bool)? = nil,
        now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }
    ) -> SNMPNotificationListenerConfiguration {
        SNMPNotificationListenerConfiguration(
            host: host, port: 0, users: [privUser, authUser], communities: communities,
            engineID: AgentFixture.engineID, maximumMessageSize: maximumMessageSize,
            bufferCapacity: bufferCapacity, acceptsSource: acceptsSource, now: now)
    }

    /// A started listener, its port and a collector reading it.
    static func startListener(_ configuration: SNMPNotificationListenerConfiguration = configuration())
        async throws -> (listener: SNMPNotificationListener, port: Int, collector: NotificationCollector)
    {
        let listener = SNMPNotificationListener(configuration: configuration, keyCache: AgentFixture.keyCache)
        let address = try await listener.start()
        guard let port = address.port else { throw PeerError("the listener has no port") }
        return (listener, port, NotificationCollector(listener))
    }

    static func sender(
        port: Int, host: String = "127.0.0.1", credentials: SNMPCredentials,
        kind: SNMPNotification.Kind? = nil,
        sourceAddress: String? = nil, timeout: Duration = .milliseconds(500), retries: Int = 1
    ) async throws -> SNMPNotificationSender {
        try await SNMPNotificationSender.start(
            receiver: try SocketAddress(ipAddress: host, port: port), credentials: credentials, kind: kind,
            timeout: timeout, retries: retries, sourceAddress: sourceAddress, keyCache: AgentFixture.keyCache)
    }

    /// Waits until `condition` holds, checking every 20 ms for at most `timeout`.
    static func eventually(timeout: Duration = .seconds(5), _ condition: @Sendable () -> Bool) async {
        let deadline = ContinuousClock.now + timeout
        while !condition(), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// The drops, discovery probes and acceptances together: every datagram ends in one of them.
    static func outcomes(_ statistics: SNMPNotificationStatistics) -> UInt64 {
        statistics.dropped.values.reduce(0, +) + statistics.discoveryProbes + statistics.accepted
    }
}
