import NIOCore
import Synchronization

/// The poller's `snmp.concurrency` slots: a poll holds one from its start until it ends, or
/// until it has waited `promptWindow` without ending, whichever comes first.
///
/// A node that answers does so in milliseconds; one still silent after the window is almost
/// always down, and will hold its worker until its timeout. Were it to keep its slot too, a few
/// thousand dead nodes would hold every slot for whole timeouts and stretch a cycle to many
/// timeouts (5,000 dead nodes, 1,000 slots, 2 s: 10 s). Giving the slot back keeps the bound on
/// what matters, how many answers can arrive at once, while the dead wait side by side.
final class PollSlots: Sendable {
    /// A slot held by one poll; give it back with `release(_:)`.
    struct Lease: Sendable {
        fileprivate let id: Int
    }

    private typealias Waiter = (id: Int, window: Duration?, continuation: CheckedContinuation<Lease?, Never>)

    private struct State {
        var available: Int
        var nextID = 0
        /// Leases not given back yet; one whose window took its slot back is gone from here.
        var held: Set<Int> = []
        /// Leases in the order their windows close: one queue per window length, so that each
        /// is in order.
        var windows: [Duration: CircularBuffer<(closes: ContinuousClock.Instant, id: Int)>] = [:]
        var waiters = CircularBuffer<Waiter>()
        var overdue = 0

        mutating func makeID() -> Int {
            nextID += 1
            return nextID
        }
    }

    private let state: Mutex<State>
    private let promptWindow: Duration?
    private let now: @Sendable () -> ContinuousClock.Instant

    /// - Parameters:
    ///   - count: slots (at least 1).
    ///   - promptWindow: how long a poll keeps its slot at most; nil for until it ends.
    ///   - now: the clock windows are measured by (injected by tests).
    init(
        count: Int, promptWindow: Duration?,
        now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }
    ) {
        state = Mutex(State(available: max(1, count)))
        self.promptWindow = promptWindow
        self.now = now
    }

    /// Polls whose window closed before they ended.
    var overdueCount: Int { state.withLock { $0.overdue } }

    /// Polls waiting for a slot.
    var waitingCount: Int { state.withLock { $0.waiters.count } }

    /// Waits for a slot; nil when the task is cancelled first.
    ///
    /// - Parameter window: this poll's prompt window instead of the slots' own (shorter for a
    ///   node that was silent last time: its slot is all but sure to come back unused).
    func acquire(window: Duration? = nil) async -> Lease? {
        let window = window.map { min($0, promptWindow ?? $0) } ?? promptWindow
        let id = state.withLock { state -> Int? in
            guard state.available > 0 else { return nil }
            state.available -= 1
            return grant(&state, state.makeID(), window: window)
        }
        if let id { return Lease(id: id) }
        let waiterID = state.withLock { $0.makeID() }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Lease?, Never>) in
                enum Outcome { case granted, queued, cancelled }
                let outcome = state.withLock { state -> Outcome in
                    if Task.isCancelled { return .cancelled }
                    guard state.available > 0 else {
                        state.waiters.append((waiterID, window, continuation))
                        return .queued
                    }
                    state.available -= 1
                    _ = grant(&state, waiterID, window: window)
                    return .granted
                }
                switch outcome {
                case .granted: continuation.resume(returning: Lease(id: waiterID))
                case .cancelled: continuation.resume(returning: nil)
                case .queued: break
                }
            }
        } onCancel: {
            let cancelled = state.withLock { state -> CheckedContinuation<Lease?, Never>? in
                guard let index = state.waiters.firstIndex(where: { $0.id == waiterID }) else { return nil }
                return state.waiters.remove(at: index).continuation
            }
            cancelled?.resume(returning: nil)
        }
    }

    /// Gives back the slot of a poll that ended; false when its window had taken it back
    /// already (nothing is freed then).
    @discardableResult
    func release(_ lease: Lease) -> Bool {
        let (held, next) = state.withLock { state -> (Bool, Waiter?) in
            guard state.held.remove(lease.id) != nil else { return (false, nil) }
            return (true, free(&state))
        }
        if let next { next.continuation.resume(returning: Lease(id: next.id)) }
        return held
    }

    /// Takes back the slots of polls whose window has closed; returns how many.
    @discardableResult
    func closeWindows() -> Int {
        let current = now()
        var closed = 0
        let next = state.withLock { state -> [Waiter] in
            var next: [Waiter] = []
            for length in Array(state.windows.keys) {
                guard var queue = state.windows.removeValue(forKey: length) else { continue }
                while let first = queue.first {
                    if state.held.contains(first.id) {
                        guard first.closes <= current else { break }
                        state.held.remove(first.id)
                        state.overdue += 1
                        closed += 1
                        if let waiter = free(&state) { next.append(waiter) }
                    }
                    queue.removeFirst()
                }
                if !queue.isEmpty { state.windows[length] = queue }
            }
            return next
        }
        for waiter in next { waiter.continuation.resume(returning: Lease(id: waiter.id)) }
        return closed
    }

    /// Closes windows every `interval` until some close, and returns how many; 0 when the task
    /// is cancelled first, or at once when polls keep their slots to the end.
    func nextOverdue(every interval: Duration = .milliseconds(10)) async -> Int {
        guard promptWindow != nil else { return 0 }
        while !Task.isCancelled {
            let closed = closeWindows()
            if closed > 0 { return closed }
            try? await Task.sleep(for: interval)
        }
        return 0
    }

    /// Records `id` as holding a slot from now, for `window` at most.
    private func grant(_ state: inout State, _ id: Int, window: Duration?) -> Int {
        state.held.insert(id)
        if let window {
            state.windows[window, default: CircularBuffer(initialCapacity: 64)].append((now() + window, id))
        }
        return id
    }

    /// A freed slot goes to the first waiter, granted from now, or back to the pool.
    private func free(_ state: inout State) -> Waiter? {
        guard let waiter = state.waiters.popFirst() else {
            state.available += 1
            return nil
        }
        _ = grant(&state, waiter.id, window: waiter.window)
        return waiter
    }
}
