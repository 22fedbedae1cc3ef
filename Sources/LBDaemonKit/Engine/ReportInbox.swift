import LBCore
import Synchronization

/// The node reports of one poll, handed from the poller's workers to the engine as they come,
/// so that an alias is decided as soon as its own members have answered rather than when the
/// slowest node of the whole batch has.
///
/// Workers deliver without waiting; the engine takes whatever arrived since it last looked,
/// so a busy engine gets many reports per wake-up and an idle one each report at once.
final class ReportInbox: Sendable {
    private struct State {
        var arrived: [NodeReport] = []
        var waiter: CheckedContinuation<[NodeReport], Never>?
        var finished = false
    }

    private let state = Mutex(State())

    /// A report from the poller; wakes the engine if it waits.
    func deliver(_ report: NodeReport) {
        let waiter = state.withLock { state -> CheckedContinuation<[NodeReport], Never>? in
            guard let waiter = state.waiter else {
                state.arrived.append(report)
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume(returning: [report])
    }

    /// The poll ended: every report has been delivered.
    func finish() {
        let waiter = state.withLock { state -> CheckedContinuation<[NodeReport], Never>? in
            state.finished = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: [])
    }

    /// Whether the poll has ended and nothing is left to take.
    var isDrained: Bool { state.withLock { $0.finished && $0.arrived.isEmpty } }

    /// The reports delivered since the last call, waiting for one if there are none; nil once
    /// the poll has ended and every report has been taken. One consumer at a time.
    func next() async -> [NodeReport]? {
        if let ready = takeArrived() { return ready.isEmpty ? nil : ready }
        let reports = await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> [NodeReport]? in
                if !state.arrived.isEmpty || state.finished {
                    defer { state.arrived = [] }
                    return state.arrived
                }
                state.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
        return reports.isEmpty ? nil : reports
    }

    /// What arrived, [] once finished with nothing left, nil when the consumer must wait.
    private func takeArrived() -> [NodeReport]? {
        state.withLock { state in
            guard !state.arrived.isEmpty || state.finished else { return nil }
            defer { state.arrived = [] }
            return state.arrived
        }
    }
}
