import LBCore
import LBDaemonKit
import Logging
import NIOCore
import Synchronization
import Testing

/// An alias is decided and published as soon as its own members have answered, not when the
/// slowest node of every alias due with it has; each decision asks for its own permit.
@Suite struct EngineEarlyDecisionTests {
    /// fast: host1 and host3; slow: host3 and host2, whose poll is held.
    private let aliases = [
        AliasConfiguration(
            name: "fast.example", members: ["host1", "host3"],
            parameters: AliasParameters(bestHosts: .count(1))),
        AliasConfiguration(
            name: "slow.example", members: ["host3", "host2"],
            parameters: AliasParameters(bestHosts: .count(1))),
    ]

    private func engine(probe: any NodeProbe, publisher: any Publisher, leadership: any Leadership)
        -> EvaluationEngine
    {
        let poller = NodePoller(
            addressBook: NodeAddressBook(port: 161, resolve: fakeResolve), probe: probe, concurrency: 4)
        return EvaluationEngine(
            configuration: Configuration(aliases: aliases), poller: poller, publishers: [publisher],
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }), seed: 3,
            leadership: leadership)
    }

    private func loads() -> FakeNodeProbe {
        FakeNodeProbe(["127.0.0.1": .integer(10), "127.0.0.2": .integer(5), "127.0.0.3": .integer(20)])
    }

    /// Waits until `condition` holds, 10 s at most.
    private func eventually(_ condition: () async -> Bool) async -> Bool {
        for _ in 0..<1000 {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return await condition()
    }

    private func publishedAliases(_ publisher: RecordingPublisher) -> [String] {
        publisher.publications.withLock { $0.map(\.alias) }
    }

    @Test func anAliasIsPublishedWhileAnotherOfItsBatchWaitsForASlowNode() async throws {
        let probe = HeldAddressProbe(loads(), held: "127.0.0.2")
        let publisher = RecordingPublisher()
        let engine = engine(probe: probe, publisher: publisher, leadership: SwitchableLeadership())
        let batch = Task { await engine.evaluateAll() }

        #expect(await eventually { await engine.evaluations["fast.example"] != nil })
        #expect(publishedAliases(publisher) == ["fast.example"])
        #expect(
            await engine.evaluations["fast.example"]?.decision.publish?.map(\.description) == ["127.0.0.1"])
        // slow.example shares host3, which answered, but still waits for host2.
        #expect(await engine.evaluations["slow.example"] == nil)
        #expect(await engine.aliasesNotYetEvaluated == ["slow.example"])

        probe.release()
        let evaluations = await batch.value
        // The batch still returns every evaluation, in the order asked.
        #expect(evaluations.map(\.decision.alias) == ["fast.example", "slow.example"])
        #expect(evaluations.last?.decision.publish?.map(\.description) == ["127.0.0.2"])
        #expect(publishedAliases(publisher) == ["fast.example", "slow.example"])
        #expect(await engine.servedAliasesOnceEachEvaluated == ["fast.example", "slow.example"])
    }

    @Test func aPermitLostWhileASlowNodeIsPolledWithholdsOnlyTheLaterDecision() async throws {
        let probe = HeldAddressProbe(loads(), held: "127.0.0.2")
        let publisher = RecordingPublisher()
        let leadership = SwitchableLeadership()
        let engine = engine(probe: probe, publisher: publisher, leadership: leadership)
        let batch = Task { await engine.evaluateAll() }
        #expect(await eventually { publishedAliases(publisher) == ["fast.example"] })

        // The lease is lost while host2 is still being polled: slow.example is decided as a
        // standby decides, and not published.
        leadership.permits(false)
        probe.release()
        let evaluations = await batch.value
        #expect(evaluations.map(\.standby) == [false, true])
        #expect(evaluations.last?.results.isEmpty == true)
        #expect(publishedAliases(publisher) == ["fast.example"])
    }

    @Test func nothingIsDecidedWhilePollsAreStillToBeSent() async throws {
        // One slot, held to the end by host2: host3's poll cannot start until host2 answers.
        let probe = HeldAddressProbe(loads(), held: "127.0.0.2")
        let publisher = RecordingPublisher()
        let poller = NodePoller(
            addressBook: NodeAddressBook(port: 161, resolve: fakeResolve), probe: probe, concurrency: 1)
        let engine = EvaluationEngine(
            configuration: Configuration(aliases: [
                AliasConfiguration(name: "a.example", members: ["host1"]),
                AliasConfiguration(name: "b.example", members: ["host2"]),
                AliasConfiguration(name: "c.example", members: ["host3"]),
            ]), poller: poller, publishers: [publisher],
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        let batch = Task { await engine.evaluateAll() }
        #expect(await eventually { probe.loads.pollCount("127.0.0.1") == 1 })
        // host1 answered, but deciding a.example would take CPU from the polls still to send.
        try await Task.sleep(for: .milliseconds(100))
        #expect(await engine.evaluations.isEmpty)
        #expect(publishedAliases(publisher).isEmpty)
        probe.release()
        #expect(await batch.value.map(\.decision.alias) == ["a.example", "b.example", "c.example"])
        #expect(Set(publishedAliases(publisher)) == ["a.example", "b.example", "c.example"])
    }

    @Test func thePollerSaysOnceWhenTheLastPollHasStarted() async throws {
        let probe = HeldAddressProbe(loads(), held: "127.0.0.2")
        let poller = NodePoller(
            addressBook: NodeAddressBook(port: 161, resolve: fakeResolve), probe: probe, concurrency: 1)
        let started = Mutex(0)
        let delivered = Mutex(0)
        let polling = Task {
            await poller.poll(
                ["host1", "host2", "host3"], delivering: { _ in delivered.withLock { $0 += 1 } },
                started: { started.withLock { $0 += 1 } })
        }
        // host3, the last, waits for host2's slot.
        #expect(await eventually { delivered.withLock { $0 } == 1 })
        try await Task.sleep(for: .milliseconds(50))
        #expect(started.withLock { $0 } == 0)
        probe.release()
        await polling.value
        #expect(started.withLock { $0 } == 1)
        #expect(delivered.withLock { $0 } == 3)
        // Nothing to poll: nothing started, nothing delivered.
        await poller.poll(
            [], delivering: { _ in delivered.withLock { $0 += 1 } }, started: { started.withLock { $0 += 1 } }
        )
        #expect(started.withLock { $0 } == 1)
        #expect(delivered.withLock { $0 } == 3)
    }

    @Test func thePollerHandsOnEachReportAsItComes() async throws {
        let probe = HeldAddressProbe(loads(), held: "127.0.0.2")
        let poller = NodePoller(
            addressBook: NodeAddressBook(port: 161, resolve: fakeResolve), probe: probe, concurrency: 4)
        let delivered = Mutex<[String]>([])
        let polling = Task {
            await poller.poll(["host1", "host2", "host3"]) { report in
                delivered.withLock { $0.append(report.node) }
            }
        }
        #expect(await eventually { delivered.withLock { Set($0) } == ["host1", "host3"] })
        probe.release()
        await polling.value
        // Every node once, the held one last.
        #expect(delivered.withLock { $0.count } == 3)
        #expect(delivered.withLock { $0.last } == "host2")
    }
}

/// Answers from `loads`; polls of `held` wait until `release()`.
private final class HeldAddressProbe: NodeProbe {
    let loads: FakeNodeProbe
    private let held: String
    private let released = Mutex(false)

    init(_ loads: FakeNodeProbe, held: String) {
        self.loads = loads
        self.held = held
    }

    func release() { released.withLock { $0 = true } }

    func poll(_ address: SocketAddress) async -> AddressReply {
        if address.ipAddress == held {
            // Bounded: a test that never releases fails by its expectations, not by hanging.
            for _ in 0..<2000 where !released.withLock({ $0 }) {
                try? await Task.sleep(for: .milliseconds(10))
            }
        }
        return await loads.poll(address)
    }
}

/// Gives a permit while told to, as an active instance does until its lease is lost.
private final class SwitchableLeadership: Leadership {
    private let active = Mutex(true)

    func permits(_ yes: Bool) { active.withLock { $0 = yes } }

    func publishingPermit() async -> PublishingPermit? {
        active.withLock { $0 } ? PublishingPermit(fencingToken: 7) : nil
    }

    func status() async -> LeadershipStatus {
        LeadershipStatus(
            mode: "test", role: active.withLock { $0 } ? .active : .standby, instance: "test", reason: "test")
    }

    func run() async {}
    func roundCompleted() async {}
    func roleChanges() async -> AsyncStream<LeadershipRole> { AsyncStream { $0.finish() } }
}
