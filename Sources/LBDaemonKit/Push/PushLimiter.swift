/// Decides when the nodes that pushed a notification are re-polled: at once when they may be,
/// later when a limit says so, so that a flapping node or a storm of notifications cannot starve
/// the scheduled polls, and never so late that a node's last change goes unseen.
///
/// - Per node: at most one re-poll starts per `perNodeInterval`. A notification within the
///   interval after a re-poll started is folded into ONE trailing re-poll at the interval's end,
///   which therefore sees the node's state after its latest notification.
/// - Overall: at most `maximumPerSecond` re-polls start in any one-second window; the others wait
///   in a queue of at most `queueCapacity` nodes, each node at most once. A notification that
///   finds the queue full is dropped (its node keeps its scheduled polls); a trailing re-poll is
///   never dropped, it waits for room.
///
/// A pure value: the caller gives the time, calls `take(at:)` when something may be due (after
/// each notification and at `nextDeadline`) and starts the re-polls it returns.
public struct PushLimiter: Sendable {
    public typealias Instant = ContinuousClock.Instant

    /// What became of one notification.
    public enum Outcome: Hashable, Sendable {
        /// Queued, and the overall limit lets it start now.
        case ready
        /// Queued behind the overall limit.
        case rateLimited
        /// Folded into a re-poll already queued or owed at the end of the node's interval.
        case coalesced
        /// The queue was full.
        case dropped
    }

    public let perNodeInterval: Duration
    public let maximumPerSecond: Int
    public let queueCapacity: Int

    /// The start of each node's latest re-poll, while it is less than `perNodeInterval` old.
    private var lastStart: [String: Instant] = [:]
    /// Nodes owed a trailing re-poll, with the instant it is due.
    private var trailing: [String: Instant] = [:]
    /// Nodes waiting for the overall limit, oldest first; `queued` holds the same names.
    private var queue: [String] = []
    private var queued: Set<String> = []
    /// The starts of the last second, oldest first (at most `maximumPerSecond`).
    private var starts: [Instant] = []

    public init(perNodeInterval: Duration, maximumPerSecond: Int, queueCapacity: Int) {
        self.perNodeInterval = max(perNodeInterval, .zero)
        self.maximumPerSecond = max(maximumPerSecond, 1)
        self.queueCapacity = max(queueCapacity, 1)
    }

    /// Nodes waiting for the overall limit.
    public var queuedCount: Int { queue.count }
    /// Nodes owed a trailing re-poll.
    public var trailingCount: Int { trailing.count }

    /// Takes a notification from `node` at `now`; `take(at:)` then starts what may start.
    public mutating func notify(_ node: String, at now: Instant) -> Outcome {
        if queued.contains(node) || trailing[node] != nil { return .coalesced }
        if let last = lastStart[node], now < last + perNodeInterval {
            trailing[node] = last + perNodeInterval
            return .coalesced
        }
        guard queue.count < queueCapacity else { return .dropped }
        forgetStarts(before: now)
        // Behind the limit when the queue ahead of it already fills what this second allows.
        let limited = starts.count + queue.count >= maximumPerSecond
        enqueue(node)
        return limited ? .rateLimited : .ready
    }

    /// The nodes whose re-poll starts now, in the order they were queued; each counts as started
    /// at `now` for both limits.
    public mutating func take(at now: Instant) -> [String] {
        for (node, due) in trailing.sorted(by: { ($0.value, $0.key) < ($1.value, $1.key) })
        where due <= now && queue.count < queueCapacity {
            trailing[node] = nil
            if !queued.contains(node) { enqueue(node) }
        }
        forgetStarts(before: now)
        let count = min(queue.count, maximumPerSecond - starts.count)
        guard count > 0 else { return [] }
        let started = Array(queue.prefix(count))
        queue.removeFirst(count)
        for node in started {
            queued.remove(node)
            lastStart[node] = now
            starts.append(now)
        }
        // Starts older than the interval no longer hold anything back.
        lastStart = lastStart.filter { now < $0.value + perNodeInterval }
        return started
    }

    /// When `take(at:)` will next have something to start; `nil` when nothing waits.
    public var nextDeadline: Instant? {
        var next: Instant?
        if !queue.isEmpty {
            // The queue is only left waiting when the last second is full.
            next = starts.first.map { $0 + .seconds(1) }
        }
        // A full queue makes trailing re-polls wait for the overall limit, not for their time.
        if queue.count < queueCapacity, let due = trailing.values.min() {
            next = min(next ?? due, due)
        }
        return next
    }

    private mutating func enqueue(_ node: String) {
        queue.append(node)
        queued.insert(node)
    }

    private mutating func forgetStarts(before now: Instant) {
        let windowStart = now - .seconds(1)
        if let kept = starts.firstIndex(where: { $0 > windowStart }) {
            starts.removeFirst(kept)
        } else {
            starts.removeAll()
        }
    }
}
