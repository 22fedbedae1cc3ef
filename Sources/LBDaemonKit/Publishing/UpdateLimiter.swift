import Synchronization

/// An async semaphore bounding how many UPDATEs are in flight at once, across every concurrent
/// `publish` call of a publisher, so that a thousand aliases changing together do not flood the
/// primary server.
///
/// Invariant: at most `limit` callers are inside `withPermit` at any time. Waiters are served in
/// arrival order; a waiter whose task is cancelled leaves the queue at once with a
/// `CancellationError` and takes no permit.
final class UpdateLimiter: Sendable {
    private struct Waiter {
        var id: UInt64
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var available: Int
        var waiters: [Waiter] = []
        var nextID: UInt64 = 0
    }

    /// The most permits held at once.
    let limit: Int
    private let state: Mutex<State>

    /// A limiter letting `limit` callers in at once (at least one, so nothing waits forever).
    init(limit: Int) {
        self.limit = max(1, limit)
        self.state = Mutex(State(available: max(1, limit)))
    }

    /// Runs `body` while holding a permit, waiting for one first if all are taken.
    func withPermit<T>(_ body: () async throws -> T) async throws -> T {
        try await acquire()
        defer { release() }
        return try await body()
    }

    private func acquire() async throws {
        let id = state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation {
                (continuation: CheckedContinuation<Void, any Error>) in
                // Checked under the lock: the cancellation handler takes the same lock after the
                // task's flag is set, so either it finds this waiter queued or this sees the flag.
                let outcome: Result<Void, any Error>? = state.withLock { state in
                    if Task.isCancelled { return .failure(CancellationError()) }
                    if state.available > 0 {
                        state.available -= 1
                        return .success(())
                    }
                    state.waiters.append(Waiter(id: id, continuation: continuation))
                    return nil
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> Waiter? in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiters.remove(at: index)
            }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }

    private func release() {
        let next = state.withLock { state -> Waiter? in
            if state.waiters.isEmpty {
                state.available += 1
                return nil
            }
            // The permit passes straight to the next waiter, so a newcomer cannot overtake it.
            return state.waiters.removeFirst()
        }
        next?.continuation.resume()
    }
}
