import LBCore
import LBDaemonKit
import Logging
import NIOCore
import Synchronization
import Testing

/// A scheduled batch and a refresh (a push, a drain) deciding the same alias at once: a report
/// moves a `rise`/`fall` streak once, DNS ends with the last decision made, and the engine keeps
/// that one.
@Suite struct EngineConcurrentRefreshTests {
    private func engine(_ alias: AliasConfiguration, probe: any NodeProbe, publisher: any Publisher)
        -> EvaluationEngine
    {
        let poller = NodePoller(
            addressBook: NodeAddressBook(port: 161, resolve: fakeResolve), probe: probe, concurrency: 4)
        return EvaluationEngine(
            configuration: Configuration(aliases: [alias]), poller: poller, publishers: [publisher],
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }), seed: 7)
    }

    /// Waits until `condition` holds, `attempts` times 5 ms at most.
    private func eventually(attempts: Int = 400, _ condition: () async -> Bool) async -> Bool {
        for _ in 0..<attempts {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return await condition()
    }

    @Test func aBatchDecidingAfterARefreshDoesNotCountTheRefreshsReportAgain() async throws {
        let loads = FakeNodeProbe(["127.0.0.1": .integer(10), "127.0.0.2": .integer(20)])
        let probe = OneSlowNodeProbe(loads, held: "127.0.0.2")
        let engine = engine(
            AliasConfiguration(
                name: "www.example", members: ["host1", "host2"],
                parameters: AliasParameters(bestHosts: .count(1), fall: 2)),
            probe: probe, publisher: RecordingPublisher())
        probe.open()
        _ = await engine.evaluateAll()
        probe.close()

        // A batch polls both nodes; host1 answers 10 at once, host2 is slow.
        let batch = Task { await engine.evaluateAll() }
        #expect(await eventually { loads.pollCount("127.0.0.1") == 2 })
        // host1 fails and pushes: the refresh counts one failed poll of two.
        loads.set("127.0.0.1", .integer(-1))
        let refreshed = await engine.refresh(nodes: ["host1"])
        let failing = try #require(refreshed.first?.decision.members.first { $0.node == "host1" })
        #expect(failing.notes.contains { "\($0)".contains("failing: 1 of 2") }, "\(failing.notes)")
        #expect(refreshed.first?.decision.publish?.map(\.description) == ["127.0.0.1"])

        // The batch decides from the refresh's newer report of host1, already counted: one failed
        // poll still, not two (which would take host1 out after one failure with fall 2).
        probe.open()
        let late = try #require(await batch.value.first)
        let member = try #require(late.decision.members.first { $0.node == "host1" })
        #expect(member.notes.contains { "\($0)".contains("failing: 1 of 2") }, "\(member.notes)")
        #expect(late.decision.publish?.map(\.description) == ["127.0.0.1"])

        // The next poll that fails is the second: host1 leaves.
        #expect(await engine.evaluateAll().first?.decision.publish?.map(\.description) == ["127.0.0.2"])
    }

    @Test func dnsEndsWithTheLastDecisionWhenAnEarlierPublicationIsSlow() async throws {
        let loads = FakeNodeProbe(["127.0.0.1": .integer(10), "127.0.0.2": .integer(20)])
        let publisher = HeldOncePublisher()
        let engine = engine(
            AliasConfiguration(
                name: "www.example", members: ["host1", "host2"],
                parameters: AliasParameters(bestHosts: .count(1))),
            probe: loads, publisher: publisher)
        _ = await engine.evaluateAll()
        #expect(publisher.published.last == ["127.0.0.1"])

        // A batch decides host2 (host1 fails); its UPDATE is slow.
        publisher.holdNext()
        loads.set("127.0.0.1", .integer(-1))
        let batch = Task { await engine.evaluateAll() }
        #expect(await eventually { publisher.arrived == 2 })
        // host1 recovers and pushes: the refresh decides host1, after the batch decided host2.
        loads.set("127.0.0.1", .integer(10))
        let refresh = Task { await engine.refresh(nodes: ["host1"]) }
        // Time for a refresh that did not wait for the batch's UPDATE to reach the publisher.
        _ = await eventually(attempts: 100) { publisher.arrived == 3 }
        publisher.release()
        let late = await batch.value
        let refreshed = await refresh.value
        #expect(late.first?.decision.publish?.map(\.description) == ["127.0.0.2"])
        #expect(refreshed.first?.decision.publish?.map(\.description) == ["127.0.0.1"])
        // DNS got the decisions in the order they were made, and the engine keeps the last one.
        #expect(publisher.published == [["127.0.0.1"], ["127.0.0.2"], ["127.0.0.1"]])
        #expect(
            await engine.evaluations["www.example"]?.decision.publish?.map(\.description) == ["127.0.0.1"])
    }
}

/// Answers from `loads`, except that polls of `held` wait while the gate is closed.
private final class OneSlowNodeProbe: NodeProbe {
    private let loads: FakeNodeProbe
    private let held: String
    private let gate = Gate()

    init(_ loads: FakeNodeProbe, held: String) {
        self.loads = loads
        self.held = held
    }

    func open() { gate.open() }
    func close() { gate.close() }

    func poll(_ address: SocketAddress) async -> AddressReply {
        if address.ipAddress == held { await gate.pass() }
        return await loads.poll(address)
    }
}

/// Records each publication when it is done; after `holdNext()`, the next publication waits
/// for `release()`, the others go through (each counted in `arrived` as it comes).
private final class HeldOncePublisher: Publisher {
    private let state = Mutex<(arrived: Int, published: [[String]], holdNext: Bool)>((0, [], false))
    private let gate = Gate()

    var arrived: Int { state.withLock { $0.arrived } }
    var published: [[String]] { state.withLock { $0.published } }
    func holdNext() { state.withLock { $0.holdNext = true } }
    func release() { gate.open() }

    func publish(_ publication: Publication, dryRun: Bool) async -> [PublicationResult] {
        let held = state.withLock { state in
            state.arrived += 1
            defer { state.holdNext = false }
            return state.holdNext
        }
        if held { await gate.pass() }
        state.withLock { $0.published.append(publication.addresses.map(\.description)) }
        return [PublicationResult(target: "record", previous: nil, action: .updated)]
    }
}

/// Lets callers through while open; holds them until it opens otherwise.
private final class Gate: Sendable {
    private let state = Mutex<(isOpen: Bool, waiting: [CheckedContinuation<Void, Never>])>((false, []))

    func open() {
        let waiting = state.withLock { state in
            state.isOpen = true
            defer { state.waiting = [] }
            return state.waiting
        }
        for waiter in waiting { waiter.resume() }
    }

    func close() { state.withLock { $0.isOpen = false } }

    func pass() async {
        await withCheckedContinuation { continuation in
            let isOpen = state.withLock { state in
                if !state.isOpen { state.waiting.append(continuation) }
                return state.isOpen
            }
            if isOpen { continuation.resume() }
        }
    }
}
