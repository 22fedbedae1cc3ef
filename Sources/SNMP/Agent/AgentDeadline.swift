import Synchronization

/// Waits for work at most a given time, even when the work ignores cancellation: a hung value
/// provider must delay only its own request.
enum AgentDeadline {
    /// The result of `work`, or `nil` if `timeout` passes first. The work runs in its own task,
    /// which is cancelled on timeout but may keep running if it does not check for cancellation;
    /// callers bound how many such tasks exist.
    static func run<T: Sendable>(timeout: Duration, _ work: @escaping @Sendable () async -> T) async -> T? {
        await withCheckedContinuation { (continuation: CheckedContinuation<T?, Never>) in
            let race = Race(continuation)
            let worker = Task {
                race.finish(await work())
            }
            let timer = Task {
                // A cancelled sleep means the work finished: the race is already over then.
                try? await Task.sleep(for: timeout)
                race.finish(nil)
            }
            race.attach([worker, timer])
        }
    }
}

/// Resumes a continuation with the first of several results and cancels the tasks still running.
private final class Race<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, Never>?
        var tasks: [Task<Void, Never>] = []
    }

    private let state: Mutex<State>

    init(_ continuation: CheckedContinuation<T, Never>) {
        state = Mutex(State(continuation: continuation))
    }

    /// Keeps the tasks to cancel when the race ends, or cancels them if it already has.
    func attach(_ tasks: [Task<Void, Never>]) {
        let finished = state.withLock { state in
            state.tasks = tasks
            return state.continuation == nil
        }
        if finished {
            for task in tasks { task.cancel() }
        }
    }

    func finish(_ value: T) {
        let (continuation, tasks) = state.withLock { state in
            defer {
                state.continuation = nil
                state.tasks = []
            }
            return (state.continuation, state.tasks)
        }
        guard let continuation else { return }
        continuation.resume(returning: value)
        for task in tasks { task.cancel() }
    }
}
