import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Writes what the engine decides into a `HistoryStore`, from a task of its own: `observe`
/// (and `record(event:)`) only append to a bounded queue and return, so that a broken, slow or
/// full store never delays or stops polling and publishing. When the queue is full the oldest
/// entry is dropped and counted. As a `Service` it writes the queue, and runs
/// `maintain(now:)` at start and every `maintenanceInterval`.
///
/// Invariant: the queue never holds more than `capacity` entries.
public final class HistoryRecorder: EvaluationObserver, Service {
    /// An entry of the queue.
    enum Entry: Sendable {
        case round([EvaluationRecord], CycleRecord)
        case event(ServiceEvent)
    }

    public let store: any HistoryStore
    public let capacity: Int
    public let maintenanceInterval: Duration
    private let logger: Logger
    private let now: @Sendable () -> Date
    private let sleep: @Sendable (Duration) async throws -> Void
    private let drainTimeout: Duration
    private let wake: AsyncStream<Void>
    private let wakeContinuation: AsyncStream<Void>.Continuation
    private let state = Mutex(State())

    struct State {
        var queue: [Entry] = []
        var dropped = LoggedCount()
        var failures = LoggedCount()
        var lastFailure: HistoryError?
        var written = 0
    }

    /// A count that is logged at most once a minute, with how much it grew since the last line.
    struct LoggedCount {
        var total = 0
        var sinceLog = 0
        var lastLog: Date?

        /// Counts one; what to log now (the count since the last line), or nil within the minute.
        mutating func add(at time: Date) -> Int? {
            total += 1
            sinceLog += 1
            if let lastLog, time.timeIntervalSince(lastLog) < 60 { return nil }
            lastLog = time
            defer { sinceLog = 0 }
            return sinceLog
        }
    }

    /// What the recorder did so far: for tests, logs and metrics.
    public struct Counts: Hashable, Sendable {
        /// Entries waiting to be written.
        public var queued: Int
        /// Entries dropped because the queue was full.
        public var dropped: Int
        /// Writes (and maintenance runs) that failed.
        public var failures: Int
        /// Entries written.
        public var written: Int
        /// The last failure, if any.
        public var lastFailure: HistoryError?
    }

    /// - Parameters:
    ///   - capacity: entries kept while the store is slow or broken; one entry is one engine batch.
    ///   - maintenanceInterval: how often `maintain(now:)` runs (also once at start).
    ///   - now: the wall clock (injected for tests).
    ///   - sleep: how to wait (injected for tests).
    ///   - drainTimeout: at shutdown, how long the queue may take to be written.
    public init(
        store: any HistoryStore, capacity: Int = 1_000, maintenanceInterval: Duration = .seconds(3600),
        logger: Logger, now: @escaping @Sendable () -> Date = { Date() },
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
        drainTimeout: Duration = .seconds(5)
    ) {
        self.store = store
        self.capacity = max(1, capacity)
        self.maintenanceInterval = maintenanceInterval
        self.logger = logger
        self.now = now
        self.sleep = sleep
        self.drainTimeout = drainTimeout
        (wake, wakeContinuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    public var counts: Counts {
        state.withLock {
            Counts(
                queued: $0.queue.count, dropped: $0.dropped.total, failures: $0.failures.total,
                written: $0.written,
                lastFailure: $0.lastFailure)
        }
    }

    // MARK: - Entry points (never wait for the store)

    public func observe(_ round: EvaluationRound) async {
        enqueue(.round(round.evaluations.map(EvaluationRecord.init), CycleRecord(round)))
    }

    /// Queues a service event (reload, reload-failed, takeover, stepped-down...); returns at once.
    public func record(event: ServiceEvent) {
        enqueue(.event(event))
    }

    private func enqueue(_ entry: Entry) {
        let time = now()
        let report: Int? = state.withLock { state in
            state.queue.append(entry)
            guard state.queue.count > capacity else { return nil }
            state.queue.removeFirst()
            return state.dropped.add(at: time)
        }
        if let report {
            logger.warning(
                "history: the store is behind, dropped the oldest queued batches",
                metadata: ["dropped": "\(report)", "queue": "\(capacity)"])
        }
        wakeContinuation.yield()
    }

    // MARK: - Service

    public func run() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.writeUntilFinished() }
            group.addTask { await self.maintainPeriodically() }
            group.addTask {
                // At shutdown the queue is written, for `drainTimeout` at most.
                let cancelled = (try? await gracefulShutdown()) == nil
                self.wakeContinuation.finish()
                if !cancelled { try? await self.sleep(self.drainTimeout) }
            }
            _ = await group.next()
            group.cancelAll()
        }
    }

    private func writeUntilFinished() async {
        for await _ in wake {
            await drain()
        }
        await drain()
    }

    /// Writes every queued entry, oldest first.
    func drain() async {
        while !Task.isCancelled,
            let entry = state.withLock({ $0.queue.isEmpty ? nil : $0.queue.removeFirst() })
        {
            do throws(HistoryError) {
                switch entry {
                case .round(let records, let cycle):
                    try await store.record(records)
                    try await store.record(cycle: cycle)
                case .event(let event):
                    try await store.record(event: event)
                }
                state.withLock { $0.written += 1 }
            } catch {
                failed(error, "write")
            }
        }
    }

    private func maintainPeriodically() async {
        while !Task.isCancelled {
            do throws(HistoryError) {
                try await store.maintain(now: now())
            } catch {
                failed(error, "maintain")
            }
            do { try await sleep(maintenanceInterval) } catch { return }
        }
    }

    /// Counts a failure; logs at most once a minute, with the count since the last line.
    private func failed(_ error: HistoryError, _ operation: String) {
        let time = now()
        let report: Int? = state.withLock { state in
            state.lastFailure = error
            return state.failures.add(at: time)
        }
        if let report {
            logger.error(
                "history: \(error.description); polling and publishing go on",
                metadata: ["operation": "\(operation)", "failures": "\(report)"])
        }
    }
}
