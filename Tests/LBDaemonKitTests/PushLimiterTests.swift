import LBDaemonKit
import Testing

@Suite struct PushLimiterTests {
    private let start = ContinuousClock.now

    private func at(_ milliseconds: Int) -> ContinuousClock.Instant {
        start + .milliseconds(milliseconds)
    }

    private func limiter(interval: Duration = .seconds(1), perSecond: Int = 50, queue: Int = 100)
        -> PushLimiter
    {
        PushLimiter(perNodeInterval: interval, maximumPerSecond: perSecond, queueCapacity: queue)
    }

    @Test func aFirstNotificationStartsAReRollAtOnce() {
        var limiter = limiter()
        #expect(limiter.notify("node1", at: at(0)) == .ready)
        #expect(limiter.take(at: at(0)) == ["node1"])
        #expect(limiter.nextDeadline == nil)
        #expect(limiter.take(at: at(10)) == [])
    }

    @Test func notificationsWithinTheIntervalMakeOneTrailingRePollAtItsEnd() {
        var limiter = limiter()
        _ = limiter.notify("node1", at: at(0))
        #expect(limiter.take(at: at(0)) == ["node1"])
        #expect(limiter.notify("node1", at: at(100)) == .coalesced)
        #expect(limiter.notify("node1", at: at(200)) == .coalesced)
        #expect(limiter.notify("node1", at: at(900)) == .coalesced)
        #expect(limiter.take(at: at(900)) == [])
        #expect(limiter.nextDeadline == at(1000))
        #expect(limiter.take(at: at(999)) == [])
        // The trailing re-poll starts after the last notification: the final state is seen.
        #expect(limiter.take(at: at(1000)) == ["node1"])
        #expect(limiter.trailingCount == 0)
        #expect(limiter.nextDeadline == nil)
    }

    @Test func aNotificationAfterTheIntervalStartsAtOnce() {
        var limiter = limiter()
        _ = limiter.notify("node1", at: at(0))
        _ = limiter.take(at: at(0))
        #expect(limiter.notify("node1", at: at(1000)) == .ready)
        #expect(limiter.take(at: at(1000)) == ["node1"])
    }

    @Test func aNodeFlapping20TimesASecondIsRePolledOncePerInterval() {
        var limiter = limiter()
        var started: [Int] = []
        for tick in 0..<40 {  // 2 s, a notification every 50 ms
            let now = at(tick * 50)
            _ = limiter.notify("flappy", at: now)
            if !limiter.take(at: now).isEmpty { started.append(tick * 50) }
            if let deadline = limiter.nextDeadline, deadline <= at(tick * 50 + 49) {
                if !limiter.take(at: deadline).isEmpty { started.append(tick * 50) }
            }
        }
        // At 0, 1000, and the trailing one owed at 2000.
        #expect(started == [0, 1000])
        #expect(limiter.nextDeadline == at(2000))
        #expect(limiter.take(at: at(2000)) == ["flappy"])
    }

    @Test func otherNodesAreNotHeldBackByOneNodesInterval() {
        var limiter = limiter()
        _ = limiter.notify("node1", at: at(0))
        _ = limiter.take(at: at(0))
        #expect(limiter.notify("node1", at: at(10)) == .coalesced)
        #expect(limiter.notify("node2", at: at(10)) == .ready)
        #expect(limiter.take(at: at(10)) == ["node2"])
    }

    @Test func atMostMaximumPerSecondStartAndTheRestWaitInOrder() {
        var limiter = limiter(perSecond: 3)
        let outcomes = (1...5).map { limiter.notify("node\($0)", at: at(0)) }
        #expect(outcomes == [.ready, .ready, .ready, .rateLimited, .rateLimited])
        #expect(limiter.take(at: at(0)) == ["node1", "node2", "node3"])
        #expect(limiter.queuedCount == 2)
        #expect(limiter.nextDeadline == at(1000))
        #expect(limiter.take(at: at(999)) == [])
        #expect(limiter.take(at: at(1000)) == ["node4", "node5"])
        #expect(limiter.nextDeadline == nil)
    }

    @Test func theOverallLimitIsASlidingSecond() {
        var limiter = limiter(perSecond: 2)
        _ = limiter.notify("a", at: at(0))
        #expect(limiter.take(at: at(0)) == ["a"])
        _ = limiter.notify("b", at: at(600))
        #expect(limiter.take(at: at(600)) == ["b"])
        #expect(limiter.notify("c", at: at(700)) == .rateLimited)
        #expect(limiter.take(at: at(700)) == [])
        // "a" leaves the window at 1000: one more may start then, not two.
        #expect(limiter.nextDeadline == at(1000))
        #expect(limiter.take(at: at(1000)) == ["c"])
    }

    @Test func aQueuedNodeIsQueuedOnce() {
        var limiter = limiter(perSecond: 1)
        _ = limiter.notify("a", at: at(0))
        _ = limiter.take(at: at(0))
        #expect(limiter.notify("b", at: at(10)) == .rateLimited)
        #expect(limiter.notify("b", at: at(20)) == .coalesced)
        #expect(limiter.queuedCount == 1)
    }

    @Test func aFullQueueDropsNewNotificationsButNeverATrailingRePoll() {
        var limiter = limiter(interval: .milliseconds(500), perSecond: 1, queue: 2)
        _ = limiter.notify("a", at: at(0))
        #expect(limiter.take(at: at(0)) == ["a"])
        #expect(limiter.notify("a", at: at(100)) == .coalesced)  // owed at 500
        #expect(limiter.notify("b", at: at(100)) == .rateLimited)
        #expect(limiter.notify("c", at: at(100)) == .rateLimited)
        #expect(limiter.notify("d", at: at(100)) == .dropped)
        #expect(limiter.queuedCount == 2)
        // The queue is full: "a" waits for room rather than for its time.
        #expect(limiter.nextDeadline == at(1000))
        #expect(limiter.take(at: at(1000)) == ["b"])
        // Room again: "a" joins the queue behind "c".
        #expect(limiter.take(at: at(1000)) == [])
        #expect(limiter.queuedCount == 2)
        #expect(limiter.trailingCount == 0)
        #expect(limiter.take(at: at(2000)) == ["c"])
        #expect(limiter.take(at: at(3000)) == ["a"])
        #expect(limiter.nextDeadline == nil)
    }

    @Test func aStormFromManyNodesStartsNoMoreThanTheLimitInAnySecond() {
        var limiter = limiter(perSecond: 10, queue: 1_000)
        var startsByInstant: [(Int, Int)] = []
        for millisecond in stride(from: 0, to: 5000, by: 10) {
            _ = limiter.notify("node\(millisecond % 370)", at: at(millisecond))
            let started = limiter.take(at: at(millisecond))
            if !started.isEmpty { startsByInstant.append((millisecond, started.count)) }
        }
        for (instant, _) in startsByInstant {
            let window = startsByInstant.filter { $0.0 > instant - 1000 && $0.0 <= instant }
            #expect(window.map(\.1).reduce(0, +) <= 10)
        }
        #expect(startsByInstant.map(\.1).reduce(0, +) >= 40)
    }
}
