import Synchronization

/// Why a ``SNMPNotificationListener`` dropped a datagram. The raw value is a stable name for a
/// metric label.
public enum SNMPNotificationDropReason: String, CaseIterable, Hashable, Sendable {
    /// Longer than `maximumMessageSize`.
    case oversized
    /// Refused by the configuration's `acceptsSource` before being decoded.
    case refusedSource
    /// Not a decodable SNMP message (snmpInASNParseErrs).
    case malformed
    /// An SNMPv1 message (v1 traps are not accepted) or an unknown version.
    case unsupportedVersion
    /// A v2c community that is not accepted (snmpInBadCommunityNames).
    case badCommunity
    /// A v3 message for another engine than the listener's (not a discovery probe, which is
    /// counted in `discoveryProbes`).
    case unknownEngineID
    /// A v3 user that is not configured (usmStatsUnknownUserNames).
    case unknownUser
    /// A v3 message at another security level than its user's (usmStatsUnsupportedSecLevels for a
    /// higher one).
    case unsupportedSecurityLevel
    /// A v3 message whose digest is wrong: a forged message, or a wrong authentication password
    /// (usmStatsWrongDigests).
    case wrongDigest
    /// A v3 message that could not be decrypted: a wrong privacy password (usmStatsDecryptionErrors).
    case decryptionFailed
    /// An authenticated v3 message outside the time window, a replay or a sender that must
    /// resynchronise (usmStatsNotInTimeWindows).
    case notInTimeWindow
    /// A PDU that is not a notification: GET, SET, Response, Report...
    case unexpectedPDU
    /// A notification whose first two variable bindings are not `sysUpTime.0` and
    /// `snmpTrapOID.0`.
    case invalidBindings
    /// Accepted, but the consumer had `bufferCapacity` notifications still unread (or stopped
    /// reading); an INFORM is then not acknowledged, so its sender tries again.
    case backlogFull
}

/// What a ``SNMPNotificationListener`` received and what it did with it, since it was created.
///
/// Invariant: every datagram read is counted in `datagramsReceived` and then at most once in
/// `accepted`, `discoveryProbes` or one of `dropped`.
public struct SNMPNotificationStatistics: Hashable, Sendable {
    /// Datagrams read from the socket.
    public var datagramsReceived: UInt64 = 0
    /// Notifications delivered to the consumer.
    public var accepted: UInt64 = 0
    /// v3 engine-discovery probes answered with the listener's engine ID (RFC 3414 section 4).
    public var discoveryProbes: UInt64 = 0
    /// Responses to INFORMs sent.
    public var responsesSent: UInt64 = 0
    /// RFC 3414 Reports sent (discovery, time window, USM errors).
    public var reportsSent: UInt64 = 0
    /// Datagrams dropped, by reason; reasons not yet seen are absent.
    public var dropped: [SNMPNotificationDropReason: UInt64] = [:]

    public init() {}

    /// The datagrams dropped for `reason` (0 if none).
    public subscript(reason: SNMPNotificationDropReason) -> UInt64 {
        dropped[reason, default: 0]
    }
}

/// The listener's counters, updated from its event loop and read from anywhere.
final class NotificationCounters: Sendable {
    private let state = Mutex(SNMPNotificationStatistics())

    var snapshot: SNMPNotificationStatistics { state.withLock { $0 } }

    /// Adds one to `counter` and returns its new value.
    @discardableResult
    func increment(_ counter: WritableKeyPath<SNMPNotificationStatistics, UInt64> & Sendable) -> UInt64 {
        state.withLock { statistics in
            statistics[keyPath: counter] &+= 1
            return statistics[keyPath: counter]
        }
    }

    /// Counts a drop and returns the new count, which a Report carries as its usmStats value.
    @discardableResult
    func drop(_ reason: SNMPNotificationDropReason) -> UInt64 {
        state.withLock { statistics in
            let value = statistics.dropped[reason, default: 0] &+ 1
            statistics.dropped[reason] = value
            return value
        }
    }
}
