import Synchronization

/// The operation did not finish in time.
struct DeadlineExceeded: Error {
    var after: Duration
}

/// Runs `operation`, giving up after `timeout`.
///
/// On timeout the operation's task is cancelled (which kills any program it runs) but not
/// awaited: a check stuck in an uninterruptible system call (a `stat` of a hung AFS mount) must
/// not hold the answer for every other alias. The timeout is armed on `timer`, not with a
/// sleeping task (see ``DeadlineTimer``).
func withDeadline<T: Sendable>(
    _ timeout: Duration, timer: DeadlineTimer = .shared, operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    let outcome = FirstResult<T>()
    let race = Race()
    return try await withTaskCancellationHandler {
        // Resumed exactly once by `outcome` (see ``FirstResult``).
        try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<T, any Error>) in
            outcome.install(continuation)
            race.setAlarm(
                timer.schedule(after: timeout) {
                    if outcome.deliver(throwing: DeadlineExceeded(after: timeout)) { race.cancelWork() }
                })
            race.startWork {
                let delivered: Bool
                do {
                    delivered = outcome.deliver(returning: try await operation())
                } catch {
                    delivered = outcome.deliver(throwing: error)
                }
                if delivered { race.cancelAlarm() }
            }
        }
    } onCancel: {
        if outcome.deliver(throwing: CancellationError()) {
            race.cancelWork()
            race.cancelAlarm()
        }
    }
}

/// The operation's task and the alarm of ``withDeadline(_:timer:operation:)``, so that either
/// can stop the other, even when the stop comes before what it stops was stored.
///
/// The task is kept as the closure that cancels it: storing a `Task<Void, Never>?` makes the
/// Swift runtime build that type's metadata from its mangled name, with a search of every
/// protocol conformance of the executable (for `Never: Error`) at every one-shot run.
private final class Race: Sendable {
    private struct State {
        var cancelWork: (@Sendable () -> Void)?
        var workCancelled = false
        var alarm: DeadlineTimer.Registration?
        var alarmCancelled = false
    }
    private let state = Mutex(State())

    func startWork(_ body: @escaping @Sendable () async -> Void) {
        let task = Task(operation: body)
        let cancelled = state.withLock { state -> Bool in
            state.cancelWork = { task.cancel() }
            return state.workCancelled
        }
        if cancelled { task.cancel() }
    }

    func setAlarm(_ alarm: DeadlineTimer.Registration) {
        let cancelled = state.withLock { state -> Bool in
            state.alarm = alarm
            return state.alarmCancelled
        }
        if cancelled { alarm.cancel() }
    }

    func cancelWork() {
        state.withLock { state -> (@Sendable () -> Void)? in
            state.workCancelled = true
            return state.cancelWork
        }?()
    }

    func cancelAlarm() {
        state.withLock { state -> DeadlineTimer.Registration? in
            state.alarmCancelled = true
            return state.alarm
        }?.cancel()
    }
}
