import Dispatch
import Foundation
import ProcessSpawning

/// SIGTERM and SIGINT for the long-running modes: the first starts a graceful stop, and the
/// process exits within ``gracePeriod`` of it whatever its checks are doing. The watchdog runs
/// on a dispatch thread of its own, so it fires even when every thread of the cooperative pool
/// is busy with an evaluation (a check stuck in a system call, or one burning CPU).
enum TerminationSignal {
    /// Longest a graceful stop may take before the process exits anyway (status 0).
    static let gracePeriod: DispatchTimeInterval = .milliseconds(800)

    /// Returns when SIGTERM or SIGINT arrives; a second signal exits at once.
    static func wait() async {
        // A graceful stop that finishes before the watchdog ends in a plain exit: the checks
        // still running are killed then too.
        atexit { LiveProcessGroups.killAll() }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let queue = DispatchQueue(label: "lbclient.signals")
            let once = ResumeOnce(continuation)
            var sources: [any DispatchSourceSignal] = []
            for signalNumber in [SIGTERM, SIGINT] {
                signal(signalNumber, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: queue)
                source.setEventHandler {
                    guard once.resume() else { exitNow() }
                    queue.asyncAfter(deadline: .now() + gracePeriod) { exitNow() }
                }
                source.resume()
                sources.append(source)
            }
            SignalSources.keep(sources)
        }
    }
}

/// Exits at once, killing the checks still running first: each command leads its own process
/// group (so that its deadline kills its children), which would otherwise outlive lbclient.
private func exitNow() -> Never {
    LiveProcessGroups.killAll()
    _exit(0)
}

/// Keeps the signal sources alive for the life of the process.
private enum SignalSources {
    nonisolated(unsafe) static var retained: [any DispatchSourceSignal] = []
    static func keep(_ sources: [any DispatchSourceSignal]) { retained = sources }
}

/// Resumes the waiting task once; tells whether this call was the first.
private final class ResumeOnce: @unchecked Sendable {
    // Safe: `continuation` is only read and written under `lock`.
    private var continuation: CheckedContinuation<Void, Never>?
    private var resumed = false
    private let lock = NSLock()
    init(_ continuation: CheckedContinuation<Void, Never>) { self.continuation = continuation }

    @discardableResult
    func resume() -> Bool {
        lock.lock()
        let first = !resumed
        resumed = true
        let pending = continuation
        continuation = nil
        lock.unlock()
        pending?.resume()
        return first
    }
}
