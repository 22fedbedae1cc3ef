/// The streams `Leadership.roleChanges()` handed out, held by the leadership actor: each gets the
/// role at subscription, then every change, and ends when the leadership stops.
struct RoleSubscribers {
    private var continuations: [Int: AsyncStream<LeadershipRole>.Continuation] = [:]
    private var next = 0
    private var finished = false

    /// A new stream starting with `current`. `unsubscribe` is called with the subscriber's id when
    /// its consumer goes away, for the actor to call `remove(_:)`.
    mutating func subscribe(
        current: LeadershipRole, unsubscribe: @escaping @Sendable (Int) -> Void
    ) -> AsyncStream<LeadershipRole> {
        // A consumer that falls behind needs only the latest roles, not every one.
        let (stream, continuation) = AsyncStream.makeStream(
            of: LeadershipRole.self, bufferingPolicy: .bufferingNewest(8))
        continuation.yield(current)
        guard !finished else {
            continuation.finish()
            return stream
        }
        let id = next
        next += 1
        continuations[id] = continuation
        continuation.onTermination = { _ in unsubscribe(id) }
        return stream
    }

    func announce(_ role: LeadershipRole) {
        for continuation in continuations.values { continuation.yield(role) }
    }

    mutating func remove(_ id: Int) {
        continuations[id] = nil
    }

    /// Ends every stream, and the ones subscribed later at once.
    mutating func finish() {
        finished = true
        for continuation in continuations.values { continuation.finish() }
        continuations = [:]
    }
}
