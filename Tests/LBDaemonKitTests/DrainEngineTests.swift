import Foundation
import LBCore
import LBTestSupport
import Logging
import ServiceLifecycle
import Testing

@testable import LBDaemonKit

/// Drains in a running engine: a drained member leaves DNS at once (not at its alias's next
/// poll, 300 s away), comes back at the drain's expiry, stays drained across a restart, and its
/// explanation says who drained it and why.
@Suite struct DrainEngineTests {
    private static let alias = AliasConfiguration(
        name: "www.example", members: ["host1", "host2", "host3"],
        parameters: AliasParameters(bestHosts: .count(2), pollingInterval: 300))

    private func engine(
        _ probe: FakeNodeProbe, _ publisher: RecordingPublisher, book: DrainBook, clock: TestUnixClock
    ) -> EvaluationEngine {
        let poller = NodePoller(
            addressBook: NodeAddressBook(port: 161, resolve: fakeResolve), probe: probe, concurrency: 4)
        return EvaluationEngine(
            configuration: Configuration(aliases: [Self.alias]), poller: poller, publishers: [publisher],
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }), seed: 7, drains: book,
            unixTime: clock.read)
    }

    private static func probe() -> FakeNodeProbe {
        FakeNodeProbe(["127.0.0.1": .integer(10), "127.0.0.2": .integer(20), "127.0.0.3": .integer(30)])
    }

    private static func lastPublished(_ publisher: RecordingPublisher) -> [String] {
        publisher.publications.withLock { $0.last?.addresses.map(\.description) ?? [] }
    }

    @Test func aDrainedMemberLeavesDNSAtOnceAndComesBackAtExpiry() async throws {
        let directory = try Peers.temporaryDirectory("lbd-drain-engine")
        defer { try? FileManager.default.removeItem(at: directory) }
        let clock = TestUnixClock()
        let book = DrainBook(stateDirectory: directory.path, unixTime: clock.read)
        let probe = Self.probe()
        let publisher = RecordingPublisher()
        let engine = engine(probe, publisher, book: book, clock: clock)
        await engine.evaluateAll()
        #expect(Self.lastPublished(publisher) == ["127.0.0.1", "127.0.0.2"])
        let log = MetadataLog()
        let watcher = DrainWatcher(book: book, engine: engine, logger: log.logger)

        // `lbd drain` in another process: only the file changes.
        try DrainBook(stateDirectory: directory.path, unixTime: clock.read).add(
            Drain(
                node: "HOST1", by: "alice", reason: "kernel upgrade", since: clock.now, until: clock.now + 120
            ))
        #expect(await watcher.check() == ["host1"])
        #expect(Self.lastPublished(publisher) == ["127.0.0.2", "127.0.0.3"])
        // Decided from the reports held: the drained node was not polled again.
        #expect(probe.pollCount("127.0.0.1") == 1)
        let drained = try #require(
            await engine.evaluations["www.example"]?.decision.members.first { $0.node == "host1" })
        #expect(drained.reason == .drained)
        let detail = DecisionExplanation.detail(drained, bestHosts: .count(2))
        #expect(detail.contains("drained by alice: kernel upgrade"), "\(detail)")
        #expect(detail.contains("until \(DrainListing.time(clock.now + 120))"), "\(detail)")
        #expect(MemberDetail(drained, bestHosts: .count(2)).reason == "drained")
        // The alias page of the dashboards says it too.
        let page = AliasPage.render(
            alias: Self.alias, evaluation: await engine.evaluations["www.example"], published: [:],
            history: .off,
            window: .hour, now: Date())
        #expect(page.contains("drained by alice: kernel upgrade"), "\(page)")
        #expect(log.actions("drain").first?.metadata["node"] == "HOST1")
        #expect(log.actions("drain").first?.metadata["by"] == "alice")
        // Nothing changed: nothing decided again.
        #expect(await watcher.check().isEmpty)

        // The service, checking every 50 ms, puts it back once the clock reaches the expiry.
        let service = DrainService(watcher: watcher, interval: .milliseconds(50))
        let group = ServiceGroup(
            services: [service], logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        let running = Task { try await group.run() }
        clock.advance(119)
        try await Task.sleep(for: .milliseconds(300))
        #expect(Self.lastPublished(publisher) == ["127.0.0.2", "127.0.0.3"])
        clock.advance(1)
        try await withDeadline(10, "host1 back in DNS") {
            while Self.lastPublished(publisher) != ["127.0.0.1", "127.0.0.2"] {
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        await group.triggerGracefulShutdown()
        try await withDeadline(10, "the drain service stopping") { try await running.value }
        #expect(log.actions("drain-expired").first?.metadata["node"] == "HOST1")
        // lbd dropped the expired drain from the file, and the audit log says so.
        #expect(try DrainBook(stateDirectory: directory.path).load().isEmpty)
        #expect(try auditLines(book).map(\.action) == [.drain, .expired])
        #expect(probe.pollCount("127.0.0.1") == 1)
    }

    @Test func anUndrainPutsTheNodeBackAtOnce() async throws {
        let directory = try Peers.temporaryDirectory("lbd-drain-engine")
        defer { try? FileManager.default.removeItem(at: directory) }
        let clock = TestUnixClock()
        let book = DrainBook(stateDirectory: directory.path, unixTime: clock.read)
        let publisher = RecordingPublisher()
        let engine = engine(Self.probe(), publisher, book: book, clock: clock)
        await engine.evaluateAll()
        let log = MetadataLog()
        let watcher = DrainWatcher(book: book, engine: engine, logger: log.logger)
        try book.add(Drain(node: "host2", alias: "www.example", by: "bob", reason: "disk", since: clock.now))
        await watcher.check()
        #expect(Self.lastPublished(publisher) == ["127.0.0.1", "127.0.0.3"])
        try book.remove(node: "host2", by: "bob")
        await watcher.check()
        #expect(Self.lastPublished(publisher) == ["127.0.0.1", "127.0.0.2"])
        #expect(log.actions("undrain").first?.metadata["alias"] == "www.example")
    }

    @Test func aDrainSurvivesARestart() async throws {
        let directory = try Peers.temporaryDirectory("lbd-drain-engine")
        defer { try? FileManager.default.removeItem(at: directory) }
        let clock = TestUnixClock()
        try DrainBook(stateDirectory: directory.path, unixTime: clock.read).add(
            Drain(
                node: "host1", by: "alice", reason: "kernel upgrade", since: clock.now,
                until: clock.now + 3600))
        // A new lbd: a new book on the same state directory, a new engine.
        let log = MetadataLog()
        let book = DrainBook.loaded(stateDirectory: directory.path, logger: log.logger)
        #expect(log.actions("drains-loaded").count == 1)
        let publisher = RecordingPublisher()
        let restarted = DrainBook(stateDirectory: directory.path, unixTime: clock.read)
        try restarted.load()
        let engine = engine(Self.probe(), publisher, book: restarted, clock: clock)
        let evaluations = await engine.evaluateAll()
        #expect(Self.lastPublished(publisher) == ["127.0.0.2", "127.0.0.3"])
        let table = DecisionTable.render(evaluations.map(\.decision))
        #expect(table.contains("drained by alice: kernel upgrade"), "\(table)")
        let json = DecisionJSON.render(evaluations.map(\.decision), seed: nil)
        #expect(json.contains("drained by alice: kernel upgrade"), "\(json)")
        #expect(json.contains("\"drained\""), "\(json)")
        #expect(book.drains.count == 1)
    }

    @Test func aDamagedFileKeepsTheDrainsInForceAndIsLoggedOnce() async throws {
        let directory = try Peers.temporaryDirectory("lbd-drain-engine")
        defer { try? FileManager.default.removeItem(at: directory) }
        let clock = TestUnixClock()
        let book = DrainBook(stateDirectory: directory.path, unixTime: clock.read)
        try book.add(Drain(node: "host1", by: "alice", reason: "kernel upgrade", since: clock.now))
        let publisher = RecordingPublisher()
        let engine = engine(Self.probe(), publisher, book: book, clock: clock)
        await engine.evaluateAll()
        let log = MetadataLog()
        let watcher = DrainWatcher(book: book, engine: engine, logger: log.logger)
        try Data("{\"version\": 1, \"drains\": [".utf8).write(to: URL(fileURLWithPath: book.path))
        #expect(await watcher.check().isEmpty)
        try Data("{\"version\": 1, \"drains\": [{".utf8).write(to: URL(fileURLWithPath: book.path))
        await watcher.check()
        let errors = log.actions("drains-unusable")
        #expect(errors.count == 1)
        #expect(errors.first?.message.contains(book.path) == true)
        #expect(book.drains.map(\.node) == ["host1"])
        #expect(Self.lastPublished(publisher) == ["127.0.0.2", "127.0.0.3"])
    }
}
