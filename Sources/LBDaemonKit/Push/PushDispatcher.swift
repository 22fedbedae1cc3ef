/// Runs a `PushLimiter` on the clock: takes notifications, starts the re-polls the limiter lets
/// start at once, and wakes itself for the trailing and queued ones.
///
/// Started re-polls are handed to `start` as batches of node names; the caller runs them.
actor PushDispatcher {
    private var limiter: PushLimiter
    private let now: @Sendable () -> ContinuousClock.Instant
    private let start: @Sendable ([String]) -> Void
    /// The one wake-up pending, and when it fires.
    private var timer: (task: Task<Void, Never>, deadline: ContinuousClock.Instant)?
    private var finished = false

    init(
        limiter: PushLimiter, now: @escaping @Sendable () -> ContinuousClock.Instant,
        start: @escaping @Sendable ([String]) -> Void
    ) {
        self.limiter = limiter
        self.now = now
        self.start = start
    }

    /// Takes one notification from each of `nodes` and starts what may start now.
    func notify(_ nodes: [String]) -> [PushLimiter.Outcome] {
        guard !finished else { return [] }
        let instant = now()
        let outcomes = nodes.map { limiter.notify($0, at: instant) }
        dispatch(at: instant)
        return outcomes
    }

    /// Stops waking up: re-polls still owed are left to the nodes' scheduled polls.
    func finish() {
        finished = true
        timer?.task.cancel()
        timer = nil
    }

    private func dispatch(at instant: ContinuousClock.Instant) {
        let started = limiter.take(at: instant)
        if !started.isEmpty { start(started) }
        guard !finished, let deadline = limiter.nextDeadline else { return }
        if let timer, timer.deadline <= deadline { return }
        timer?.task.cancel()
        let task = Task { [weak self] in
            guard (try? await Task.sleep(until: deadline, clock: .continuous)) != nil else { return }
            await self?.wake(for: deadline)
        }
        timer = (task, deadline)
    }

    private func wake(for deadline: ContinuousClock.Instant) {
        if timer?.deadline == deadline { timer = nil }
        guard !finished else { return }
        // Never earlier than the deadline the limiter gave, even if the injected clock lags.
        dispatch(at: max(now(), deadline))
    }
}
