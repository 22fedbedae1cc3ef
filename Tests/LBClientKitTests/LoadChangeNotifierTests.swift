import Logging
import Synchronization
import Testing

@testable import LBClientKit

/// Records what it is asked to send; fails while `failing` is set.
private final class RecordingSender: LoadNotificationSending {
    let receiverDescription = "test receiver"
    let sent = Mutex<[String]>([])
    let attempts = Mutex(0)
    let failing = Mutex(false)

    struct Down: Error {}

    func send(report: String) async throws {
        attempts.withLock { $0 += 1 }
        if failing.withLock({ $0 }) { throw Down() }
        sent.withLock { $0.append(report) }
    }

    func shutdown() async {}
}

private final class ManualClock: Sendable {
    private let start = ContinuousClock.now
    private let offset = Mutex(Duration.zero)
    func advance(_ duration: Duration) { offset.withLock { $0 += duration } }
    var now: ContinuousClock.Instant { start + offset.withLock { $0 } }
}

/// What one receiver is told, and when a failed notification is sent again.
@Suite("Load change notifier")
struct LoadChangeNotifierTests {
    private func notifier(_ sender: RecordingSender, clock: ManualClock, share: Double? = 0.2)
        -> LoadChangeNotifier
    {
        LoadChangeNotifier(
            sender: sender, detector: LoadChangeDetector(loadShare: share),
            retryBackoff: .seconds(1)...(.seconds(4)), now: { clock.now }, logger: Logger(label: "test"))
    }

    @Test func tellsTheFirstAnswerThenOnlyChanges() async {
        let sender = RecordingSender()
        let notifier = notifier(sender, clock: ManualClock())
        #expect(await notifier.offer(.integer(250)) == .sent([.appeared(alias: "", load: 250)]))
        for _ in 0..<5 { #expect(await notifier.offer(.integer(250)) == .unchanged) }
        #expect(await notifier.offer(.integer(-1)) == .sent([.becameUnusable(alias: "", load: -1)]))
        #expect(await notifier.offer(.integer(-1)) == .unchanged)
        #expect(
            await notifier.offer(.perAlias([("a", 3), ("b", -1)]))
                == .sent([
                    .appeared(alias: "a", load: 3), .appeared(alias: "b", load: -1), .disappeared(alias: ""),
                ]))
        #expect(sender.sent.withLock { $0 } == ["250", "-1", "a=3,b=-1"])
    }

    @Test func smallStepsAreToldOnceTheyAddUp() async {
        let sender = RecordingSender()
        let notifier = notifier(sender, clock: ManualClock())
        await notifier.offer(.integer(100))
        for load in [110, 118, 115] { #expect(await notifier.offer(.integer(load)) == .unchanged) }
        #expect(await notifier.offer(.integer(121)) == .sent([.loadMoved(alias: "", from: 100, to: 121)]))
        #expect(sender.sent.withLock { $0 } == ["100", "121"])
    }

    @Test func noConfigurationIsToldAsAnEmptyReport() async {
        let sender = RecordingSender()
        let notifier = notifier(sender, clock: ManualClock())
        #expect(await notifier.offer(nil) == .unchanged)
        await notifier.offer(.perAlias([("a", 3)]))
        #expect(await notifier.offer(nil) == .sent([.disappeared(alias: "a")]))
        #expect(sender.sent.withLock { $0 } == ["a=3", ""])
    }

    @Test func aFailedSendIsRetriedAfterTheBackoffOrAtTheNextChange() async {
        let sender = RecordingSender()
        let clock = ManualClock()
        let notifier = notifier(sender, clock: clock)
        await notifier.offer(.integer(5))
        sender.failing.withLock { $0 = true }
        #expect(await notifier.offer(.integer(-1)) == .failed([.becameUnusable(alias: "", load: -1)]))
        // The same answer within the backoff: no new attempt.
        #expect(await notifier.offer(.integer(-1)) == .waitingToRetry)
        clock.advance(.milliseconds(900))
        #expect(await notifier.offer(.integer(-1)) == .waitingToRetry)
        #expect(sender.attempts.withLock { $0 } == 2)
        clock.advance(.milliseconds(200))
        #expect(await notifier.offer(.integer(-1)) == .failed([.becameUnusable(alias: "", load: -1)]))
        // The backoff doubled: 2 s now.
        clock.advance(.milliseconds(1500))
        #expect(await notifier.offer(.integer(-1)) == .waitingToRetry)
        // One failure code for another is no change: still waiting.
        #expect(await notifier.offer(.integer(-7)) == .waitingToRetry)
        // A change does not wait for the backoff.
        #expect(await notifier.offer(.integer(40)) == .failed([.loadMoved(alias: "", from: 5, to: 40)]))
        sender.failing.withLock { $0 = false }
        #expect(await notifier.offer(.integer(40)) == .waitingToRetry)
        clock.advance(.seconds(5))
        #expect(await notifier.offer(.integer(40)) == .sent([.loadMoved(alias: "", from: 5, to: 40)]))
        #expect(sender.sent.withLock { $0 } == ["5", "40"])
    }

    @Test func backToWhatTheReceiverKnowsOwesNothing() async {
        let sender = RecordingSender()
        let clock = ManualClock()
        let notifier = notifier(sender, clock: clock)
        await notifier.offer(.integer(5))
        sender.failing.withLock { $0 = true }
        #expect(await notifier.offer(.integer(-1)) != .unchanged)
        sender.failing.withLock { $0 = false }
        #expect(await notifier.offer(.integer(5)) == .unchanged)
        // The failure is forgotten: the next drain is sent at once.
        #expect(await notifier.offer(.integer(-1)) == .sent([.becameUnusable(alias: "", load: -1)]))
    }
}

/// The cache's background entry: the answer it returns is the one GETs see next.
@Suite("Answer cache evaluated now")
struct AnswerCacheEvaluateNowTests {
    @Test func evaluateNowRefreshesWhatRequestsGet() async {
        let value = Mutex(1)
        let cache = AnswerCache(maximumAge: .seconds(3600)) { .integer(value.withLock { $0 }) }
        #expect(await cache.answer() == .integer(1))
        value.withLock { $0 = 2 }
        #expect(await cache.answer() == .integer(1), "cached for an hour")
        #expect(await cache.evaluateNow() == .integer(2))
        #expect(await cache.answer() == .integer(2))
        #expect(await cache.evaluations == 2)
    }

    @Test func evaluateNowDoesNotReturnAnEvaluationThatStartedBeforeIt() async {
        let value = Mutex(1)
        let gate = Mutex(false)
        let reads = Mutex(0)
        let cache = AnswerCache(maximumAge: .seconds(3600)) {
            let read = value.withLock { $0 }
            reads.withLock { $0 += 1 }
            for _ in 0..<500 where !gate.withLock({ $0 }) { try? await Task.sleep(for: .milliseconds(10)) }
            return .integer(read)
        }
        let first = await cache.startRefresh()
        for _ in 0..<500 where reads.withLock({ $0 }) == 0 { try? await Task.sleep(for: .milliseconds(10)) }
        value.withLock { $0 = 2 }
        let now = Task { await cache.evaluateNow() }
        gate.withLock { $0 = true }
        #expect(await first.value == .integer(1))
        #expect(await now.value == .integer(2))
    }
}
