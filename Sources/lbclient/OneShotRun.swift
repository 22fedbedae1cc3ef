import LBClientKit
import Synchronization

/// Runs the one-shot evaluation as a task while the main thread serves the line timeouts
/// (``DeadlineTimer``), so that a synchronous `main` can run `async` code without
/// `dispatch_main` (see ``LBClientMain``) and without a sleeping task per line.
enum OneShotRun {
    /// Runs `operation` on the global executor and returns its error, if any, once it ends.
    ///
    /// Nothing the one-shot path runs is isolated to the main actor, so keeping the main thread
    /// cannot hold it up.
    static func wait(_ operation: @escaping @Sendable () async -> (any Error)?) -> (any Error)? {
        let failure = Failure()
        DeadlineTimer.shared.lendCurrentThread { done in
            Task.detached {
                let error = await operation()
                failure.value.withLock { $0 = error }
                done()
            }
        }
        return failure.value.withLock { $0 }
    }

    private final class Failure: Sendable {
        let value = Mutex<(any Error)?>(nil)
    }
}
