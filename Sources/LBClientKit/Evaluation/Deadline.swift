import Synchronization

/// The operation did not finish in time.
struct DeadlineExceeded: Error {
    var after: Duration
}

/// Runs `operation`, giving up after `timeout`.
///
/// On timeout the operation's task is cancelled (which kills any program it runs) but not
/// awaited: a check stuck in an uninterruptible system call (a `stat` of a hung AFS mount) must
/// not hold the answer for every other alias.
func withDeadline<T: Sendable>(
    _ timeout: Duration, operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    let outcome = FirstResult<T>()
    let tasks = RaceTasks()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            outcome.install(continuation)
            tasks.startWork {
                let result: Result<T, any Error>
                do { result = .success(try await operation()) } catch { result = .failure(error) }
                if outcome.deliver(result) { tasks.cancelTimer() }
            }
            tasks.startTimer {
                try? await Task.sleep(for: timeout)
                guard !Task.isCancelled else { return }
                if outcome.deliver(.failure(DeadlineExceeded(after: timeout))) { tasks.cancelWork() }
            }
        }
    } onCancel: {
        if outcome.deliver(.failure(CancellationError())) {
            tasks.cancelWork()
            tasks.cancelTimer()
        }
    }
}

/// The two racing tasks of ``withDeadline(_:operation:)``, so either can cancel the other.
///
/// Each task is kept as the closure that cancels it: storing a `Task<Void, Never>?` makes the
/// Swift runtime build that type's metadata from its mangled name, with a search of every
/// protocol conformance of the executable (for `Never: Error`) at every one-shot run.
private final class RaceTasks: Sendable {
    private let work = Mutex<(@Sendable () -> Void)?>(nil)
    private let timer = Mutex<(@Sendable () -> Void)?>(nil)

    func startWork(_ body: @escaping @Sendable () async -> Void) {
        work.withLock {
            let task = Task(operation: body)
            $0 = { task.cancel() }
        }
    }

    func startTimer(_ body: @escaping @Sendable () async -> Void) {
        timer.withLock {
            let task = Task(operation: body)
            $0 = { task.cancel() }
        }
    }

    func cancelWork() { work.withLock { $0 }?() }
    func cancelTimer() { timer.withLock { $0 }?() }
}
