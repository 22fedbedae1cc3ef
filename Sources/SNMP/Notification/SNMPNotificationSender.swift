import NIOCore
import NIOPosix

/// Sends notifications to one receiver: SNMPv3 INFORMs, or v2c traps (or v2c informs).
///
/// For an INFORM the receiver is the authoritative engine (RFC 3412 section 6.1, RFC 3414
/// section 3.2): the sender discovers its engine ID, boots and time with an unauthenticated
/// probe, localises the user's keys to it and keeps it for the next sends; a
/// usmStatsNotInTimeWindows or usmStatsUnknownEngineIDs Report (the receiver restarted)
/// triggers one re-discovery. Each attempt waits `timeout` for the Response and is retried
/// `retries` times. The exchange is ``SNMPClient``'s, so the same matching, retries and errors
/// apply.
///
/// ```swift
/// let sender = try await SNMPNotificationSender.start(
///     receiver: try SocketAddress(ipAddress: "192.0.2.1", port: 162), credentials: .user(user))
/// try await sender.send(OID(".1.3.6.1.4.1.96.255.0.1")!, [VariableBinding(oid: load, value: .integer(3))])
/// await sender.shutdown()
/// ```
public final class SNMPNotificationSender: Sendable {
    public let receiver: SocketAddress
    public let credentials: SNMPCredentials
    /// `.inform` (confirmed, the only kind for v3) or `.trap` (v2c, fire and forget).
    public let kind: SNMPNotification.Kind
    /// How long one INFORM attempt waits for its Response.
    public let timeout: Duration
    /// INFORM attempts after the first one times out.
    public let retries: Int

    private let client: SNMPClient
    private let startedAt: ContinuousClock.Instant
    private let now: @Sendable () -> ContinuousClock.Instant
    private let random: @Sendable () -> UInt64

    /// Opens the sender's socket.
    ///
    /// - Parameters:
    ///   - receiver: the listener's address (port 162 as a rule).
    ///   - credentials: a USM user (INFORM) or a v2c community.
    ///   - kind: `nil` for the usual kind: an INFORM for a user, a trap for a community.
    ///   - sourceAddress: the local address to send from, of the receiver's family (`127.0.0.2`);
    ///     `nil` lets the system choose.
    ///   - keyCache: shared USM key cache (password-to-key is costly).
    ///   - now: the clock `sysUpTime.0` counts on, from this call.
    ///   - random: 64 random bits, for trap request-ids.
    /// - Throws: ``SNMPNotificationError``, or SwiftNIO's error when the socket cannot be
    ///   bound to `sourceAddress`.
    public static func start(
        receiver: SocketAddress, credentials: SNMPCredentials, kind: SNMPNotification.Kind? = nil,
        timeout: Duration = .seconds(1), retries: Int = 2, sourceAddress: String? = nil,
        keyCache: USMKeyCache = USMKeyCache(),
        now: @escaping @Sendable () -> ContinuousClock.Instant = { .now },
        random: @escaping @Sendable () -> UInt64 = {
            var generator = SystemRandomNumberGenerator()
            return generator.next()
        },
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> SNMPNotificationSender {
        let kind = kind ?? (credentials.version == .v3 ? .inform : .trap)
        try validate(
            receiver: receiver, credentials: credentials, kind: kind, timeout: timeout, retries: retries)
        let client = try await SNMPClient.start(
            maximumInFlight: 64, keyCache: keyCache, localAddress: sourceAddress ?? wildcard(for: receiver),
            eventLoopGroup: eventLoopGroup)
        return SNMPNotificationSender(
            receiver: receiver, credentials: credentials, kind: kind, timeout: timeout, retries: retries,
            client: client, now: now, random: random)
    }

    private init(
        receiver: SocketAddress, credentials: SNMPCredentials, kind: SNMPNotification.Kind, timeout: Duration,
        retries: Int, client: SNMPClient, now: @escaping @Sendable () -> ContinuousClock.Instant,
        random: @escaping @Sendable () -> UInt64
    ) {
        self.receiver = receiver
        self.credentials = credentials
        self.kind = kind
        self.timeout = timeout
        self.retries = retries
        self.client = client
        self.now = now
        self.random = random
        startedAt = now()
    }

    /// Closes the socket; sends still waiting fail with ``SNMPClientError/shutDown``.
    public func shutdown() async {
        await client.shutdown()
    }

    /// Sends the notification `oid` with `variableBindings` after `sysUpTime.0` and
    /// `snmpTrapOID.0`. An INFORM returns once the receiver has acknowledged it; a trap once it
    /// is sent.
    ///
    /// - Parameter upTime: `sysUpTime.0` in hundredths of a second; `nil` for the time since
    ///   `start`.
    /// - Throws: ``SNMPClientError``: `timeout` when no Response came after every retry,
    ///   `security` when the receiver sent a Report (unknown user, wrong digest...) or its
    ///   Response failed the checks, `errorStatus` for a Response with an error; or
    ///   `CancellationError`.
    public func send(_ oid: OID, _ variableBindings: [VariableBinding] = [], upTime: UInt32? = nil)
        async throws
    {
        let bindings = SNMPNotification.bindings(
            upTime: upTime ?? currentUpTime(), oid: oid, variableBindings)
        // `start` allows traps for communities only.
        guard kind == .trap, case .community(let community, let version) = credentials else {
            _ = try await client.request(
                .informRequest, bindings, to: receiver, credentials: credentials, timeout: timeout,
                retries: retries)
            return
        }
        let pdu = PDU(
            kind: .trap, requestID: Int32(truncatingIfNeeded: random() & 0x7FFF_FFFF),
            variableBindings: bindings)
        try await client.post(
            CommunityMessage(version: version, community: Array(community.utf8), pdu: pdu).encoded(),
            to: receiver)
    }

    /// Hundredths of a second since `start`, wrapping as TimeTicks do.
    private func currentUpTime() -> UInt32 {
        let elapsed = (now() - startedAt).components
        let hundredths =
            max(elapsed.seconds, 0) &* 100 &+ max(elapsed.attoseconds, 0) / 10_000_000_000_000_000
        return UInt32(truncatingIfNeeded: hundredths)
    }

    private static func wildcard(for receiver: SocketAddress) -> String {
        receiver.protocol == .inet6 ? "::" : "0.0.0.0"
    }

    private static func validate(
        receiver: SocketAddress, credentials: SNMPCredentials, kind: SNMPNotification.Kind, timeout: Duration,
        retries: Int
    ) throws(SNMPNotificationError) {
        switch (credentials.version, kind) {
        case (.v1, _):
            throw SNMPNotificationError(
                .unsupported, "SNMPv1 traps are not supported; use a v2c community or a v3 user")
        case (.v3, .trap):
            throw SNMPNotificationError(
                .unsupported,
                "SNMPv3 traps are not supported (their sender is the authoritative engine); send INFORMs")
        case (.v2c, _), (.v3, .inform):
            break
        }
        guard receiver.protocol == .inet || receiver.protocol == .inet6 else {
            throw SNMPNotificationError(
                .invalidConfiguration, "the receiver \(receiver) is not an IP address")
        }
        guard timeout > .zero, retries >= 0 else {
            throw SNMPNotificationError(
                .invalidConfiguration, "the timeout must be positive and retries not negative")
        }
    }
}
