import Foundation
import GRDB
import LBCore
import Testing

@testable import LBDaemonKit

/// What the stores decode from their own rows: random and mutated bytes give a `HistoryError`,
/// never a crash; what was encoded decodes to the same value.
@Suite struct StoredHistoryCodecTests {
    static let change = DecisionChange(
        at: Date(timeIntervalSince1970: 1_000), policy: .random, published: ["10.0.0.1", "::1"],
        entered: [.init(node: "n1", reason: "picked at random: nothing was usable")],
        left: [.init(node: "n2", reason: "no answer \"quoted\" é")], action: "updated")

    static let punctuation = Array("\"{[]}:,".utf8)

    @Test func decisionsCyclesAndNodeSetsRoundTrip() throws {
        let decoded = try StoredHistoryCodec.decodeDecision(
            StoredHistoryCodec.encode(Self.change), at: Self.change.at)
        #expect(decoded == Self.change)
        let cycle = CycleRecord(
            at: Date(timeIntervalSince1970: 5), duration: 0.25, aliases: 3, nodesPolled: 9,
            pollFailures: ["timeout": 2], publishFailures: ["internal view": 1])
        #expect(try StoredHistoryCodec.decodeCycle(StoredHistoryCodec.encode(cycle), at: cycle.at) == cycle)
        #expect(
            try StoredHistoryCodec.decodeNodes(StoredHistoryCodec.encode(nodes: ["b", "a"])) == ["a", "b"])
    }

    @Test func randomAndMutatedBytesGiveAnErrorNeverACrash() {
        var random = SeededRandomNumberGenerator(seed: 14)
        let seeds = [
            StoredHistoryCodec.encode(Self.change),
            StoredHistoryCodec.encode(
                CycleRecord(
                    at: Date(), duration: 1, aliases: 1, nodesPolled: 1, pollFailures: ["a": 1],
                    publishFailures: [:])),
            StoredHistoryCodec.encode(nodes: ["n1", "n2"]),
        ]
        var errors = 0
        for round in 0..<3_000 {
            var bytes: [UInt8]
            if round % 3 == 0 {
                bytes = (0..<Int(random.next() % 200)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            } else {
                bytes = Array(seeds[Int(random.next() % UInt64(seeds.count))])
                for _ in 0..<(1 + Int(random.next() % 4)) where !bytes.isEmpty {
                    let index = Int(random.next() % UInt64(bytes.count))
                    switch random.next() % 3 {
                    case 0: bytes[index] = UInt8(truncatingIfNeeded: random.next())
                    case 1: bytes.remove(at: index)
                    default: bytes.insert(Self.punctuation[Int(random.next() % 7)], at: index)
                    }
                }
            }
            let data = Data(bytes)
            do { _ = try StoredHistoryCodec.decodeDecision(data, at: Date()) } catch { errors += 1 }
            do { _ = try StoredHistoryCodec.decodeCycle(data, at: Date()) } catch { errors += 1 }
            do { _ = try StoredHistoryCodec.decodeNodes(data) } catch { errors += 1 }
        }
        #expect(errors > 3_000)
    }

    @Test func anOversizedRowIsRefusedBeforeDecoding() {
        let data = Data(repeating: UInt8(ascii: " "), count: StoredHistoryCodec.maximumBytes + 1)
        #expect(throws: HistoryError.self) { _ = try StoredHistoryCodec.decodeNodes(data) }
    }

    @Test func aDamagedDecisionRowInTheFileIsAnErrorOfTheRead() async throws {
        let store = try HistoryFixture.sqlite()
        let record = EvaluationRecord(
            alias: "www.example", at: HistoryFixture.start, policy: .bestN, published: ["n1"],
            action: "updated",
            members: [HistoryFixture.member("n1", load: 1, chosen: true)])
        try await store.record([record])
        try store.close()
        let queue = try DatabaseQueue(path: store.path)
        try await queue.write { try $0.execute(sql: "UPDATE decision SET body = x'00ff7b'") }
        try queue.close()
        let reopened = try SQLiteHistoryStore(path: store.path)
        await #expect(throws: HistoryError.self) {
            _ = try await reopened.aliasHistory(
                "www.example", from: HistoryFixture.start, to: HistoryFixture.start.addingTimeInterval(10))
        }
    }
}
