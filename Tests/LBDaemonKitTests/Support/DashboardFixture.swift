import Foundation
import LBCore

@testable import LBDaemonKit

/// A partition as the dashboards see it: five aliases in every status, 31 days of history for
/// `www.example.org` (an evaluation every 300 s, one node timing out now and then), cycles and
/// service events, and an alias and a node with hostile names.
struct DashboardFixture: Sendable {
    /// 2026-01-10 12:00:00 UTC.
    static let now = Date(timeIntervalSince1970: 1_768_046_400)
    static let hostileAlias = "evil<script>alert(1)</script>.example.org"
    static let hostileNode = "\"><img src=x onerror=alert(2)>"
    static let webNodes = ["n1.example.org", "n2.example.org", "n3.example.org", "n4.example.org"]
    /// Days of history kept for `www.example.org`.
    static let days = 31
    static let step: TimeInterval = 300

    let configuration: Configuration
    let evaluations: [String: AliasEvaluation]
    let store: InMemoryHistoryStore
    let instance: InstanceStatus

    static func make(withHistory: Bool = true) async throws -> DashboardFixture {
        let configuration = Configuration(
            partition: "blue",
            aliases: [
                AliasConfiguration(
                    name: "www.example.org", members: webNodes,
                    parameters: AliasParameters(bestHosts: .count(2)),
                    partition: "blue"),
                AliasConfiguration(
                    name: "api.example.org", members: ["a1.example.org", "a2.example.org"],
                    parameters: AliasParameters(bestHosts: .allUsable), partition: "blue"),
                AliasConfiguration(
                    name: "batch.example.org", members: ["b1.example.org", "b2.example.org"],
                    parameters: AliasParameters(whenNoneUsable: .empty), partition: "blue"),
                AliasConfiguration(
                    name: "mail.example.org", members: ["m1.example.org"], partition: "blue"),
                AliasConfiguration(name: "new.example.org", members: ["x1.example.org"], partition: "blue"),
                AliasConfiguration(
                    name: hostileAlias, members: [hostileNode, "n1.example.org"], partition: "blue"),
            ])
        var evaluations: [String: AliasEvaluation] = [:]
        let at = now.addingTimeInterval(-42)
        evaluations["www.example.org"] = evaluation(
            configuration.aliases[0],
            replies: [.integer(12), .integer(35), .integer(20), .failure(.timeout(attempts: 3))],
            action: .unchanged, at: at)
        evaluations["api.example.org"] = evaluation(
            configuration.aliases[1], replies: [.integer(5), .integer(7)], action: .updated, at: at)
        evaluations["batch.example.org"] = evaluation(
            configuration.aliases[2], replies: [.integer(-7), .integer(0)], action: .updated, at: at)
        evaluations["mail.example.org"] = evaluation(
            configuration.aliases[3], replies: [.integer(3)],
            action: .failed(PublishingFailure(.timeout, "no answer from 192.0.2.53 after 3 attempts")), at: at
        )
        evaluations[configuration.aliases[5].name] = evaluation(
            configuration.aliases[5],
            replies: [.failure(.reported("<b>bad</b> & \"worse\"")), .integer(9)], action: .unchanged, at: at)
        let store = InMemoryHistoryStore(retention: Double(days + 1) * 86_400)
        if withHistory { try await fill(store, hostile: configuration.aliases[5].name) }
        let instance = InstanceStatus(
            version: ProductVersion.current, instance: "lbd1.example.org", partition: "blue",
            leadership: LeadershipStatus(
                mode: "heartbeat", role: .active, instance: "lbd1.example.org", peer: "lbd2.example.org",
                since: now.addingTimeInterval(-7_200), age: 4, reason: "this instance writes the heartbeat"),
            configPath: "/etc/lbd/lbd.yaml", configDigest: String(repeating: "ab", count: 32), aliasCount: 6,
            lastRound: InstanceStatus.RoundSummary(
                finishedAt: at, aliasesEvaluated: 5, published: 4, failed: 1),
            startedAt: now.addingTimeInterval(-3 * 86_400 - 3_700))
        return DashboardFixture(
            configuration: configuration, evaluations: evaluations, store: store, instance: instance)
    }

    /// The sources an HTTP server reads the fixture from; `history: false` turns the history off.
    func sources(history: Bool = true) -> DaemonStatusSources {
        let (configuration, evaluations, instance) = (self.configuration, self.evaluations, self.instance)
        return DaemonStatusSources(
            evaluations: { evaluations }, configuration: { configuration }, instance: { instance },
            ready: { true },
            publishedRecords: { alias in
                alias == "www.example.org" ? ["embedded zone": ["192.0.2.1", "192.0.2.3"]] : [:]
            },
            history: history ? store : nil)
    }

    /// Node `index`'s load at evaluation `step`: nil when it timed out (n4, every fifth time).
    static func load(node index: Int, step: Int) -> Int? {
        if index == 3 && step % 5 == 0 { return nil }
        return 10 + index * 6 + (step * (index + 3)) % 17
    }

    /// The time of evaluation `step`, counted back from `now` (step 0 is the newest).
    static func time(step: Int) -> Date {
        now.addingTimeInterval(-30 - Double(step) * Self.step)
    }

    static var steps: Int { days * 86_400 / Int(step) }

    private static func fill(_ store: InMemoryHistoryStore, hostile: String) async throws {
        var records: [EvaluationRecord] = []
        for step in (0..<steps).reversed() {
            let loads = webNodes.indices.map { load(node: $0, step: step) }
            let chosen = Set(
                loads.enumerated().compactMap { index, load in load.map { (index, $0) } }
                    .sorted { ($0.1, $0.0) < ($1.1, $1.0) }.prefix(2).map(\.0))
            let members = webNodes.enumerated().map { index, node in
                MemberRecord(
                    node: node, load: loads[index], failure: loads[index] == nil ? "no_answer" : nil,
                    chosen: chosen.contains(index),
                    reason: loads[index] == nil
                        ? "no answer after 3 attempt(s)"
                        : chosen.contains(index)
                            ? "among the 2 least loaded members"
                            : "usable, but 2 less loaded member(s) were chosen")
            }
            records.append(
                EvaluationRecord(
                    alias: "www.example.org", at: time(step: step), policy: .bestN,
                    published: chosen.sorted().map { "192.0.2.\($0 + 1)" }, action: "updated",
                    members: members))
            if step < 24 {
                records.append(
                    EvaluationRecord(
                        alias: hostile, at: time(step: step), policy: .bestN, published: ["192.0.2.9"],
                        action: "unchanged",
                        members: [
                            MemberRecord(
                                node: hostileNode, load: step % 2 == 0 ? 4 : nil,
                                failure: step % 2 == 0 ? nil : "<script>x</script>", chosen: step % 2 == 0,
                                reason: "<img src=y onerror=alert(3)>"),
                            MemberRecord(
                                node: "n1.example.org", load: 9, failure: nil, chosen: step % 2 != 0,
                                reason: "ok"),
                        ]))
            }
        }
        try await store.record(records)
        for step in (0..<(2 * 86_400 / Int(Self.step))).reversed() {
            try await store.record(
                cycle: CycleRecord(
                    at: time(step: step), duration: 0.2 + Double(step % 13) / 10, aliases: 5, nodesPolled: 12,
                    pollFailures: ["timeout": step % 5 == 0 ? 1 : 0, "wrong_digest": step % 50 == 0 ? 1 : 0],
                    publishFailures: step % 40 == 0 ? ["internal view": 1] : [:]))
        }
        try await store.record(
            event: ServiceEvent(
                at: now.addingTimeInterval(-5_000), kind: "reload", instance: "lbd1.example.org",
                detail: "configuration reloaded: 6 aliases"))
        try await store.record(
            event: ServiceEvent(
                at: now.addingTimeInterval(-7_200), kind: "takeover", instance: "lbd1.example.org",
                detail: "<no heartbeat from lbd2.example.org>"))
    }

    private static func evaluation(
        _ alias: AliasConfiguration, replies: [AddressReply], action: PublicationResult.Action, at: Date
    ) -> AliasEvaluation {
        let reports = zip(alias.members, replies).enumerated().map { index, pair in
            NodeReport(
                node: pair.0,
                addresses: [AddressReport(address: NodeAddress("192.0.2.\(index + 1)")!, reply: pair.1)])
        }
        var random = SeededRandomNumberGenerator(seed: 1)
        let decision = Selection.decide(
            alias: alias.name, parameters: alias.parameters, members: reports, using: &random)
        return AliasEvaluation(
            decision: decision,
            results: [PublicationResult(target: "embedded zone", previous: nil, action: action)],
            finishedAt: at)
    }
}
