import NIOCore

/// Turns one received datagram into a notification to deliver, a Report to send, or nothing:
/// bytes in, no sockets, so that tests and the fuzzer can drive it directly.
///
/// Invariant: it never throws and never traps on any input; every datagram it does not accept is
/// counted once under a ``SNMPNotificationDropReason`` (or as a discovery probe).
struct NotificationReceiver: Sendable {
    /// What to do with a datagram.
    enum Outcome: Equatable {
        /// Nothing to send; the drop, if any, is counted.
        case drop
        /// Send this Report back (discovery, time window, USM error).
        case report([UInt8])
        /// Deliver the notification; once it is, send `acknowledgement` back (an INFORM's
        /// Response; `nil` for a trap).
        case deliver(SNMPNotification, acknowledgement: [UInt8]?)
    }

    /// The largest UDP payload over IPv4, the limit on an acknowledgement's size.
    static let maximumDatagramSize = 65_507

    let communities: Set<[UInt8]>
    /// The authoritative engine's USM checks, shared with the agent.
    let usm: AgentUSM
    let counters: NotificationCounters
    let maximumMessageSize: Int
    let acceptsSource: (@Sendable (SocketAddress) -> Bool)?
    let random: @Sendable () -> UInt64

    init(
        configuration: SNMPNotificationListenerConfiguration, keyCache: USMKeyCache,
        counters: NotificationCounters
    ) {
        communities = Set(configuration.communities.map { Array($0.utf8) })
        usm = AgentUSM(
            engineID: configuration.engineID, engineBoots: configuration.engineBoots,
            users: configuration.users,
            keyCache: keyCache)
        self.counters = counters
        maximumMessageSize = configuration.maximumMessageSize
        acceptsSource = configuration.acceptsSource
        random = configuration.random
    }

    /// What to do with `datagram`, received from `source` when the engine time was `engineTime`.
    func receive(_ datagram: [UInt8], from source: SocketAddress, engineTime: Int32) -> Outcome {
        guard datagram.count <= maximumMessageSize else { return drop(.oversized) }
        if let acceptsSource, !acceptsSource(source) { return drop(.refusedSource) }
        switch CommunityMessage.version(of: datagram) {
        case 1:
            guard let message = try? CommunityMessage(decoding: datagram) else { return drop(.malformed) }
            return receive(message, from: source)
        case 3:
            guard let message = try? SNMPv3Message(decoding: datagram) else { return drop(.malformed) }
            return receive(message, bytes: datagram, from: source, engineTime: engineTime)
        case nil:
            return drop(.malformed)
        default:
            return drop(.unsupportedVersion)
        }
    }

    private func drop(_ reason: SNMPNotificationDropReason) -> Outcome {
        counters.drop(reason)
        return .drop
    }

    private func receive(_ message: CommunityMessage, from source: SocketAddress) -> Outcome {
        // Silently, as for the agent: an answer would help guessing communities.
        guard communities.contains(message.community) else { return drop(.badCommunity) }
        let name = String(decoding: message.community, as: UTF8.self)
        return accept(message.pdu, version: .v2c, name: name, level: .noAuthNoPriv, from: source) {
            response in
            var answer = message
            answer.pdu = response
            return answer.encoded()
        }
    }

    private func receive(
        _ message: SNMPv3Message, bytes: [UInt8], from source: SocketAddress, engineTime: Int32
    ) -> Outcome {
        switch usm.check(message, bytes: bytes, engineTime: engineTime) {
        case .report(let error, let user):
            let count: UInt64
            if error == .unknownEngineID && message.security.engineID.isEmpty {
                count = counters.increment(\.discoveryProbes)
            } else {
                count = counters.drop(Self.reason(for: error))
            }
            guard AgentResponder.allowsReport(message) else { return .drop }
            return .report(
                usm.report(
                    error, counter: UInt32(truncatingIfNeeded: count), to: message, authenticatedAs: user,
                    engineTime: engineTime, salt: random()))
        case .serve(let scoped, let user, let refusal):
            // Below the user's level: authentic, but not as protected as configured.
            guard refusal == nil else { return drop(.unsupportedSecurityLevel) }
            return accept(scoped.pdu, version: .v3, name: user.name, level: user.securityLevel, from: source)
            {
                response in
                let answer = ScopedPDU(
                    contextEngineID: scoped.contextEngineID, contextName: scoped.contextName, pdu: response)
                return usm.seal(answer, to: message, for: user, engineTime: engineTime, salt: random())
            }
        }
    }

    /// Accepts a notification PDU that passed the security checks; `seal` wraps a Response the
    /// way the request came.
    private func accept(
        _ pdu: PDU, version: SNMPVersion, name: String, level: SecurityLevel, from source: SocketAddress,
        seal: (PDU) -> [UInt8]?
    ) -> Outcome {
        let kind: SNMPNotification.Kind
        switch pdu.kind {
        case .informRequest: kind = .inform
        case .trap: kind = .trap
        case .getRequest, .getNextRequest, .getBulkRequest, .setRequest, .response, .report:
            return drop(.unexpectedPDU)
        }
        guard let (upTime, oid, rest) = SNMPNotification.parse(pdu.variableBindings) else {
            return drop(.invalidBindings)
        }
        let notification = SNMPNotification(
            source: source, version: version, securityName: name, securityLevel: level, kind: kind,
            upTime: upTime, oid: oid, variableBindings: rest)
        guard kind == .inform else { return .deliver(notification, acknowledgement: nil) }
        // RFC 3416 section 4.2.7: the same request-id and bindings, or tooBig without them.
        var response = PDU(kind: .response, requestID: pdu.requestID, variableBindings: pdu.variableBindings)
        var acknowledgement = seal(response)
        if let bytes = acknowledgement, bytes.count > Self.maximumDatagramSize {
            response.variableBindings = []
            response.errorStatus = SNMPErrorStatus.tooBig.rawValue
            acknowledgement = seal(response)
        }
        return .deliver(notification, acknowledgement: acknowledgement)
    }

    private static func reason(for error: USMError) -> SNMPNotificationDropReason {
        switch error {
        case .unsupportedSecurityLevel: return .unsupportedSecurityLevel
        case .notInTimeWindow: return .notInTimeWindow
        case .unknownUserName: return .unknownUser
        case .unknownEngineID: return .unknownEngineID
        case .wrongDigest: return .wrongDigest
        case .decryptionError: return .decryptionFailed
        }
    }

    /// Computes the users' localised keys, so that the first INFORM does not pay for them.
    func warmKeyCache() {
        usm.warmKeyCache()
    }
}
