import Synchronization

/// One of an agent's `maximumConcurrentRequests` slots, held by the task answering a datagram and
/// by the value providers it started: the slot comes back when the last of them lets go.
final class AgentLease: Sendable {
    private let slots: AgentSlots

    fileprivate init(_ slots: AgentSlots) {
        self.slots = slots
    }

    deinit {
        slots.release()
    }
}

/// Counts the slots in use. Invariant: never more than `capacity` at once.
final class AgentSlots: Sendable {
    private let inUse = Mutex(0)
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// A slot, or `nil` if all are in use.
    func acquire() -> AgentLease? {
        let granted = inUse.withLock { count in
            guard count < capacity else { return false }
            count += 1
            return true
        }
        return granted ? AgentLease(self) : nil
    }

    fileprivate func release() {
        inUse.withLock { $0 -= 1 }
    }
}
