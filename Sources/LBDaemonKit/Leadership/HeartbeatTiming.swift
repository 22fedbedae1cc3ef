/// How often heartbeat mode acts: the master writes and the standby checks every `interval`;
/// the master stops writing when the engine has completed no round for `engineStallLimit`.
public struct HeartbeatTiming: Hashable, Sendable {
    /// Between two writes (master) or two checks (standby); a check's whole request is bounded
    /// by it too, so that checks never pile up.
    public var interval: Duration
    /// How long the engine may go without completing a round before the master stops writing
    /// the heartbeat, so that the standby takes over from a process that is alive but stuck.
    public var engineStallLimit: Duration

    /// Explicit timings, for tests; the stall limit defaults to three intervals.
    public init(interval: Duration, engineStallLimit: Duration? = nil) {
        self.interval = interval
        self.engineStallLimit = engineStallLimit ?? interval * 3
    }

    /// The timings for `ha.takeover_after`: min(10 s, takeover_after / 3), so that a stale
    /// heartbeat is seen at least three times before it is too old and golbd's 10 s tick is kept
    /// with the usual settings.
    public init(takeoverAfter: Double) {
        let seconds = takeoverAfter.isFinite ? min(10, max(0.01, takeoverAfter / 3)) : 10
        self.init(interval: .milliseconds(Int64((seconds * 1000).rounded())))
    }
}
