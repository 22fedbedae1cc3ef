import LBCore
import LBDaemonKit
import Logging
import Synchronization
import Testing

/// Keeps every line logged, with its level and metadata.
final class RecordingLogHandler: LogHandler, Sendable {
    struct Entry: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: Logger.Metadata
    }

    let entries = Mutex<[Entry]>([])

    var logLevel: Logger.Level {
        get { .trace }
        set {}
    }

    var metadata: Logger.Metadata {
        get { [:] }
        set {}
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { nil }
        set {}
    }

    func log(event: LogEvent) {
        let entry = Entry(level: event.level, message: "\(event.message)", metadata: event.metadata ?? [:])
        entries.withLock { $0.append(entry) }
    }

    /// The entries logged since the last call.
    func take() -> [Entry] {
        entries.withLock { entries in
            defer { entries.removeAll() }
            return entries
        }
    }
}

/// Publishes nothing and fails with a reason.
final class FailingPublisher: Publisher {
    func publish(_ publication: Publication, dryRun: Bool) async -> [PublicationResult] {
        [
            PublicationResult(
                target: "internal view", previous: nil,
                action: .failed(PublishingFailure(.rejected, "the server said REFUSED")))
        ]
    }
}

@Suite struct EvaluationLogTests {
    private func engine(
        probe: FakeNodeProbe, handler: RecordingLogHandler, publisher: any Publisher = RecordingPublisher()
    ) -> EvaluationEngine {
        let poller = NodePoller(
            addressBook: NodeAddressBook(port: 161, resolve: fakeResolve), probe: probe, concurrency: 4)
        return EvaluationEngine(
            configuration: Configuration(aliases: [
                AliasConfiguration(
                    name: "www.example", members: ["host1", "host2"],
                    parameters: AliasParameters(bestHosts: .count(1)))
            ]), poller: poller, publishers: [publisher],
            logger: Logger(label: "test", factory: { _ in handler }),
            seed: 7)
    }

    private func causeLines(_ entries: [RecordingLogHandler.Entry]) -> [RecordingLogHandler.Entry] {
        entries.filter { $0.message.contains("host2 is") }
    }

    @Test func anUnusableMembersCauseIsAWarningWhenItAppearsOrChanges() async throws {
        let probe = FakeNodeProbe(["127.0.0.1": .integer(5), "127.0.0.2": .failure(.security(.wrongDigest))])
        let handler = RecordingLogHandler()
        let engine = engine(probe: probe, handler: handler)

        _ = await engine.evaluateAll()
        let first = causeLines(handler.take())
        #expect(first.count == 1)
        #expect(first.first?.level == .warning)
        #expect(
            first.first?.message.hasPrefix(
                "www.example: host2 is not usable: wrong digest (usmStatsWrongDigests)")
                == true, "\(first)")
        #expect(first.first?.metadata["error"] == "wrong_digest")
        #expect(first.first?.metadata["node"] == "host2")

        // The same cause again: no new warning, but the alias line still names it.
        _ = await engine.evaluateAll()
        let second = handler.take()
        #expect(causeLines(second).isEmpty)
        // (The recording publisher reports every publication as an update.)
        let aliasLine = try #require(second.first { $0.message.hasPrefix("www.example: updated 127.0.0.1") })
        #expect(aliasLine.level == .notice)
        #expect(aliasLine.metadata["unusable"] == .dictionary(["host2": "wrong_digest"]))
        guard case .stringConvertible(let usable) = aliasLine.metadata["usable"] else {
            Issue.record("usable is not a number: \(String(describing: aliasLine.metadata["usable"]))")
            return
        }
        #expect(usable as? Int == 1)

        // Another cause: a new warning, with the attempts.
        probe.set("127.0.0.2", .failure(.timeout(attempts: 2)))
        _ = await engine.evaluateAll()
        let third = causeLines(handler.take())
        #expect(
            third.map(\.message) == ["www.example: host2 is not usable: no answer (timeout after 2 attempts)"]
        )

        // Recovered: one notice.
        probe.set("127.0.0.2", .integer(9))
        _ = await engine.evaluateAll()
        let fourth = causeLines(handler.take())
        #expect(fourth.map(\.level) == [.notice])
        #expect(fourth.first?.message == "www.example: host2 is usable again (load 9)")
    }

    @Test func aMemberLineCarriesTheLoadAsANumber() async throws {
        let probe = FakeNodeProbe(["127.0.0.1": .integer(5), "127.0.0.2": .integer(7)])
        let handler = RecordingLogHandler()
        _ = await engine(probe: probe, handler: handler).evaluateAll()
        let member = try #require(
            handler.take().first { $0.level == .debug && $0.metadata["node"] == "host1" })
        guard case .stringConvertible(let load) = member.metadata["load"] else {
            Issue.record("load is not a number: \(String(describing: member.metadata["load"]))")
            return
        }
        #expect(load as? Int == 5)
    }

    @Test func aFailedPublicationLogsItsReason() async throws {
        let probe = FakeNodeProbe(["127.0.0.1": .integer(5), "127.0.0.2": .integer(7)])
        let handler = RecordingLogHandler()
        _ = await engine(probe: probe, handler: handler, publisher: FailingPublisher()).evaluateAll()
        let failure = try #require(
            handler.take().first { $0.metadata["action"] == "failed" && $0.level == .warning })
        #expect(
            failure.message == "www.example: publishing to the internal view failed: the server said REFUSED")
        #expect(failure.metadata["error"] == "rejected")
    }
}
