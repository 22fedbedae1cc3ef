import Foundation
import Testing

@testable import LBDaemonKit

/// A month of history at CERN's rhythm (every 300 s), for a representative subset of aliases
/// (the full 625 aliases and 2,237 memberships are `lbbench history`): the share of time each
/// node was behind its alias is what the synthetic schedule says by construction, after the
/// roll-up and the retention ran as they do in production.
@Suite struct HistoryScaleTests {
    @Test func thirtyDaysGiveTheRightSharePerNode() async throws {
        let synthetic = SyntheticHistory(
            aliasCount: 20, memberships: 72, start: HistoryFixture.start, evaluations: 8_640, seed: 2_237)
        let store = try HistoryFixture.sqlite(retention: 31 * 86_400, rawRetention: 2 * 86_400)
        var nextMaintenance = synthetic.start.addingTimeInterval(86_400)
        for step in 0..<synthetic.evaluations {
            try await store.record(synthetic.records(step: step))
            let now = synthetic.start.addingTimeInterval(Double(step) * 300)
            if now >= nextMaintenance {
                try await store.maintain(now: now)
                nextMaintenance = nextMaintenance.addingTimeInterval(86_400)
            }
        }
        for alias in synthetic.aliases {
            let window = synthetic.window(alias)
            let history = try await store.aliasHistory(alias.name, from: window.from, to: window.to)
            let shares = history.shareBehindAlias()
            for member in alias.members {
                let share = shares[member.node] ?? 0
                #expect(
                    abs(share - member.share) < 1e-9,
                    "\(alias.name) \(member.node): \(share) != \(member.share)")
            }
            // One load sample per member per evaluation (rolling up single samples keeps them).
            #expect(history.loads.count == alias.members.count * synthetic.evaluations)
        }
    }
}
