import Foundation
import LBCore
import LBTestSupport

@testable import LBDaemonKit

/// Records and stores for the history tests.
enum HistoryFixture {
    static let start = Date(timeIntervalSince1970: 1_764_547_200)  // 2025-12-01 00:00:00 UTC

    /// A fresh SQLite history in a temporary directory.
    static func sqlite(
        retention: TimeInterval = HistorySettings.defaultRetention,
        rawRetention: TimeInterval = HistorySettings.defaultRawRetention, maximumPageCount: Int? = nil
    ) throws -> SQLiteHistoryStore {
        let directory = try Peers.temporaryDirectory("history")
        return try SQLiteHistoryStore(
            path: directory.appendingPathComponent("history.sqlite").path, retention: retention,
            rawRetention: rawRetention, maximumPageCount: maximumPageCount)
    }

    static func member(_ node: String, load: Int?, failure: String? = nil, chosen: Bool) -> MemberRecord {
        MemberRecord(
            node: node, load: load, failure: failure, chosen: chosen,
            reason: chosen ? "least loaded" : "not chosen")
    }

    /// Random evaluations of a few aliases at whole seconds: members coming and going, failures,
    /// every policy including `keep` (published nil), sometimes two in the same batch.
    static func randomRecords(seed: UInt64, count: Int) -> [EvaluationRecord] {
        var random = SeededRandomNumberGenerator(seed: seed)
        let aliases = ["a.example", "b.example", "c.example"]
        let nodes = ["n1", "n2", "n3", "n4", "n5"]
        var time = start
        var records: [EvaluationRecord] = []
        for _ in 0..<count {
            time = time.addingTimeInterval(Double(1 + random.next() % 120))
            let alias = aliases[Int(random.next() % UInt64(aliases.count))]
            let policy = AppliedPolicy.allCases[Int(random.next() % UInt64(AppliedPolicy.allCases.count))]
            let members = nodes.filter { _ in random.next() % 4 != 0 }.map { node -> MemberRecord in
                let failure: String? =
                    random.next() % 4 == 0 ? ["no_answer", "unusable_load"][Int(random.next() % 2)] : nil
                let load: Int? =
                    failure == "no_answer" ? nil : Int(random.next() % 200) - (failure == nil ? 0 : 300)
                let chosen = policy != .keep && policy != .empty && random.next() % 2 == 0
                return member(node, load: load, failure: failure, chosen: chosen)
            }
            let published = policy == .keep ? nil : members.filter(\.chosen).map(\.node).sorted()
            records.append(
                EvaluationRecord(
                    alias: alias, at: time, policy: policy, published: published,
                    action: ["updated", "unchanged", "failed"][Int(random.next() % 3)], members: members))
        }
        return records
    }
}
