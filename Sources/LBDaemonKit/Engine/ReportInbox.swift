import Synchronization

/// The node reports of one poll (with whatever tells the engine which node each is), handed from the poller's workers to the engine as they come,
/// so that an alias is decided as soon as its own members have answered rather than when the
/// slowest node of the whole batch has.
///
/// Workers deliver without waiting; the engine takes whatever arrived since it last looked,
/// so a busy engine gets many reports per wake-up and an idle one each report at once.
final class ReportInbox<Report: Sendable>: Sendable {
    /// What arrived since the engine last looked.
    struct Arrivals {
        var reports: [Report]
        /// Every node of the poll has been sent its request: the poller needs no more CPU for
        /// new polls, only to wait for answers and timeouts.
        var allPollsStarted: Bool
    }

    private struct State {
        var arrived: [Report] = []
        var waiter: CheckedContinuation<Arrivals?, Never>?
        var allPollsStarted = false
        /// Whether the engine has been given an `Arrivals` saying so: until then, `next()` does
        /// not wait, even with nothing arrived.
        var allPollsStartedTold = false
        var finished = false

        /// What arrived, marked as told.
        mutating func take() -> Arrivals {
            defer { arrived = [] }
            if allPollsStarted { allPollsStartedTold = true }
            return Arrivals(reports: arrived, allPollsStarted: allPollsStarted)
        }
    }

    private let state = Mutex(State())

    /// A report from the poller; wakes the engine if it waits.
    func deliver(_ report: Report) {
        let woken = state.withLock { state -> (CheckedContinuation<Arrivals?, Never>, Bool)? in
            guard let waiter = state.waiter else {
                state.arrived.append(report)
                return nil
            }
            state.waiter = nil
            if state.allPollsStarted { state.allPollsStartedTold = true }
            return (waiter, state.allPollsStarted)
        }
        if let (waiter, started) = woken {
            waiter.resume(returning: Arrivals(reports: [report], allPollsStarted: started))
        }
    }

    /// The poller has started the last of its polls; wakes the engine if it waits.
    func allPollsStarted() {
        let waiter = state.withLock { state -> CheckedContinuation<Arrivals?, Never>? in
            state.allPollsStarted = true
            guard let waiter = state.waiter else { return nil }
            state.waiter = nil
            state.allPollsStartedTold = true
            return waiter
        }
        waiter?.resume(returning: Arrivals(reports: [], allPollsStarted: true))
    }

    /// The poll ended: every report has been delivered.
    func finish() {
        let waiter = state.withLock { state -> CheckedContinuation<Arrivals?, Never>? in
            state.finished = true
            state.allPollsStarted = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    /// The reports delivered since the last call, waiting for one (or for the last poll to
    /// start, if the engine has not been told yet) if there are none; nil once the poll has
    /// ended and every report has been taken. One consumer at a time.
    func next() async -> Arrivals? {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Arrivals?? in
                if !state.arrived.isEmpty { return state.take() }
                if state.finished { return .some(nil) }
                // The last poll started while the engine was busy: it learns it now.
                if state.allPollsStarted && !state.allPollsStartedTold { return state.take() }
                state.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}
