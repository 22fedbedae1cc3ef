import Foundation

/// What one check of the master's heartbeat found, as the standby's takeover decision sees it.
public enum HeartbeatObservation: Hashable, Sendable {
    /// The master's line, written `age` seconds ago (at most `takeover_after`).
    case fresh(age: Double)
    /// The master's line, older than `takeover_after` by the standby's clock, or from further in
    /// the future than that (a negative age: the two clocks disagree).
    case stale(age: Double)
    /// The body holds no line of the master (another host's line, an error page, garbage).
    case mismatch
    /// The heartbeat could not be fetched: the reason, in a few words.
    case unreachable(reason: String)

    /// The observation for a heartbeat `timestamp` (Unix seconds) read at `now`.
    ///
    /// A heartbeat from the future by more than `takeoverAfter` counts as stale: with clocks
    /// that far apart the age says nothing about whether the master is alive. (golbd's standby
    /// stayed quiet then, as its `now - ts > 600` is false, and trusted a master it could not
    /// judge; lbd publishes and says why.)
    public static func classify(timestamp: Int64, now: Date, takeoverAfter: Double) -> HeartbeatObservation {
        let age = now.timeIntervalSince1970 - Double(timestamp)
        return abs(age) > takeoverAfter ? .stale(age: age) : .fresh(age: age)
    }
}
