import LBCore
import LBDaemonKit
import Logging
import NIOCore
import Synchronization
import Testing

/// A reload racing an evaluation: nothing decided under the old configuration may reach DNS
/// once `reload` has returned (the daemon logs "configuration reloaded" right after).
@Suite struct EngineReloadTests {
    private func engine(_ aliases: [AliasConfiguration], probe: any NodeProbe, publisher: any Publisher)
        -> EvaluationEngine
    {
        let poller = NodePoller(
            addressBook: NodeAddressBook(port: 161, resolve: fakeResolve), probe: probe, concurrency: 4)
        return EvaluationEngine(
            configuration: Configuration(aliases: aliases), poller: poller, publishers: [publisher],
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }), seed: 3)
    }

    @Test func anAliasRedefinedWhilePollingIsNotPublishedFromItsOldDefinition() async throws {
        let probe = GatedProbe(reply: .integer(5))
        let publisher = RecordingPublisher()
        let changed = AliasConfiguration(name: "changed.example", members: ["host1"])
        let unchanged = AliasConfiguration(name: "unchanged.example", members: ["host2"])
        let engine = engine([changed, unchanged], probe: probe, publisher: publisher)
        let evaluation = Task { await engine.evaluateAll() }
        try await probe.waitUntilPolled(2)
        var redefined = changed
        redefined.members = ["host3"]
        await engine.reload(Configuration(aliases: [redefined, unchanged]))
        probe.release()
        let evaluations = await evaluation.value
        #expect(evaluations.map(\.decision.alias) == ["unchanged.example"])
        #expect(publisher.publications.withLock { $0.map(\.alias) } == ["unchanged.example"])
        #expect(await engine.evaluations["changed.example"] == nil)
    }

    @Test func reloadReturnsOnlyOnceThePublicationsUnderWayHaveFinished() async throws {
        let probe = FakeNodeProbe(["127.0.0.1": .integer(5)])
        let publisher = GatedPublisher()
        let alias = AliasConfiguration(name: "www.example", members: ["host1"])
        let engine = engine([alias], probe: probe, publisher: publisher)
        let evaluation = Task { await engine.evaluateAll() }
        try await publisher.waitUntilStarted()
        var redefined = alias
        redefined.members = ["host2"]
        let reloaded = Task {
            await engine.reload(Configuration(aliases: [redefined]))
            return publisher.finished.withLock { $0 }
        }
        // The reload must be waiting for the UPDATE in flight, not returning before it ends.
        try await Task.sleep(for: .milliseconds(200))
        publisher.release()
        #expect(await reloaded.value == 1)
        _ = await evaluation.value
    }

    /// The engine numbers members by name: a reload adding `host1` renumbers every other member
    /// while their polls are out. Each report must still land on its own node, for the batch's
    /// decision and for a later one from the reports held.
    @Test func aReloadThatRenumbersTheMembersWhilePollingKeepsEachReportWithItsNode() async throws {
        let probe = GatedProbe(replies: ["127.0.0.2": .integer(20), "127.0.0.4": .integer(40)])
        let publisher = RecordingPublisher()
        let kept = AliasConfiguration(
            name: "kept.example", members: ["host4", "host2"],
            parameters: AliasParameters(bestHosts: .allUsable))
        let engine = engine([kept], probe: probe, publisher: publisher)
        let evaluation = Task { await engine.evaluateAll() }
        try await probe.waitUntilPolled(2)
        let added = AliasConfiguration(name: "added.example", members: ["host1", "host3"])
        await engine.reload(Configuration(aliases: [added, kept]))
        probe.release()
        let evaluations = await evaluation.value
        let loads = { (evaluation: AliasEvaluation?) in
            evaluation?.decision.members.map { "\($0.node)=\($0.evaluation.load.map(String.init) ?? "-")" }
        }
        #expect(evaluations.map(\.decision.alias) == ["kept.example"])
        #expect(loads(evaluations.first) == ["host4=40", "host2=20"])
        // Decided again from the reports held, under the new numbering.
        let again = await engine.refresh(nodes: ["host2"], repoll: false)
        #expect(again.map(\.decision.alias) == ["kept.example"])
        #expect(loads(again.first) == ["host4=40", "host2=20"])
    }

    @Test func aReloadWithNothingInFlightReturnsAtOnce() async {
        let probe = FakeNodeProbe(["127.0.0.1": .integer(5)])
        let alias = AliasConfiguration(name: "www.example", members: ["host1"])
        let engine = engine([alias], probe: probe, publisher: RecordingPublisher())
        _ = await engine.evaluateAll()
        await engine.reload(Configuration(aliases: [alias]))
        #expect(await engine.evaluations["www.example"] != nil)
    }
}

/// Holds every poll until `release()`, counting the polls that started.
final class GatedProbe: NodeProbe {
    private let reply: AddressReply
    /// Replies by IP address, in place of `reply`.
    private let replies: [String: AddressReply]
    private let state = Mutex((started: 0, released: false))

    init(reply: AddressReply) {
        self.reply = reply
        self.replies = [:]
    }

    init(replies: [String: AddressReply]) {
        self.reply = .failure(.timeout(attempts: 1))
        self.replies = replies
    }

    func poll(_ address: SocketAddress) async -> AddressReply {
        state.withLock { $0.started += 1 }
        while !state.withLock({ $0.released }) {
            try? await Task.sleep(for: .milliseconds(10))
        }
        return address.ipAddress.flatMap { replies[$0] } ?? reply
    }

    func release() { state.withLock { $0.released = true } }

    func waitUntilPolled(_ count: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while state.withLock({ $0.started }) < count {
            guard ContinuousClock.now < deadline else { throw GateTimeout() }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}

/// Holds every publication until `release()`.
final class GatedPublisher: Publisher {
    private let state = Mutex((started: 0, released: false))
    let finished = Mutex(0)

    func publish(_ publication: Publication, dryRun: Bool) async -> [PublicationResult] {
        state.withLock { $0.started += 1 }
        while !state.withLock({ $0.released }) {
            try? await Task.sleep(for: .milliseconds(10))
        }
        finished.withLock { $0 += 1 }
        return [PublicationResult(target: "gated", previous: nil, action: .updated)]
    }

    func release() { state.withLock { $0.released = true } }

    func waitUntilStarted() async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while state.withLock({ $0.started }) == 0 {
            guard ContinuousClock.now < deadline else { throw GateTimeout() }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}

struct GateTimeout: Error {}
