#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Calls closures when their time comes, from one thread that does nothing else.
///
/// The line timeouts of ``withDeadline(_:timer:operation:)`` are armed here rather than with
/// `Task.sleep`: a sleeping task makes Dispatch start its timer thread (a thread, an epoll set and
/// a timerfd), which a one-shot run pays on every poll, and its wake-up needs a free thread of the
/// cooperative pool. The thread serving the timers is either started on the first timer, for the
/// life of the process, or lent by a caller that has nothing else to do (lbclient's main thread
/// while the one-shot evaluation runs, see ``lendCurrentThread(until:)``).
///
/// The closures run on the serving thread, one at a time, and must return quickly.
public final class DeadlineTimer: @unchecked Sendable {
    // Safe: every stored property below is read and written only with `mutex` held.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    private var entries: [Entry] = []
    private var lastIdentifier: UInt64 = 0
    /// A thread serves the timers (its own or a lent one).
    private var isServed = false
    /// The lent thread is asked to return.
    private var lendingEnds = false

    private struct Entry {
        var identifier: UInt64
        /// Nanoseconds of `CLOCK_MONOTONIC`, the clock the condition variable waits with.
        var due: Int64
        var fire: @Sendable () -> Void
    }

    /// The process's timers.
    public static let shared = DeadlineTimer()

    public init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        condition = .allocate(capacity: 1)
        condition.initialize(to: pthread_cond_t())
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    /// A scheduled call, to be cancelled when it is no longer wanted.
    public struct Registration: Sendable {
        fileprivate let identifier: UInt64
        fileprivate let timer: DeadlineTimer

        /// Removes the call if it has not run yet; it may be running at this moment.
        public func cancel() { timer.remove(identifier) }
    }

    /// Calls `fire` once `delay` has passed (at once for a delay of zero or less).
    public func schedule(after delay: Duration, _ fire: @escaping @Sendable () -> Void) -> Registration {
        let due = Self.now() &+ Self.nanoseconds(delay)
        let (identifier, startThread) = locked { () -> (UInt64, Bool) in
            lastIdentifier += 1
            entries.append(Entry(identifier: lastIdentifier, due: due, fire: fire))
            let startThread = !isServed
            isServed = true
            pthread_cond_broadcast(condition)
            return (lastIdentifier, startThread)
        }
        if startThread { startOwnThread() }
        return Registration(identifier: identifier, timer: self)
    }

    /// Serves the timers on the calling thread until the `done` closure given to `body` is
    /// called (from any thread); a thread of the timer's own then takes over whatever is left.
    /// Should a thread already serve the timers, the calling thread only waits.
    public func lendCurrentThread(_ body: (_ done: @escaping @Sendable () -> Void) -> Void) {
        let serves = locked { () -> Bool in
            let serves = !isServed
            isServed = true
            lendingEnds = false
            return serves
        }
        body { [self] in
            locked {
                lendingEnds = true
                pthread_cond_broadcast(condition)
            }
        }
        if serves {
            serve(lent: true)
        } else {
            locked {
                while !lendingEnds { pthread_cond_wait(condition, mutex) }
            }
        }
    }

    private func remove(_ identifier: UInt64) {
        locked {
            if let index = entries.firstIndex(where: { $0.identifier == identifier }) {
                entries.remove(at: index)
            }
        }
    }

    /// Runs due entries until the lending ends (a lent thread) or forever (the timer's own).
    private func serve(lent: Bool) {
        pthread_mutex_lock(mutex)
        while true {
            if lent && lendingEnds {
                lendingEnds = false
                isServed = false
                let handOver = !entries.isEmpty
                if handOver { isServed = true }
                pthread_mutex_unlock(mutex)
                if handOver { startOwnThread() }
                return
            }
            let now = Self.now()
            if let index = entries.indices.min(by: { entries[$0].due < entries[$1].due }) {
                let entry = entries[index]
                if entry.due <= now {
                    entries.remove(at: index)
                    pthread_mutex_unlock(mutex)
                    entry.fire()
                    pthread_mutex_lock(mutex)
                    continue
                }
                var until = timespec(
                    tv_sec: Int(entry.due / 1_000_000_000), tv_nsec: Int(entry.due % 1_000_000_000))
                pthread_cond_timedwait(condition, mutex, &until)
            } else {
                pthread_cond_wait(condition, mutex)
            }
        }
    }

    private func startOwnThread() {
        let context = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        let status = pthread_create(
            &thread, nil,
            { context in
                let timer = Unmanaged<DeadlineTimer>.fromOpaque(context!).takeRetainedValue()
                timer.serve(lent: false)
                return nil
            }, context)
        precondition(status == 0, "cannot start the timer thread: \(systemErrorDescription(status))")
        pthread_detach(thread)
    }

    private func locked<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return body()
    }

    private static func now() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        guard seconds < Int64.max / 4_000_000_000 else { return Int64.max / 4 }
        guard seconds > 0 || (seconds == 0 && attoseconds > 0) else { return 0 }
        return max(0, seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
