import Synchronization

/// The latest evaluated answer, refreshed at most every `maximumAge`, for the long-running
/// modes (pass_persist and the embedded agent).
///
/// A request is answered at once from the cache whenever there is a value: when it is older
/// than `maximumAge`, one refresh starts in the background and the request still gets the
/// previous value. snmpd waits on a pass_persist program without a timeout of its own and an
/// SNMP poller gives up after a second or two, so answering quickly matters more than answering
/// with a value a few seconds fresher. Only the very first request waits for an evaluation,
/// unless `maximumAge` is zero: then every request waits for an evaluation of its own (requests
/// arriving together share one), so that a change on the node shows in the very next poll.
/// No request waits longer than `longestWait`: a slower evaluation goes on in the background
/// and the request gets the previous answer, or nil when there is none yet.
public actor AnswerCache {
    /// Evaluates the answer; nil when there is none (no configuration could be found at all).
    public typealias Evaluate = @Sendable () async -> PassAnswer?

    /// Default for `longestWait`: under the second or two an SNMP poller waits for its answer.
    public static let defaultLongestWait: Duration = .milliseconds(900)

    private let evaluate: Evaluate
    private let maximumAge: Duration
    private let longestWait: Duration
    private let now: @Sendable () -> ContinuousClock.Instant
    private var current: (answer: PassAnswer?, at: ContinuousClock.Instant)? {
        didSet { published.withLock { $0 = current } }
    }
    /// `current`, readable without a hop onto the actor, for `freshAnswer()`.
    private nonisolated let published = Mutex<(answer: PassAnswer?, at: ContinuousClock.Instant)?>(nil)
    private var refresh: Task<PassAnswer?, Never>?
    /// Number of evaluations started, for tests and logs.
    public private(set) var evaluations = 0

    public init(
        maximumAge: Duration, longestWait: Duration = AnswerCache.defaultLongestWait,
        now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }, evaluate: @escaping Evaluate
    ) {
        self.maximumAge = maximumAge
        self.longestWait = longestWait
        self.now = now
        self.evaluate = evaluate
    }

    /// The current answer; waits (at most `longestWait`) only when none was evaluated yet or
    /// `maximumAge` is zero.
    public func answer() async -> PassAnswer? {
        if maximumAge > .zero, let current {
            if now() - current.at >= maximumAge { startRefresh() }
            return current.answer
        }
        let task = startRefresh()
        if let finished = await Self.value(of: task, waitingAtMost: longestWait) { return finished }
        // Still evaluating: the previous answer, if any, rather than keep the poller waiting.
        return current?.answer
    }

    /// The answer `answer()` would give at once without starting an evaluation: the current one
    /// while it is younger than `maximumAge`; `nil` otherwise, and then `answer()` decides. Never
    /// waits, so an agent can call it on its event loop for every request.
    public nonisolated func freshAnswer() -> PassAnswer? {
        guard maximumAge > .zero, let current = published.withLock({ $0 }), now() - current.at < maximumAge
        else { return nil }
        return current.answer
    }

    /// Starts an evaluation unless one is running, so the first request finds a value ready.
    @discardableResult
    public func startRefresh() -> Task<PassAnswer?, Never> {
        if let refresh { return refresh }
        evaluations += 1
        // The task stores its own answer, so whoever awaits it finds the cache updated.
        let task = Task { [evaluate] in
            let answer = await evaluate()
            await self.store(answer)
            return answer
        }
        refresh = task
        return task
    }

    /// Evaluates now and returns the answer, which becomes the current one: the background
    /// evaluation's entry (`--notify`). An evaluation that was already running is waited for
    /// first, so the answer reflects the node as it was when this was called.
    public func evaluateNow() async -> PassAnswer? {
        if let running = refresh { _ = await running.value }
        return await startRefresh().value
    }

    private func store(_ answer: PassAnswer?) {
        current = (answer, now())
        refresh = nil
    }

    /// The task's value when it comes within `limit`, else `.none` (the task goes on).
    private nonisolated static func value(
        of task: Task<PassAnswer?, Never>, waitingAtMost limit: Duration
    ) async -> PassAnswer?? {
        let outcome = FirstResult<PassAnswer??>()
        let waiter = Task { outcome.deliver(returning: .some(await task.value)) }
        let timer = Task {
            try? await Task.sleep(for: limit)
            outcome.deliver(returning: .none)
        }
        defer {
            waiter.cancel()
            timer.cancel()
        }
        let result = try? await withCheckedThrowingContinuation { outcome.install($0) }
        return result ?? .none
    }
}
