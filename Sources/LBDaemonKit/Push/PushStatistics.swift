import CoreMetrics
import SNMP
import Synchronization

/// What the push path received and did since it started: the figures behind the `lbd_push_*`
/// metrics.
public struct PushStatistics: Hashable, Sendable {
    /// Notifications by outcome: `accepted`, `unknown_source`, or the listener's drop reason in
    /// snake case (`wrong_digest`, `unknown_user`, `not_in_time_window`...).
    public var notifications: [String: UInt64] = [:]
    /// Nodes re-polled.
    public var repolls: UInt64 = 0
    /// Notifications folded into a re-poll already queued or owed.
    public var coalesced: UInt64 = 0
    /// Re-polls that waited for the overall limit.
    public var rateLimited: UInt64 = 0
    /// Notifications dropped because the queue was full.
    public var dropped: UInt64 = 0

    public init() {}

    /// The notifications with `outcome` (0 if none).
    public subscript(outcome: String) -> UInt64 { notifications[outcome, default: 0] }

    /// The metric label of a listener drop: its reason in snake case. A source the listener
    /// refused is one lbd does not know (`unknown_source`).
    public static func outcome(of reason: SNMPNotificationDropReason) -> String {
        switch reason {
        case .refusedSource: "unknown_source"
        case .oversized: "oversized"
        case .malformed: "malformed"
        case .unsupportedVersion: "unsupported_version"
        case .badCommunity: "bad_community"
        case .unknownEngineID: "unknown_engine_id"
        case .unknownUser: "unknown_user"
        case .unsupportedSecurityLevel: "unsupported_security_level"
        case .wrongDigest: "wrong_digest"
        case .decryptionFailed: "decryption_failed"
        case .notInTimeWindow: "not_in_time_window"
        case .unexpectedPDU: "unexpected_pdu"
        case .invalidBindings: "invalid_bindings"
        case .backlogFull: "backlog_full"
        }
    }
}

/// The push path's counters, kept for `NotificationService.statistics` and reported to the
/// metrics; the listener's drops are folded in by difference at each `absorb(_:)`.
final class PushCounters: Sendable {
    private struct State {
        var statistics = PushStatistics()
        var listener = SNMPNotificationStatistics()
    }

    private let state = Mutex(State())
    private let metrics: LBDMetrics?

    init(metrics: LBDMetrics?) {
        self.metrics = metrics
        // Every series exists from the start, at 0, so that a rate() has a first sample.
        for outcome in ["accepted", "unknown_source"] { count(MetricName.pushNotifications, outcome, by: 0) }
        for name in [
            MetricName.pushRepolls, MetricName.pushCoalesced, MetricName.pushRateLimited,
            MetricName.pushDropped,
        ] {
            count(name, nil, by: 0)
        }
    }

    var snapshot: PushStatistics { state.withLock { $0.statistics } }

    func notification(_ outcome: String) {
        state.withLock { $0.statistics.notifications[outcome, default: 0] += 1 }
        count(MetricName.pushNotifications, outcome, by: 1)
    }

    func limited(_ outcome: PushLimiter.Outcome) {
        let name: String
        switch outcome {
        case .ready: return
        case .coalesced:
            state.withLock { $0.statistics.coalesced += 1 }
            name = MetricName.pushCoalesced
        case .rateLimited:
            state.withLock { $0.statistics.rateLimited += 1 }
            name = MetricName.pushRateLimited
        case .dropped:
            state.withLock { $0.statistics.dropped += 1 }
            name = MetricName.pushDropped
        }
        count(name, nil, by: 1)
    }

    func repolled(_ nodes: Int) {
        state.withLock { $0.statistics.repolls += UInt64(nodes) }
        count(MetricName.pushRepolls, nil, by: nodes)
    }

    /// Counts the listener's drops since the last call.
    func absorb(_ listener: SNMPNotificationStatistics) {
        let delta = state.withLock { state -> [(String, UInt64)] in
            var delta: [(String, UInt64)] = []
            for (reason, total) in listener.dropped {
                let new = total &- state.listener[reason]
                guard new > 0 else { continue }
                let outcome = PushStatistics.outcome(of: reason)
                state.statistics.notifications[outcome, default: 0] += new
                delta.append((outcome, new))
            }
            state.listener = listener
            return delta
        }
        for (outcome, count) in delta {
            self.count(MetricName.pushNotifications, outcome, by: Int(clamping: count))
        }
    }

    private func count(_ name: String, _ outcome: String?, by amount: Int) {
        guard let metrics else { return }
        // Label values come from fixed lists (outcomes, drop reasons), never from a datagram.
        let counter = CoreMetrics.Counter(
            label: name, dimensions: outcome.map { [("outcome", $0)] } ?? [], factory: metrics.factory)
        if amount > 0 { counter.increment(by: amount) }
    }
}
