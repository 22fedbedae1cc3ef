import Synchronization

/// Tells blocking work on a thread of its own that the task waiting for it was cancelled.
final class CancellationFlag: Sendable {
    private let state = Atomic<Bool>(false)
    func cancel() { state.store(true, ordering: .relaxed) }
    var isCancelled: Bool { state.load(ordering: .relaxed) }
}
