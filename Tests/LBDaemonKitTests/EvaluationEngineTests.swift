import LBCore
import LBDaemonKit
import Logging
import NIOCore
import Synchronization
import Testing

@Suite struct EvaluationEngineTests {
    private func engine(
        _ aliases: [AliasConfiguration], probe: FakeNodeProbe, publisher: RecordingPublisher,
        dryRun: Bool = false
    ) -> EvaluationEngine {
        let poller = NodePoller(
            addressBook: NodeAddressBook(port: 161, resolve: fakeResolve), probe: probe, concurrency: 4)
        return EvaluationEngine(
            configuration: Configuration(aliases: aliases), poller: poller, publishers: [publisher],
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }), seed: 7, dryRun: dryRun
        )
    }

    @Test func theLeastLoadedMembersArePublishedAndASharedNodeIsPolledOnce() async {
        let probe = FakeNodeProbe([
            "127.0.0.1": .integer(30), "127.0.0.2": .integer(10), "127.0.0.3": .integer(20),
            "127.0.0.4": .integer(-14),
        ])
        let publisher = RecordingPublisher()
        let engine = engine(
            [
                AliasConfiguration(
                    name: "www.example", members: ["host1", "host2", "host3", "host4"],
                    parameters: AliasParameters(bestHosts: .count(2))),
                AliasConfiguration(
                    name: "api.example", members: ["host2", "host4"],
                    parameters: AliasParameters(bestHosts: .count(1), ttl: 120, external: true)),
            ], probe: probe, publisher: publisher)
        let evaluations = await engine.evaluateAll()
        #expect(evaluations.map(\.decision.alias).sorted() == ["api.example", "www.example"])
        let published = publisher.publications.withLock { $0 }
        let www = published.first { $0.alias == "www.example" }
        #expect(www?.addresses.map(\.description) == ["127.0.0.2", "127.0.0.3"])
        let api = published.first { $0.alias == "api.example" }
        #expect(api?.addresses.map(\.description) == ["127.0.0.2"])
        #expect(api?.ttl == 120 && api?.external == true)
        #expect(probe.pollCount("127.0.0.2") == 1)
        #expect(probe.pollCount("127.0.0.4") == 1)
        #expect(evaluations.allSatisfy { $0.action == "updated" })
        #expect(await engine.evaluations.count == 2)
    }

    @Test func keepPolicyPublishesNothingAndEmptyPolicyPublishesNoAddress() async {
        let probe = FakeNodeProbe(["127.0.0.1": .integer(-2)])
        let publisher = RecordingPublisher()
        let engine = engine(
            [
                AliasConfiguration(
                    name: "kept.example", members: ["host1", "missing1"],
                    parameters: AliasParameters(whenNoneUsable: .keep)),
                AliasConfiguration(
                    name: "emptied.example", members: ["host1", "host9"],
                    parameters: AliasParameters(whenNoneUsable: .empty)),
            ], probe: probe, publisher: publisher)
        let evaluations = await engine.evaluateAll()
        let kept = evaluations.first { $0.decision.alias == "kept.example" }
        #expect(kept?.action == "keep")
        #expect(kept?.results.isEmpty == true)
        let published = publisher.publications.withLock { $0 }
        #expect(published.map(\.alias) == ["emptied.example"])
        #expect(published.first?.addresses.isEmpty == true)
    }

    @Test func aDryRunOnlyReportsWhatWouldChange() async {
        let probe = FakeNodeProbe(["127.0.0.1": .integer(5)])
        let publisher = RecordingPublisher()
        let engine = engine(
            [AliasConfiguration(name: "www.example", members: ["host1"])], probe: probe, publisher: publisher,
            dryRun: true)
        let evaluations = await engine.evaluateAll()
        #expect(evaluations.first?.action == "would-update")
    }

    @Test func reloadKeepsUnchangedAliasesAndForgetsRemovedOnes() async {
        let probe = FakeNodeProbe(["127.0.0.1": .integer(5), "127.0.0.2": .integer(6)])
        let publisher = RecordingPublisher()
        let a = AliasConfiguration(name: "a.example", members: ["host1"])
        let b = AliasConfiguration(name: "b.example", members: ["host2"])
        let engine = engine([a, b], probe: probe, publisher: publisher)
        _ = await engine.evaluateAll()
        var changedB = b
        changedB.members = ["host1", "host2"]
        await engine.reload(
            Configuration(aliases: [a, changedB, AliasConfiguration(name: "c.example", members: ["host2"])]))
        let kept = await engine.evaluations
        #expect(kept["a.example"] != nil)
        #expect(kept["b.example"] == nil)
        await engine.reload(Configuration(aliases: [changedB]))
        #expect(await engine.evaluations["a.example"] == nil)
    }

    @Test func runEvaluatesAliasesAgainAtTheirInterval() async throws {
        let probe = FakeNodeProbe(["127.0.0.1": .integer(5)])
        let publisher = RecordingPublisher()
        let engine = engine(
            [
                AliasConfiguration(
                    name: "fast.example", members: ["host1"], parameters: AliasParameters(pollingInterval: 1))
            ],
            probe: probe, publisher: publisher)
        let running = Task { await engine.run() }
        // The first evaluation comes within the start spread of one interval, the next ones
        // about every second.
        let deadline = ContinuousClock.now + .seconds(10)
        while probe.pollCount("127.0.0.1") < 3 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        running.cancel()
        await running.value
        #expect(probe.pollCount("127.0.0.1") >= 3)
    }

    @Test func cancellingRunLetsTheEvaluationInFlightFinish() async throws {
        let probe = SlowProbe()
        let publisher = RecordingPublisher()
        let poller = NodePoller(
            addressBook: NodeAddressBook(port: 161, resolve: fakeResolve), probe: probe, concurrency: 4)
        let engine = EvaluationEngine(
            configuration: Configuration(aliases: [
                AliasConfiguration(
                    name: "slow.example", members: ["host1"], parameters: AliasParameters(pollingInterval: 1))
            ]),
            poller: poller, publishers: [publisher],
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }), seed: 1)
        let running = Task { await engine.run() }
        let deadline = ContinuousClock.now + .seconds(10)
        while !probe.started.withLock({ $0 }), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        running.cancel()
        await running.value
        // The poll was not cut short, and its decision was published before run() returned.
        #expect(probe.completed.withLock { $0 } == 1)
        #expect(publisher.publications.withLock { $0.map(\.addresses.description) } == ["[127.0.0.1]"])
    }
}

/// Answers after half a second, ignoring nothing: a cancelled poll would end early.
final class SlowProbe: NodeProbe {
    let started = Mutex(false)
    let completed = Mutex(0)

    func poll(_ address: SocketAddress) async -> AddressReply {
        started.withLock { $0 = true }
        do {
            try await Task.sleep(for: .milliseconds(500))
        } catch {
            return .failure(.cancelled)
        }
        completed.withLock { $0 += 1 }
        return .integer(5)
    }
}
