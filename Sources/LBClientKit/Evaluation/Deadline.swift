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
    let outcome = OnceBox<T>()
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
private final class RaceTasks: Sendable {
    private let work = Mutex<Task<Void, Never>?>(nil)
    private let timer = Mutex<Task<Void, Never>?>(nil)

    func startWork(_ body: @escaping @Sendable () async -> Void) {
        work.withLock { $0 = Task(operation: body) }
    }

    func startTimer(_ body: @escaping @Sendable () async -> Void) {
        timer.withLock { $0 = Task(operation: body) }
    }

    func cancelWork() { work.withLock { $0 }?.cancel() }
    func cancelTimer() { timer.withLock { $0 }?.cancel() }
}

/// Resumes a continuation exactly once, with whichever result arrives first, even when the
/// first result arrives before the continuation exists (a task cancelled before it started).
private final class OnceBox<Value: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<Value, any Error>?
        var early: Result<Value, any Error>?
        var delivered = false
    }
    private let state = Mutex(State())

    func install(_ continuation: CheckedContinuation<Value, any Error>) {
        let early = state.withLock { state -> Result<Value, any Error>? in
            if let early = state.early { return early }
            state.continuation = continuation
            return nil
        }
        if let early { continuation.resume(with: early) }
    }

    /// Returns true when this call delivered the result, false when another one came first.
    func deliver(_ result: Result<Value, any Error>) -> Bool {
        let continuation = state.withLock { state -> CheckedContinuation<Value, any Error>?? in
            guard !state.delivered else { return .none }
            state.delivered = true
            guard let continuation = state.continuation else {
                state.early = result
                return .some(nil)
            }
            state.continuation = nil
            return .some(continuation)
        }
        guard let continuation else { return false }
        continuation?.resume(with: result)
        return true
    }
}
