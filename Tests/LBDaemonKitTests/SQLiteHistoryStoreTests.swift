import Foundation
import GRDB
import LBCore
import LBTestSupport
import Testing

@testable import LBDaemonKit

/// `SQLiteHistoryStore`: the same answers as `AliasHistoryBuilder`, retention and the 5-minute
/// roll-up with an injected time, and clear errors for files it cannot use.
@Suite struct SQLiteHistoryStoreTests {
    @Test(arguments: [1, 2, 3] as [UInt64])
    func answersAsTheBuilderDoesForRandomRecords(seed: UInt64) async throws {
        let records = HistoryFixture.randomRecords(seed: seed, count: 400)
        let memory = InMemoryHistoryStore(retention: 365 * 86_400)
        let store = try HistoryFixture.sqlite()
        // In batches of varying size, as the engine gives them.
        var index = 0
        var random = SeededRandomNumberGenerator(seed: seed)
        while index < records.count {
            let size = 1 + Int(random.next() % 6)
            let batch = Array(records[index..<min(index + size, records.count)])
            try await memory.record(batch)
            try await store.record(batch)
            index += size
        }
        let end = records.last!.at
        let windows: [(Date, Date)] = [
            (HistoryFixture.start, end.addingTimeInterval(1)),
            (HistoryFixture.start.addingTimeInterval(3_000), end.addingTimeInterval(-3_000)),
            (
                HistoryFixture.start.addingTimeInterval(7_777.5),
                HistoryFixture.start.addingTimeInterval(9_000.25)
            ),
            (end, end.addingTimeInterval(86_400)),
        ]
        for alias in ["a.example", "b.example", "c.example", "unknown.example"] {
            for (from, to) in windows {
                let expected = try await memory.aliasHistory(alias, from: from, to: to)
                let actual = try await store.aliasHistory(alias, from: from, to: to)
                #expect(actual.memberships == expected.memberships, "\(alias) \(from)..<\(to)")
                #expect(actual.loads == expected.loads, "\(alias) \(from)..<\(to)")
                #expect(actual.decisions == expected.decisions, "\(alias) \(from)..<\(to)")
                #expect(actual.shareBehindAlias() == expected.shareBehindAlias())
            }
        }
    }

    @Test func aReopenedFileGoesOnWhereItStopped() async throws {
        let records = HistoryFixture.randomRecords(seed: 9, count: 200)
        let memory = InMemoryHistoryStore(retention: 365 * 86_400)
        try await memory.record(records)
        let first = try HistoryFixture.sqlite()
        try await first.record(Array(records[..<100]))
        try first.close()
        let second = try SQLiteHistoryStore(path: first.path)
        try await second.record(Array(records[100...]))
        let to = records.last!.at.addingTimeInterval(1)
        for alias in ["a.example", "b.example", "c.example"] {
            let expected = try await memory.aliasHistory(alias, from: HistoryFixture.start, to: to)
            let actual = try await second.aliasHistory(alias, from: HistoryFixture.start, to: to)
            #expect(actual == expected)
        }
    }

    @Test func samplesOlderThanTheRawWindowAreRolledUpIntoFiveMinuteBuckets() async throws {
        let store = try HistoryFixture.sqlite(retention: 30 * 86_400, rawRetention: 86_400)
        let t0 = HistoryFixture.start  // a bucket boundary (divisible by 300)
        func record(_ offset: Double, _ load: Int?, _ failure: String? = nil) -> EvaluationRecord {
            EvaluationRecord(
                alias: "www.example", at: t0.addingTimeInterval(offset), policy: .bestN, published: ["n1"],
                action: "unchanged",
                members: [HistoryFixture.member("n1", load: load, failure: failure, chosen: failure == nil)])
        }
        // Bucket 0: 10, 20, 60 and a failure; bucket 1: one sample at 310 s; bucket 2: only
        // failures, two of one kind, one of another.
        let records = [
            record(0, 10), record(60, 20), record(120, nil, "no_answer"), record(299, 60), record(310, 33),
            record(600, nil, "no_answer"), record(660, -3, "unusable_load"), record(720, nil, "no_answer"),
        ]
        try await store.record(records)
        // A day and 15 minutes later, all three buckets are past the raw window.
        try await store.maintain(now: t0.addingTimeInterval(86_400 + 900))
        let history = try await store.aliasHistory("www.example", from: t0, to: t0.addingTimeInterval(900))
        #expect(history.loads.count == 3)
        let bucket0 = history.loads[0]
        #expect(bucket0.at == t0)
        #expect(bucket0.samples == 4)
        #expect(bucket0.load == 30)  // (10 + 20 + 60) / 3 usable loads
        #expect(bucket0.minimum == 10)
        #expect(bucket0.maximum == 60)
        #expect(bucket0.failure == "no_answer")
        // A lone sample stays what it was, at its own time.
        #expect(history.loads[1] == LoadSample(node: "n1", at: t0.addingTimeInterval(310), load: 33))
        let bucket2 = history.loads[2]
        #expect(bucket2.at == t0.addingTimeInterval(600))
        #expect(bucket2.samples == 3)
        #expect(bucket2.load == nil && bucket2.minimum == nil && bucket2.maximum == nil)
        #expect(bucket2.failure == "no_answer")
        // Memberships and decisions are not rolled up.
        #expect(history.decisions.count == 4)  // n1 in, out, in, out
        // A second maintenance changes nothing.
        try await store.maintain(now: t0.addingTimeInterval(86_400 + 1_800))
        #expect(
            try await store.aliasHistory("www.example", from: t0, to: t0.addingTimeInterval(900)) == history)
    }

    @Test func samplesWithinTheRawWindowStayRaw() async throws {
        let store = try HistoryFixture.sqlite(retention: 30 * 86_400, rawRetention: 86_400)
        let t0 = HistoryFixture.start
        let records = (0..<10).map { step in
            EvaluationRecord(
                alias: "www.example", at: t0.addingTimeInterval(Double(step * 20)), policy: .bestN,
                published: ["n1"], action: "unchanged",
                members: [HistoryFixture.member("n1", load: step, chosen: true)])
        }
        try await store.record(records)
        // The bucket ends 1 s after the raw window begins: not rolled up yet.
        try await store.maintain(now: t0.addingTimeInterval(86_400 + 299))
        var history = try await store.aliasHistory("www.example", from: t0, to: t0.addingTimeInterval(300))
        #expect(history.loads.count == 10)
        try await store.maintain(now: t0.addingTimeInterval(86_400 + 300))
        history = try await store.aliasHistory("www.example", from: t0, to: t0.addingTimeInterval(300))
        #expect(history.loads.count == 1)
        #expect(history.loads.first?.samples == 10)
        #expect(history.loads.first?.load == 4.5)
    }

    @Test func everythingOlderThanTheRetentionIsDroppedButOpenMembershipsStay() async throws {
        let store = try HistoryFixture.sqlite(retention: 7 * 86_400, rawRetention: 86_400)
        let t0 = HistoryFixture.start
        let early = EvaluationRecord(
            alias: "www.example", at: t0, policy: .bestN, published: ["n1", "n2"], action: "updated",
            members: [
                HistoryFixture.member("n1", load: 1, chosen: true),
                HistoryFixture.member("n2", load: 2, chosen: true),
            ])
        let later = EvaluationRecord(
            alias: "www.example", at: t0.addingTimeInterval(3_600), policy: .bestN, published: ["n1"],
            action: "updated",
            members: [
                HistoryFixture.member("n1", load: 1, chosen: true),
                HistoryFixture.member("n2", load: 50, chosen: false),
            ])
        try await store.record([early])
        try await store.record([later])
        try await store.record(
            cycle: CycleRecord(
                at: t0, duration: 1, aliases: 1, nodesPolled: 2, pollFailures: [:], publishFailures: [:]))
        try await store.record(event: ServiceEvent(at: t0, kind: "reload", instance: "lbd1", detail: "ok"))
        let now = t0.addingTimeInterval(8 * 86_400)
        try await store.maintain(now: now)
        let history = try await store.aliasHistory("www.example", from: t0, to: now)
        #expect(history.loads.isEmpty)
        #expect(history.decisions.isEmpty)
        // n1 is still behind the alias; n2's closed interval is gone.
        #expect(history.memberships == [MembershipInterval(node: "n1", from: t0, to: nil)])
        let service = try await store.serviceHistory(from: t0, to: now)
        #expect(service.cycles.isEmpty && service.events.isEmpty)
    }

    @Test func cyclesAreRolledUpAndEventsKept() async throws {
        let store = try HistoryFixture.sqlite(retention: 30 * 86_400, rawRetention: 86_400)
        let t0 = HistoryFixture.start
        for (offset, duration, failures) in [(0.0, 1.0, 1), (100.0, 3.0, 2), (200.0, 2.0, 0)] {
            try await store.record(
                cycle: CycleRecord(
                    at: t0.addingTimeInterval(offset), duration: duration, aliases: 2, nodesPolled: 5,
                    pollFailures: failures > 0 ? ["timeout": failures] : [:], publishFailures: [:]))
        }
        try await store.record(
            event: ServiceEvent(
                at: t0.addingTimeInterval(50), kind: "reload", instance: "lbd1", detail: "3 aliases"))
        try await store.maintain(now: t0.addingTimeInterval(86_400 + 300))
        let service = try await store.serviceHistory(from: t0, to: t0.addingTimeInterval(300))
        #expect(service.cycles.count == 1)
        #expect(service.cycles.first?.at == t0)
        #expect(service.cycles.first?.duration == 2)
        #expect(service.cycles.first?.aliases == 6)
        #expect(service.cycles.first?.pollFailures == ["timeout": 3])
        #expect(
            service.events == [
                ServiceEvent(
                    at: t0.addingTimeInterval(50), kind: "reload", instance: "lbd1", detail: "3 aliases")
            ])
    }

    @Test func aWindowEndingBeforeItStartsIsRefused() async throws {
        let store = try HistoryFixture.sqlite()
        await #expect(throws: HistoryError.self) {
            _ = try await store.aliasHistory(
                "a", from: HistoryFixture.start, to: HistoryFixture.start.addingTimeInterval(-1))
        }
    }

    // MARK: - Files it cannot use

    @Test func aFileOfANewerVersionIsRefusedAndLeftAlone() async throws {
        let store = try HistoryFixture.sqlite()
        try store.close()
        let queue = try DatabaseQueue(path: store.path)
        try await queue.write { try $0.execute(sql: "PRAGMA user_version = 7") }
        try queue.close()
        do {
            _ = try SQLiteHistoryStore(path: store.path)
            Issue.record("a newer file was opened")
        } catch {
            #expect(error.description.contains("version 7"))
            #expect(error.description.contains(store.path))
            guard case .unavailable = error else {
                Issue.record("\(error)")
                return
            }
        }
        let after = try DatabaseQueue(path: store.path)
        #expect(try await after.read { try Int.fetchOne($0, sql: "PRAGMA user_version") } == 7)
    }

    @Test func aFileThatIsNotADatabaseIsRefusedWithAClearError() async throws {
        let directory = try Peers.temporaryDirectory("history-corrupt")
        let path = directory.appendingPathComponent("history.sqlite").path
        var random = SeededRandomNumberGenerator(seed: 4)
        try Data((0..<8192).map { _ in UInt8(truncatingIfNeeded: random.next()) }).write(
            to: URL(fileURLWithPath: path))
        do {
            _ = try SQLiteHistoryStore(path: path)
            Issue.record("garbage was opened as a history")
        } catch {
            guard case .unavailable(let detail) = error else {
                Issue.record("\(error)")
                return
            }
            #expect(detail.contains(path))
            #expect(detail.contains("not a SQLite database") || detail.contains("damaged"))
        }
    }

    @Test func anotherProgramsDatabaseIsRefused() async throws {
        let directory = try Peers.temporaryDirectory("history-foreign")
        let path = directory.appendingPathComponent("other.sqlite").path
        let queue = try DatabaseQueue(path: path)
        try await queue.write { try $0.execute(sql: "CREATE TABLE things (x)") }
        try queue.close()
        #expect(throws: HistoryError.self) { _ = try SQLiteHistoryStore(path: path) }
    }

    @Test func aMissingDirectoryOrADirectoryAsTheFileIsUnavailable() throws {
        let directory = try Peers.temporaryDirectory("history-missing")
        #expect(throws: HistoryError.self) {
            _ = try SQLiteHistoryStore(
                path: directory.appendingPathComponent("no/such/dir/history.sqlite").path)
        }
        #expect(throws: HistoryError.self) { _ = try SQLiteHistoryStore(path: directory.path) }
    }

    @Test func aReadOnlyFileFailsWritesWithAnError() async throws {
        // Root writes through file permissions: only meaningful as another user.
        guard getuid() != 0 else { return }
        let store = try HistoryFixture.sqlite()
        try store.close()
        chmod(store.path, 0o444)
        chmod((store.path as NSString).deletingLastPathComponent, 0o555)
        defer { chmod((store.path as NSString).deletingLastPathComponent, 0o755) }
        do {
            let reopened = try SQLiteHistoryStore(path: store.path)
            await #expect(throws: HistoryError.self) {
                try await reopened.record(HistoryFixture.randomRecords(seed: 1, count: 3))
            }
        } catch {
            guard case .unavailable = error else {
                Issue.record("\(error)")
                return
            }
        }
    }

    @Test func aFullDiskFailsTheWriteAndTheStoreRecoversOnceThereIsRoom() async throws {
        // max_page_count makes SQLite answer SQLITE_FULL, as a full disk does.
        let store = try HistoryFixture.sqlite(maximumPageCount: 40)
        let records = HistoryFixture.randomRecords(seed: 5, count: 3_000)
        var failure: HistoryError?
        var written = 0
        for batch in stride(from: 0, to: records.count, by: 50) {
            do {
                try await store.record(Array(records[batch..<min(batch + 50, records.count)]))
                written += 1
            } catch {
                failure = error
                break
            }
        }
        #expect(written > 0)
        guard case .failed(let detail)? = failure else {
            Issue.record("the store never filled: \(String(describing: failure))")
            return
        }
        #expect(detail.contains("disk is full"))
        // Reads still work, and what was committed is whole.
        let history = try await store.aliasHistory(
            "a.example", from: HistoryFixture.start, to: records.last!.at)
        #expect(!history.loads.isEmpty)
        // Dropping old history makes room again.
        try await store.maintain(now: records.last!.at.addingTimeInterval(40 * 86_400))
        try await store.record([records[0]])
    }
}
