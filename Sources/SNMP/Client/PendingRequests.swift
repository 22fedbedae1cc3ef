import NIOCore
import Synchronization

/// A datagram received for a request, already decoded far enough to be routed.
struct ReceivedMessage: Sendable {
    enum Decoded: Sendable {
        case community(CommunityMessage)
        case v3(SNMPv3Message)
    }

    var bytes: [UInt8]
    var decoded: Decoded
    var remote: SocketAddress
}

/// How one attempt ended without an answer: the timer fired. `malformed` says that the agent
/// asked sent something unreadable meanwhile, so the failure is not silence.
struct AttemptTimedOut: Error {
    var malformed: String?
}

/// The requests waiting for an answer, by id (request-id for v1/v2c, msgID for v3). An answer
/// whose id is not waiting (a late reply to an attempt that timed out) is dropped.
///
/// A datagram that cannot be decoded carries no id to route it by, so it is noted against every
/// request waiting on the address it came from: it does not end the wait (the real answer may
/// still come), but an attempt that then times out reports it instead of silence.
///
/// Timeouts: rather than a timer per request (scheduled, then cancelled when the answer comes,
/// each a hop to the event loop), each request's deadline joins a queue of the requests with the
/// same timeout, whose deadlines therefore come in order, and one sweep at a time is scheduled,
/// at the earliest deadline. A request answered meanwhile leaves the queue when the sweep reaches
/// it.
final class PendingRequests: Sendable {
    private struct Entry {
        var continuation: CheckedContinuation<ReceivedMessage, any Error>
        var remote: SocketAddress
        var deadline: NIODeadline
        var malformed: String?
    }

    private struct State {
        var entries: [Int32: Entry] = [:]
        /// The ids waiting on each remote address, to note a malformed datagram without a scan.
        var idsByRemote: [SocketAddress: [Int32]] = [:]
        /// Deadlines in the order they fall, one queue per timeout (in nanoseconds).
        var deadlines: [Int64: CircularBuffer<(deadline: NIODeadline, id: Int32)>] = [:]
        /// The sweep scheduled now; an older one that fires finds its token stale and only
        /// times out what is due.
        var sweep: (at: NIODeadline, token: Int)?
        var sweepTokens = 0

        mutating func remove(_ id: Int32) -> Entry? {
            guard let entry = entries.removeValue(forKey: id) else { return nil }
            if var ids = idsByRemote[entry.remote] {
                if ids.count == 1 {
                    idsByRemote[entry.remote] = nil
                } else {
                    ids.removeAll { $0 == id }
                    idsByRemote[entry.remote] = ids
                }
            }
            return entry
        }

        /// A new sweep at `deadline` if none is scheduled that early.
        mutating func sweepNeeded(at deadline: NIODeadline) -> (at: NIODeadline, token: Int)? {
            if let sweep, sweep.at <= deadline { return nil }
            sweepTokens += 1
            sweep = (deadline, sweepTokens)
            return sweep
        }

        /// Removes the requests whose deadline is past `now`, and the answered ones ahead of
        /// the first deadline still to come; returns the entries that timed out.
        mutating func expire(now: NIODeadline) -> [Entry] {
            var expired: [Entry] = []
            for key in Array(deadlines.keys) {
                guard var queue = deadlines.removeValue(forKey: key) else { continue }
                while let first = queue.first {
                    if let entry = entries[first.id], entry.deadline == first.deadline {
                        guard first.deadline <= now else { break }
                        if let entry = remove(first.id) { expired.append(entry) }
                    }
                    queue.removeFirst()
                }
                if !queue.isEmpty { deadlines[key] = queue }
            }
            return expired
        }

        var earliestDeadline: NIODeadline? {
            deadlines.values.compactMap { $0.first?.deadline }.min()
        }
    }

    private let state = Mutex(State())
    private let nextID: Atomic<Int32>

    init(firstID: Int32) {
        nextID = Atomic(firstID & 0x3FFF_FFFF)
    }

    var count: Int { state.withLock { $0.entries.count } }

    /// A fresh positive id; ids wrap long before they could collide with one still waiting.
    func makeID() -> Int32 {
        let id = nextID.wrappingAdd(1, ordering: .relaxed).newValue
        return id & 0x7FFF_FFFF
    }

    /// Waits for the answer to `id` from `remote` until `timeout` has passed, when the attempt
    /// ends with `AttemptTimedOut` (timed by a sweep on `eventLoop`).
    func insert(
        _ id: Int32, remote: SocketAddress, timeout: TimeAmount, on eventLoop: any EventLoop,
        continuation: CheckedContinuation<ReceivedMessage, any Error>
    ) {
        let deadline = NIODeadline.now() + timeout
        let (displaced, sweep) = state.withLock { state in
            let old = state.remove(id)
            state.entries[id] = Entry(continuation: continuation, remote: remote, deadline: deadline)
            state.idsByRemote[remote, default: []].append(id)
            state.deadlines[timeout.nanoseconds, default: CircularBuffer(initialCapacity: 64)].append(
                (deadline, id))
            return (old, state.sweepNeeded(at: deadline))
        }
        displaced?.continuation.resume(throwing: AttemptTimedOut(malformed: displaced?.malformed))
        if let sweep { schedule(sweep, on: eventLoop) }
    }

    private func schedule(_ sweep: (at: NIODeadline, token: Int), on eventLoop: any EventLoop) {
        eventLoop.scheduleTask(deadline: sweep.at) { self.sweep(token: sweep.token, on: eventLoop) }
    }

    /// Ends the attempts whose deadline has passed, and schedules the next sweep.
    private func sweep(token: Int, on eventLoop: any EventLoop) {
        let (expired, next) = state.withLock { state -> ([Entry], (at: NIODeadline, token: Int)?) in
            let expired = state.expire(now: .now())
            guard state.sweep?.token == token else { return (expired, nil) }
            state.sweep = nil
            return (expired, state.earliestDeadline.flatMap { state.sweepNeeded(at: $0) })
        }
        for entry in expired {
            entry.continuation.resume(throwing: AttemptTimedOut(malformed: entry.malformed))
        }
        if let next { schedule(next, on: eventLoop) }
    }

    /// Delivers an answer to the request waiting for `id`, if it came from the address asked.
    func deliver(_ id: Int32, _ message: ReceivedMessage) {
        let entry = state.withLock { state -> Entry? in
            guard let entry = state.entries[id], entry.remote == message.remote else { return nil }
            return state.remove(id)
        }
        entry?.continuation.resume(returning: message)
    }

    /// Notes that `remote` sent a datagram that is not a readable SNMP message.
    func noteMalformed(from remote: SocketAddress, _ detail: String) {
        state.withLock { state in
            for id in state.idsByRemote[remote] ?? [] where state.entries[id]?.malformed == nil {
                state.entries[id]?.malformed = detail
            }
        }
    }

    func fail(_ id: Int32, _ error: any Error) {
        let entry = state.withLock { $0.remove(id) }
        entry?.continuation.resume(throwing: error)
    }

    func failAll(_ error: any Error) {
        let all = state.withLock { state in
            defer {
                // The sweep tokens go on counting: a sweep scheduled before must stay stale.
                state.entries = [:]
                state.idsByRemote = [:]
                state.deadlines = [:]
            }
            return Array(state.entries.values)
        }
        for entry in all {
            entry.continuation.resume(throwing: error)
        }
    }
}
