import Foundation
import LBCore
import Logging
import Synchronization
import Testing

@testable import LBDaemonKit

/// `HistoryRecorder`: the engine never waits for the store. A store that hangs, fails or is
/// full costs dropped or failed history entries, never an evaluation.
@Suite struct HistoryRecorderTests {
    static let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    /// A store whose writes never return (a frozen database), or always fail.
    final class BrokenStore: HistoryStore {
        enum Mode { case hang, fail }
        let mode: Mode
        let attempts = Mutex(0)
        let maintained = Mutex<[Date]>([])

        init(_ mode: Mode) { self.mode = mode }

        private func write() async throws(HistoryError) {
            attempts.withLock { $0 += 1 }
            switch mode {
            case .fail: throw .failed("disk is full")
            case .hang:
                // Until cancelled, as a statement sent to a frozen server.
                while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
                throw .failed("cancelled")
            }
        }

        func record(_ evaluations: [EvaluationRecord]) async throws(HistoryError) { try await write() }
        func record(cycle: CycleRecord) async throws(HistoryError) { try await write() }
        func record(event: ServiceEvent) async throws(HistoryError) { try await write() }
        func aliasHistory(_ alias: String, from: Date, to: Date) async throws(HistoryError) -> AliasHistory {
            throw .failed("broken")
        }
        func serviceHistory(from: Date, to: Date) async throws(HistoryError) -> ServiceHistory {
            throw .failed("broken")
        }
        func maintain(now: Date) async throws(HistoryError) {
            maintained.withLock { $0.append(now) }
            if mode == .fail { throw .failed("disk is full") }
        }
    }

    private func engine(observers: [any EvaluationObserver], publisher: RecordingPublisher)
        -> EvaluationEngine
    {
        let probe = FakeNodeProbe(["127.0.0.1": .integer(5), "127.0.0.2": .integer(9)])
        let poller = NodePoller(
            addressBook: NodeAddressBook(port: 161, resolve: fakeResolve), probe: probe, concurrency: 4)
        return EvaluationEngine(
            configuration: Configuration(aliases: [
                AliasConfiguration(
                    name: "www.example", members: ["host1", "host2"],
                    parameters: AliasParameters(bestHosts: .count(1)))
            ]),
            poller: poller, publishers: [publisher], logger: Self.quiet, seed: 1, observers: observers)
    }

    @Test(arguments: [BrokenStore.Mode.hang, .fail])
    func aBrokenStoreNeverStopsTheEngine(mode: BrokenStore.Mode) async throws {
        let store = BrokenStore(mode)
        let recorder = HistoryRecorder(store: store, capacity: 3, logger: Self.quiet)
        let running = Task { await recorder.run() }
        let publisher = RecordingPublisher()
        let engine = engine(observers: [recorder], publisher: publisher)
        for _ in 0..<10 {
            let evaluations = await engine.evaluateAll()
            #expect(evaluations.count == 1)
        }
        // Every evaluation happened and was published (the first an update, then unchanged).
        #expect(publisher.publications.withLock { $0.count } >= 1)
        #expect(await engine.evaluations["www.example"] != nil)
        let deadline = ContinuousClock.now + .seconds(10)
        while recorder.counts.queued > 0 && mode == .fail && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        let counts = recorder.counts
        #expect(counts.queued <= 3)
        switch mode {
        case .hang:
            // One entry is stuck in the store, three wait; the rest were dropped.
            #expect(counts.dropped >= 10 - 1 - 3)
            #expect(store.attempts.withLock { $0 } == 1)
        case .fail:
            #expect(counts.failures >= 1)
            #expect(counts.lastFailure == .failed("disk is full"))
        }
        running.cancel()
        await running.value
    }

    @Test func observeQueuesAndTheServiceWritesRoundsAndEvents() async throws {
        let store = InMemoryHistoryStore(retention: 365 * 86_400)
        let recorder = HistoryRecorder(store: store, logger: Self.quiet)
        let running = Task { await recorder.run() }
        let publisher = RecordingPublisher()
        let engine = engine(observers: [recorder], publisher: publisher)
        _ = await engine.evaluateAll()
        _ = await engine.evaluateAll()
        let event = ServiceEvent(at: Date(), kind: "reload", instance: "lbd1", detail: "1 alias")
        recorder.record(event: event)
        let deadline = ContinuousClock.now + .seconds(10)
        while recorder.counts.written < 3 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(recorder.counts.written == 3)
        let now = Date()
        let history = try await store.aliasHistory(
            "www.example", from: now.addingTimeInterval(-60), to: now.addingTimeInterval(1))
        #expect(history.loads.count == 4)  // two members, two evaluations
        #expect(history.memberships.map(\.node) == ["host1"])
        let service = try await store.serviceHistory(
            from: now.addingTimeInterval(-60), to: now.addingTimeInterval(1))
        #expect(service.cycles.count == 2)
        #expect(service.events == [event])
        running.cancel()
        await running.value
    }

    @Test func maintenanceRunsAtStartAndThenEveryInterval() async throws {
        let store = BrokenStore(.fail)
        let clock = Mutex(Date(timeIntervalSince1970: 1_000_000))
        let sleeps = AsyncStream<Duration>.makeStream()
        let wakeups = Mutex<[CheckedContinuation<Void, any Error>]>([])
        let recorder = HistoryRecorder(
            store: store, maintenanceInterval: .seconds(3600), logger: Self.quiet,
            now: { clock.withLock { $0 } },
            sleep: { duration in
                sleeps.continuation.yield(duration)
                try await withTaskCancellationHandler {
                    try await withCheckedThrowingContinuation {
                        (continuation: CheckedContinuation<Void, any Error>) in
                        guard !Task.isCancelled else {
                            return continuation.resume(throwing: CancellationError())
                        }
                        wakeups.withLock { $0.append(continuation) }
                    }
                } onCancel: {
                    for continuation in wakeups.withLock({ list in
                        defer { list = [] }
                        return list
                    }) {
                        continuation.resume(throwing: CancellationError())
                    }
                }
            })
        let running = Task { await recorder.run() }
        var iterator = sleeps.stream.makeAsyncIterator()
        #expect(await iterator.next() == .seconds(3600))
        #expect(store.maintained.withLock { $0 } == [Date(timeIntervalSince1970: 1_000_000)])
        clock.withLock { $0 = Date(timeIntervalSince1970: 1_003_600) }
        wakeups.withLock { list in
            for continuation in list { continuation.resume() }
            list = []
        }
        #expect(await iterator.next() == .seconds(3600))
        #expect(
            store.maintained.withLock { $0 } == [
                Date(timeIntervalSince1970: 1_000_000), Date(timeIntervalSince1970: 1_003_600),
            ])
        // A failing maintenance is counted, and does not stop the next one.
        #expect(recorder.counts.failures == 2)
        running.cancel()
        await running.value
    }

    @Test func theQueueDropsTheOldestWhenFull() async {
        let store = InMemoryHistoryStore()
        let recorder = HistoryRecorder(store: store, capacity: 2, logger: Self.quiet)
        // Not running: nothing is written, the queue fills.
        for index in 0..<5 {
            recorder.record(
                event: ServiceEvent(at: Date(), kind: "reload", instance: "i", detail: "\(index)"))
        }
        #expect(recorder.counts.queued == 2)
        #expect(recorder.counts.dropped == 3)
        await recorder.drain()
        let service = try? await store.serviceHistory(from: .distantPast, to: .distantFuture)
        #expect(service?.events.map(\.detail) == ["3", "4"])
    }
}
