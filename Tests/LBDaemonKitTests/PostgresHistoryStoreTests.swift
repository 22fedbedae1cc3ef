import Foundation
import LBTestSupport
import Logging
import Testing

@testable import LBDaemonKit

/// `PostgresHistoryStore` against a private PostgreSQL: the same answers as the builder, the
/// roll-up, and two instances of an HA pair sharing one database.
@Suite(.serialized)
struct PostgresHistoryStoreTests {
    static func store(_ cluster: PostgresCluster, instance: String, rawRetention: TimeInterval = 2 * 86_400)
        throws -> PostgresHistoryStore
    {
        try PostgresHistoryStore(
            url: PostgresURL(parsing: cluster.url), instance: instance, rawRetention: rawRetention,
            timeout: 10,
            logger: Logger(label: "test"))
    }

    @Test func answersAsTheBuilderAndRollsUpAsSQLiteDoes() async throws {
        guard PostgresCluster.available else { return }
        let cluster = try PostgresCluster()
        defer { cluster.stop() }
        let store = try Self.store(cluster, instance: "lbd1")
        // `standby` is the one action the shared store reads differently.
        let records = HistoryFixture.randomRecords(seed: 3, count: 150).filter { $0.action != "standby" }
        let memory = InMemoryHistoryStore(retention: 365 * 86_400)
        for batch in stride(from: 0, to: records.count, by: 7) {
            let slice = Array(records[batch..<min(batch + 7, records.count)])
            try await memory.record(slice)
            try await store.record(slice)
        }
        let to = records.last!.at.addingTimeInterval(1)
        for alias in ["a.example", "b.example", "c.example"] {
            let expected = try await memory.aliasHistory(
                alias, from: HistoryFixture.start.addingTimeInterval(600), to: to)
            let actual = try await store.aliasHistory(
                alias, from: HistoryFixture.start.addingTimeInterval(600), to: to)
            #expect(actual == expected, "\(alias)")
        }
        // The same roll-up as SQLite's.
        let sqlite = try HistoryFixture.sqlite(rawRetention: 86_400)
        let rolling = try Self.store(cluster, instance: "lbd-rollup", rawRetention: 86_400)
        let renamed = records.map { record -> EvaluationRecord in
            var copy = record
            copy.alias = "rolled." + record.alias
            return copy
        }
        try await sqlite.record(renamed)
        try await rolling.record(renamed)
        let now = records.last!.at.addingTimeInterval(86_400 + 600)
        try await sqlite.maintain(now: now)
        try await rolling.maintain(now: now)
        for alias in ["rolled.a.example", "rolled.b.example"] {
            let expected = try await sqlite.aliasHistory(alias, from: HistoryFixture.start, to: now)
            let actual = try await rolling.aliasHistory(alias, from: HistoryFixture.start, to: now)
            #expect(actual.loads == expected.loads, "\(alias)")
            #expect(actual.loads.contains { $0.samples > 1 })
        }
        try await store.record(
            event: ServiceEvent(
                at: HistoryFixture.start, kind: "takeover", instance: "lbd1", detail: "lease 3"))
        let service = try await store.serviceHistory(from: HistoryFixture.start, to: now)
        #expect(service.events.map(\.kind) == ["takeover"])
        await store.close()
        await rolling.close()
    }

    @Test func anHAPairSharesTheHistoryAndMembershipsFollowThePublisher() async throws {
        guard PostgresCluster.available else { return }
        let cluster = try PostgresCluster()
        defer { cluster.stop() }
        let (a, b) = (try Self.store(cluster, instance: "lbd-a"), try Self.store(cluster, instance: "lbd-b"))
        let t0 = HistoryFixture.start
        func record(_ offset: Double, action: String, chosen: String) -> EvaluationRecord {
            EvaluationRecord(
                alias: "www.example", at: t0.addingTimeInterval(offset), policy: .bestN, published: [chosen],
                action: action,
                members: ["n1", "n2"].map {
                    HistoryFixture.member($0, load: $0 == chosen ? 1 : 9, chosen: $0 == chosen)
                })
        }
        // a publishes n1 for an hour, then b takes over and publishes n2 for an hour.
        try await a.record([record(0, action: "updated", chosen: "n1")])
        try await b.record([record(1, action: "standby", chosen: "n1")])
        try await a.record([record(3_600, action: "standby", chosen: "n1")])
        try await b.record([record(3_600, action: "updated", chosen: "n2")])
        let history = try await a.aliasHistory("www.example", from: t0, to: t0.addingTimeInterval(7_200))
        #expect(
            history.memberships == [
                MembershipInterval(node: "n1", from: t0, to: t0.addingTimeInterval(3_600)),
                MembershipInterval(node: "n2", from: t0.addingTimeInterval(3_600), to: nil),
            ])
        #expect(history.shareBehindAlias() == ["n1": 0.5, "n2": 0.5])
        // Both instances' samples are there; only the publishers' decisions.
        #expect(history.loads.count == 8)
        #expect(history.decisions.map(\.at) == [t0, t0.addingTimeInterval(3_600)])
        await a.close()
        await b.close()
    }

    /// The server crashes mid-run and comes back: while it is down writes fail (counted by the
    /// recorder, which goes on), then the store reconnects by itself and nothing committed is lost.
    @Test func aServerKilledAndRestartedIsReconnectedAndTheRecorderRecovers() async throws {
        guard PostgresCluster.available else { return }
        let cluster = try PostgresCluster()
        defer { cluster.stop() }
        let store = try PostgresHistoryStore(
            url: PostgresURL(parsing: cluster.url), instance: "lbd1", timeout: 3,
            logger: Logger(label: "test"))
        let recorder = HistoryRecorder(store: store, logger: HistoryRecorderTests.quiet)
        let t0 = HistoryFixture.start
        func event(_ n: Int) -> ServiceEvent {
            ServiceEvent(
                at: t0.addingTimeInterval(Double(n)), kind: "reload", instance: "lbd1", detail: "\(n)")
        }
        let records = HistoryFixture.randomRecords(seed: 5, count: 60).filter { $0.action != "standby" }
        let (before, during, after) = (Array(records[..<20]), Array(records[20..<40]), Array(records[40...]))
        try await store.record(before)
        recorder.record(event: event(0))
        await recorder.drain()
        #expect(recorder.counts.written == 1)

        cluster.kill()
        recorder.record(event: event(1))
        recorder.record(event: event(2))
        await recorder.drain()
        #expect(recorder.counts.failures == 2)
        #expect(recorder.counts.written == 1)
        #expect(recorder.counts.queued == 0)
        await #expect(throws: HistoryError.self) { try await store.record(during) }

        try cluster.start()
        recorder.record(event: event(3))
        await recorder.drain()
        #expect(recorder.counts.written == 2)
        try await store.record(after)
        let service = try await store.serviceHistory(from: t0, to: t0.addingTimeInterval(60))
        #expect(service.events.map(\.detail) == ["0", "3"])
        // What the failed transaction did not commit is not in the store's memory either.
        let memory = InMemoryHistoryStore(retention: 365 * 86_400)
        try await memory.record(before)
        try await memory.record(after)
        let to = records.last!.at.addingTimeInterval(1)
        for alias in ["a.example", "b.example"] {
            let expected = try await memory.aliasHistory(alias, from: t0, to: to)
            let actual = try await store.aliasHistory(alias, from: t0, to: to)
            #expect(actual == expected, "\(alias)")
        }
        await store.close()
    }

    @Test func anUnreachableServerIsAnErrorNotAHang() async throws {
        let store = try PostgresHistoryStore(
            url: PostgresURL(parsing: "postgres://lbd:secret@127.0.0.1:1/lbd"), instance: "i", timeout: 2,
            logger: Logger(label: "test"))
        do {
            try await store.record(HistoryFixture.randomRecords(seed: 1, count: 2))
            Issue.record("a write to nowhere succeeded")
        } catch {
            #expect(!error.description.contains("secret"))
        }
    }
}
