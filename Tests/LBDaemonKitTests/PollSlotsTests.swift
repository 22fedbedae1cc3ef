import LBCore
import Logging
import NIOCore
import Synchronization
import Testing

@testable import LBDaemonKit

/// The poller's slots: a poll holds one until it ends or its prompt window closes, and a closed
/// window hands the slot to the next poll without ever giving out more than there are.
@Suite struct PollSlotsTests {
    /// A clock the test moves by hand.
    private final class ManualClock: Sendable {
        private let start = ContinuousClock.now
        private let offset = Mutex<Duration>(.zero)

        func advance(by duration: Duration) { offset.withLock { $0 += duration } }
        var now: ContinuousClock.Instant { start + offset.withLock { $0 } }
    }

    /// Waits until `condition` holds, 400 times 5 ms at most.
    private func eventually(_ condition: () -> Bool) async -> Bool {
        for _ in 0..<400 {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return condition()
    }

    @Test func withoutAWindowASlotIsHeldUntilReleased() async throws {
        let slots = PollSlots(count: 2, promptWindow: nil)
        let first = try #require(await slots.acquire())
        _ = try #require(await slots.acquire())
        let third = Task { await slots.acquire() }
        #expect(await eventually { slots.waitingCount == 1 })
        slots.closeWindows()
        #expect(slots.waitingCount == 1, "no window: closing windows frees nothing")
        slots.release(first)
        #expect(await third.value != nil)
        #expect(slots.waitingCount == 0)
    }

    @Test func aClosedWindowHandsTheSlotOnAndTheLateReleaseFreesNothing() async throws {
        let clock = ManualClock()
        let slots = PollSlots(count: 1, promptWindow: .milliseconds(250), now: { clock.now })
        let slow = try #require(await slots.acquire())
        let second = Task { await slots.acquire() }
        #expect(await eventually { slots.waitingCount == 1 })

        clock.advance(by: .milliseconds(249))
        slots.closeWindows()
        #expect(slots.waitingCount == 1, "the window is still open")
        clock.advance(by: .milliseconds(1))
        slots.closeWindows()
        let next = try #require(await second.value)
        #expect(slots.overdueCount == 1)

        // The slow poll ends later: its slot was handed on already, so nothing is freed, and
        // a third poll still waits for the one slot.
        slots.release(slow)
        let third = Task { await slots.acquire() }
        #expect(await eventually { slots.waitingCount == 1 })
        slots.release(next)
        #expect(await third.value != nil)
    }

    @Test func aReleaseBeforeTheWindowClosesIsNotOverdue() async throws {
        let clock = ManualClock()
        let slots = PollSlots(count: 1, promptWindow: .milliseconds(250), now: { clock.now })
        let quick = try #require(await slots.acquire())
        slots.release(quick)
        clock.advance(by: .seconds(1))
        slots.closeWindows()
        #expect(slots.overdueCount == 0)
        // One slot, still: a second acquire gets it, a third waits.
        _ = try #require(await slots.acquire())
        let third = Task { await slots.acquire() }
        #expect(await eventually { slots.waitingCount == 1 })
        third.cancel()
        #expect(await third.value == nil, "a cancelled waiter gets no slot")
        #expect(slots.waitingCount == 0)
    }
}

/// The poller with prompt windows: silent nodes wait for their timeouts side by side, the
/// others are polled meanwhile, and the nodes silent last time go first.
@Suite struct NodePollerBoundsTests {
    /// Live addresses answer at once; silent ones wait until the test opens the gate. Records
    /// the order polls started in and the most polls under way at once.
    private final class GatedProbe: NodeProbe {
        private struct State {
            var started: [String] = []
            var underWay = 0
            var mostUnderWay = 0
            var answered = 0
            var open = false
            var waiting: [CheckedContinuation<Void, Never>] = []
        }
        private let state = Mutex(State())
        let silent: Set<String>

        init(silent: Set<String>) { self.silent = silent }

        var started: [String] { state.withLock { $0.started } }
        var mostUnderWay: Int { state.withLock { $0.mostUnderWay } }
        var answered: Int { state.withLock { $0.answered } }

        func poll(_ address: SocketAddress) async -> AddressReply {
            let ip = address.ipAddress ?? ""
            state.withLock { state in
                state.started.append(ip)
                state.underWay += 1
                state.mostUnderWay = max(state.mostUnderWay, state.underWay)
            }
            if silent.contains(ip) {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let open = state.withLock { state in
                        if !state.open { state.waiting.append(continuation) }
                        return state.open
                    }
                    if open { continuation.resume() }
                }
                state.withLock { $0.underWay -= 1 }
                return .failure(.timeout(attempts: 1))
            }
            state.withLock { state in
                state.underWay -= 1
                state.answered += 1
            }
            return .integer(5)
        }

        func openGate() {
            let waiting = state.withLock { state in
                state.open = true
                defer { state.waiting = [] }
                return state.waiting
            }
            for continuation in waiting { continuation.resume() }
        }
    }

    private let nodes = Set((1...12).map { "host\($0)" })
    private let silent: Set<String> = ["127.0.0.1", "127.0.0.2", "127.0.0.3"]

    @Test func silentNodesGiveTheirSlotsBackAndTheOthersAreAnsweredMeanwhile() async throws {
        let probe = GatedProbe(silent: silent)
        let poller = NodePoller(
            addressBook: NodeAddressBook(port: 161, resolve: fakeResolve), probe: probe,
            bounds: .init(concurrency: 2, promptWindow: .milliseconds(10), maximumOutstanding: 6))
        let polling = Task { await poller.poll(nodes) }
        // host1 to host3 (first in name order with host10 to host12) never answer while the
        // gate is shut: with 2 slots held to the end, nothing else could be polled.
        var allLiveAnswered = false
        for _ in 0..<400 where !allLiveAnswered {
            allLiveAnswered = probe.answered == 9
            if !allLiveAnswered { try await Task.sleep(for: .milliseconds(5)) }
        }
        #expect(allLiveAnswered, "answered \(probe.answered) of 9 while 3 nodes stayed silent")
        probe.openGate()
        let reports = await polling.value
        #expect(reports.count == 12)
        #expect(reports["host2"]?.addresses.first?.reply == .failure(.timeout(attempts: 1)))
        #expect(reports["host7"]?.addresses.first?.reply == .integer(5))
        #expect(probe.mostUnderWay <= 6, "at most maximumOutstanding polls at once")
        #expect(probe.mostUnderWay > 2, "silent polls past their window no longer count")
    }

    @Test func withoutAWindowNoMoreThanTheConcurrencyAreUnderWay() async throws {
        let probe = GatedProbe(silent: silent)
        let poller = NodePoller(
            addressBook: NodeAddressBook(port: 161, resolve: fakeResolve), probe: probe, concurrency: 2)
        let polling = Task { await poller.poll(nodes) }
        try await Task.sleep(for: .milliseconds(50))
        probe.openGate()
        let reports = await polling.value
        #expect(reports.count == 12)
        #expect(probe.mostUnderWay <= 2)
    }

    @Test func aCancelledPollStillReportsEveryNodeAndEnds() async throws {
        // The engine stopping mid-cycle: the poll still ends, with a report for every node (never
        // a cut-short set), once the polls under way return.
        let probe = GatedProbe(silent: silent)
        let poller = NodePoller(
            addressBook: NodeAddressBook(port: 161, resolve: fakeResolve), probe: probe,
            bounds: .init(concurrency: 1, promptWindow: .seconds(60), maximumOutstanding: 2))
        let polling = Task { await poller.poll(nodes) }
        var holding = false
        for _ in 0..<400 where !holding {
            holding = probe.started.count == 1
            if !holding { try await Task.sleep(for: .milliseconds(5)) }
        }
        #expect(holding, "the first, silent, node holds the only slot")
        polling.cancel()
        probe.openGate()
        let reports = await polling.value
        #expect(reports.count == 12)
        #expect(reports["host1"]?.addresses.first?.reply == .failure(.timeout(attempts: 1)))
    }

    @Test func theEngineRepollsTheNodesSilentLastCycleFirst() async throws {
        // host3 never answers: the first cycle polls in name order, the second starts with it.
        let probe = GatedProbe(silent: ["127.0.0.3"])
        probe.openGate()
        let poller = NodePoller(
            addressBook: NodeAddressBook(port: 161, resolve: fakeResolve), probe: probe, concurrency: 1)
        let engine = EvaluationEngine(
            configuration: Configuration(aliases: [
                AliasConfiguration(
                    name: "www.example", members: ["host1", "host2", "host3", "host4"],
                    parameters: AliasParameters(bestHosts: .count(1)))
            ]), poller: poller, publishers: [],
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
            seed: 1)
        _ = await engine.evaluateAll()
        #expect(probe.started == ["127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4"])
        _ = await engine.evaluateAll()
        #expect(Array(probe.started.dropFirst(4)) == ["127.0.0.3", "127.0.0.1", "127.0.0.2", "127.0.0.4"])
    }

    @Test func nodesSilentLastTimeArePolledFirst() async throws {
        let probe = GatedProbe(silent: [])
        let poller = NodePoller(
            addressBook: NodeAddressBook(port: 161, resolve: fakeResolve), probe: probe, concurrency: 1)
        _ = await poller.poll(nodes, first: ["host9", "host12", "host40"])
        #expect(Array(probe.started.prefix(3)) == ["127.0.0.12", "127.0.0.9", "127.0.0.1"])
        #expect(probe.started.count == 12, "a node named first but not asked for is not polled")
    }
}
