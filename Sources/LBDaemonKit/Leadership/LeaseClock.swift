/// The monotonic time a ``LeaseLeadership`` measures its deadline with, and waits on.
///
/// Injected so that tests can hold an instance's renewals (as if the process were frozen)
/// while its deadline keeps running.
public protocol LeaseClock: Sendable {
    var now: ContinuousClock.Instant { get }
    /// Waits until `deadline`; throws when the task is cancelled.
    func sleep(until deadline: ContinuousClock.Instant) async throws
}

/// The system's monotonic clock, which keeps counting while the process is stopped (SIGSTOP),
/// so that a resumed holder sees at once that its deadline passed.
public struct SystemLeaseClock: LeaseClock {
    public init() {}

    public var now: ContinuousClock.Instant { ContinuousClock.now }

    public func sleep(until deadline: ContinuousClock.Instant) async throws {
        try await Task.sleep(until: deadline, clock: .continuous)
    }
}
