import Foundation

/// The standby's decision in heartbeat mode, from observations of the master's heartbeat: a pure
/// value, no I/O, every time given.
///
/// The standby publishes as soon as the heartbeat is unreachable, does not match, or is stale
/// (as golbd, which published on any failed check), except in its first `takeoverAfter` seconds
/// before it has seen the master once: a pair started together must not publish twice. It hands back only once the master's
/// heartbeat has been fresh at every check for `holdDown` seconds, so that a flapping link does
/// not make the two take turns. The master (`isMaster`) is always active.
public struct HeartbeatTakeover: Hashable, Sendable {
    /// A change of role and why.
    public struct Transition: Hashable, Sendable {
        /// Whether the standby took over or handed back.
        public enum Action: String, Hashable, Sendable {
            case takeover
            case handback
        }

        public var action: Action
        public var role: LeadershipRole
        /// A sentence for the log.
        public var reason: String
    }

    /// The master's name (`ha.master`).
    public let master: String
    /// Whether this instance is the master.
    public let isMaster: Bool
    public let takeoverAfter: Double
    public let holdDown: Double
    /// The role now.
    public private(set) var role: LeadershipRole
    /// Why the role is what it is, in a sentence.
    public private(set) var reason: String
    /// Since when the role is held.
    public private(set) var since: Date
    /// While a standby that took over sees the master fresh: since when, without a break.
    public private(set) var freshSince: Date?
    /// When this instance started, and whether it has seen the master's heartbeat fresh since:
    /// until either, a failed check does not take over yet, so that two instances started
    /// together (the master writes its first heartbeat after its first round) do not both
    /// publish.
    public let startedAt: Date
    public private(set) var hasSeenMaster = false

    /// The decision at start, at `now`: the master is active; a standby waits for its first
    /// check, which `HeartbeatLeadership` makes at once.
    public init(instance: String, master: String, takeoverAfter: Double, holdDown: Double, now: Date) {
        self.master = master
        self.isMaster = instance == master
        self.takeoverAfter = takeoverAfter
        self.holdDown = holdDown
        self.since = now
        self.startedAt = now
        if isMaster {
            role = .active
            reason = "this instance is the master (\(master)): it publishes and writes the heartbeat"
        } else {
            role = .standby
            reason = "standby of the master \(master): its heartbeat is not checked yet"
        }
    }

    /// Takes `observation`, made at `now`, into account; the transition when the role changes.
    public mutating func observe(_ observation: HeartbeatObservation, at now: Date) -> Transition? {
        guard !isMaster else { return nil }
        switch (role, observation) {
        case (.standby, .fresh(let age)):
            hasSeenMaster = true
            reason = "standby: the master \(master)'s heartbeat is fresh (\(Self.seconds(age)) old)"
            return nil
        case (.standby, _) where !hasSeenMaster && now.timeIntervalSince(startedAt) < takeoverAfter:
            reason =
                "standby, waiting up to takeover_after \(Self.seconds(takeoverAfter)) from start for the master's first heartbeat: \(Self.failure(observation, master: master, takeoverAfter: takeoverAfter))"
            return nil
        case (.standby, _):
            return change(
                to: .active, action: .takeover, at: now,
                reason:
                    "taking over, this standby publishes now: \(Self.failure(observation, master: master, takeoverAfter: takeoverAfter))"
            )
        case (.active, .fresh(let age)):
            let start = freshSince ?? now
            freshSince = start
            let fresh = now.timeIntervalSince(start)
            guard fresh >= holdDown else {
                reason =
                    "active while the master \(master)'s heartbeat is fresh again (\(Self.seconds(age)) old) for \(Self.seconds(fresh)) of the \(Self.seconds(holdDown)) hold-down"
                return nil
            }
            return change(
                to: .standby, action: .handback, at: now,
                reason:
                    "handing back to the master \(master), this instance stops publishing: its heartbeat has been fresh for \(Self.seconds(fresh)) (hold_down \(Self.seconds(holdDown)))"
            )
        case (.active, _):
            freshSince = nil
            reason = "active: \(Self.failure(observation, master: master, takeoverAfter: takeoverAfter))"
            return nil
        }
    }

    private mutating func change(
        to role: LeadershipRole, action: Transition.Action, at now: Date, reason: String
    ) -> Transition {
        self.role = role
        self.reason = reason
        since = now
        freshSince = nil
        return Transition(action: action, role: role, reason: reason)
    }

    /// What is wrong with the master's heartbeat, in words.
    private static func failure(_ observation: HeartbeatObservation, master: String, takeoverAfter: Double)
        -> String
    {
        switch observation {
        case .fresh(let age):
            return "the master \(master)'s heartbeat is fresh (\(seconds(age)) old)"
        case .stale(let age) where age < 0:
            return
                "the master \(master)'s heartbeat is \(seconds(-age)) in the future, more than takeover_after \(seconds(takeoverAfter)): the clocks disagree, so it is treated as stale"
        case .stale(let age):
            return
                "the master \(master)'s heartbeat is \(seconds(age)) old, older than takeover_after \(seconds(takeoverAfter))"
        case .mismatch:
            return "the heartbeat fetched holds no line of the master \(master)"
        case .unreachable(let why):
            return "the master \(master)'s heartbeat is unreachable (\(why))"
        }
    }

    /// `12 s`, `0.25 s`.
    static func seconds(_ value: Double) -> String {
        guard value.isFinite, abs(value) < 1e12 else { return "\(value) s" }
        let rounded = (value * 100).rounded() / 100
        return rounded == rounded.rounded() ? "\(Int64(rounded)) s" : "\(rounded) s"
    }
}
