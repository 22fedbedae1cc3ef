import Foundation
import LBCore
import NIOCore
import Synchronization
import Testing

@testable import LBDaemonKit

/// What `/metrics` shows after rounds built by hand: the per-alias series follow the latest
/// decision, counters count what happened, an alias no longer served disappears, and labels
/// never carry what a node or a target string said.
@Suite struct MetricsObserverTests {
    static func report(_ node: String, _ reply: AddressReply) -> NodeReport {
        NodeReport(node: node, addresses: [AddressReport(address: NodeAddress(node)!, reply: reply)])
    }

    static func evaluation(
        _ alias: String, _ replies: [(String, AddressReply)], bestHosts: Int = 2,
        policy: NoUsableNodePolicy = .keep, results: [PublicationResult] = []
    ) -> AliasEvaluation {
        var random = SeededRandomNumberGenerator(seed: 1)
        let decision = Selection.decide(
            alias: alias, parameters: AliasParameters(bestHosts: .count(bestHosts), whenNoneUsable: policy),
            members: replies.map { report($0.0, $0.1) }, using: &random)
        return AliasEvaluation(decision: decision, results: results, finishedAt: Date())
    }

    static func round(
        _ evaluations: [AliasEvaluation], poll: Duration = .milliseconds(30),
        total: Duration = .milliseconds(120)
    ) -> EvaluationRound {
        EvaluationRound(
            evaluations: evaluations, startedAt: Date(), pollDuration: poll, duration: total,
            nodesPolled: 3, scheduled: true)
    }

    static func text(_ metrics: LBDMetrics) -> MetricsText {
        MetricsText(String(decoding: metrics.emit(), as: UTF8.self))
    }

    let www = "www.example.org"
    let timeout = AddressReply.failure(.timeout(attempts: 2))

    @Test func perAliasGaugesFollowTheLatestDecisionAndAChangedSetIsCounted() async {
        let metrics = LBDMetrics()
        let replies: [(String, AddressReply)] = [
            ("127.0.0.2", .integer(5)), ("127.0.0.3", .integer(7)), ("127.0.0.4", .integer(9)),
        ]
        await metrics.observer.observe(Self.round([Self.evaluation(www, replies)]))
        var text = Self.text(metrics)
        #expect(text.value(MetricName.aliasPublishedAddresses, ["alias": www]) == 2)
        #expect(text.value(MetricName.aliasUsableMembers, ["alias": www]) == 3)
        #expect(text.value(MetricName.aliasMembers, ["alias": www]) == 3)
        // The first decision has nothing to differ from.
        #expect(text.value(MetricName.aliasDecisionChanges, ["alias": www]) == 0)

        // The same set again: no change.
        await metrics.observer.observe(Self.round([Self.evaluation(www, replies)]))
        #expect(Self.text(metrics).value(MetricName.aliasDecisionChanges, ["alias": www]) == 0)

        // .3 stops answering: .2 and .4 are published, one change.
        let failing = [replies[0], ("127.0.0.3", timeout), replies[2]]
        await metrics.observer.observe(Self.round([Self.evaluation(www, failing)]))
        text = Self.text(metrics)
        #expect(text.value(MetricName.aliasUsableMembers, ["alias": www]) == 2)
        #expect(text.value(MetricName.aliasPublishedAddresses, ["alias": www]) == 2)
        #expect(text.value(MetricName.aliasDecisionChanges, ["alias": www]) == 1)
        #expect(text.types[MetricName.aliasDecisionChanges] == "counter")
        #expect(text.types[MetricName.aliasUsableMembers] == "gauge")
    }

    @Test func policyFallbacksAreCountedByPolicyAndKeepLeavesThePublishedCount() async {
        let metrics = LBDMetrics()
        let up: [(String, AddressReply)] = [("127.0.0.2", .integer(5)), ("127.0.0.3", .integer(7))]
        let down: [(String, AddressReply)] = [("127.0.0.2", timeout), ("127.0.0.3", .integer(-14))]
        let kept = "kept.example.org"
        let emptied = "empty.example.org"
        await metrics.observer.observe(
            Self.round([
                Self.evaluation(emptied, up, policy: .empty), Self.evaluation(kept, up, policy: .keep),
            ]))
        await metrics.observer.observe(
            Self.round([
                Self.evaluation(emptied, down, policy: .empty), Self.evaluation(kept, down, policy: .keep),
            ]))
        let text = Self.text(metrics)
        #expect(text.value(MetricName.aliasPolicyFallbacks, ["alias": emptied, "policy": "empty"]) == 1)
        #expect(text.value(MetricName.aliasPolicyFallbacks, ["alias": emptied, "policy": "random"]) == 0)
        #expect(text.value(MetricName.aliasPolicyFallbacks, ["alias": emptied, "policy": "keep"]) == 0)
        #expect(text.value(MetricName.aliasPolicyFallbacks, ["alias": kept, "policy": "keep"]) == 1)
        // Empty publishes nothing; keep leaves DNS, and the count, as they were.
        #expect(text.value(MetricName.aliasPublishedAddresses, ["alias": emptied]) == 0)
        #expect(text.value(MetricName.aliasPublishedAddresses, ["alias": kept]) == 2)
        #expect(text.value(MetricName.aliasUsableMembers, ["alias": kept]) == 0)
        #expect(text.value(MetricName.aliasDecisionChanges, ["alias": emptied]) == 1)
        #expect(text.value(MetricName.aliasDecisionChanges, ["alias": kept]) == 0)
    }

    @Test func publicationResultsCountByFixedTargetAndUpdatesByViewOutcomeAndCode() async {
        let metrics = LBDMetrics()
        let results = [
            PublicationResult(target: "internal view", previous: [], action: .updated),
            PublicationResult(
                target: "external view", previous: nil,
                action: .failed(PublishingFailure(.timeout, "external view: no answer from 192.0.2.1"))),
            PublicationResult(target: ZonePublisher.target, previous: [], action: .unchanged),
            PublicationResult(
                target: "haproxy /run/haproxy/admin.sock backend www", previous: nil,
                action: .failed(PublishingFailure(.connectionFailed, "no socket"))),
        ]
        let replies: [(String, AddressReply)] = [("127.0.0.2", .integer(5))]
        await metrics.observer.observe(Self.round([Self.evaluation(www, replies, results: results)]))
        await metrics.observer.observe(Self.round([Self.evaluation(www, replies, results: results)]))
        let text = Self.text(metrics)
        #expect(text.value(MetricName.aliasPublishFailures, ["alias": www, "target": "external"]) == 2)
        #expect(text.value(MetricName.aliasPublishFailures, ["alias": www, "target": "haproxy"]) == 2)
        #expect(text.series(MetricName.aliasPublishFailures).count == 2)
        #expect(text.value(MetricName.dnsUpdates, ["view": "internal", "outcome": "updated"]) == 2)
        #expect(
            text.value(MetricName.dnsUpdates, ["view": "external", "outcome": "failed", "code": "timeout"])
                == 2)
        // Only RFC 2136 results are UPDATEs.
        #expect(text.series(MetricName.dnsUpdates).count == 2)
        // No target's own text (a socket path, a server address) reaches a label.
        let raw = String(decoding: metrics.emit(), as: UTF8.self)
        #expect(!raw.contains("admin.sock"))
        #expect(!raw.contains("192.0.2.1"))
    }

    @Test func cycleDurationsAreHistogramsInSeconds() async {
        let metrics = LBDMetrics()
        await metrics.observer.observe(Self.round([], poll: .milliseconds(30), total: .milliseconds(120)))
        await metrics.observer.observe(Self.round([], poll: .milliseconds(40), total: .seconds(3)))
        let text = Self.text(metrics)
        #expect(text.types[MetricName.cycleDuration] == "histogram")
        #expect(text.value(MetricName.cycleDuration + "_count") == 2)
        #expect(abs((text.value(MetricName.cycleDuration + "_sum") ?? 0) - 3.12) < 1e-9)
        #expect(text.value(MetricName.cycleDuration + "_bucket", ["le": "0.25"]) == 1)
        #expect(text.value(MetricName.cycleDuration + "_bucket", ["le": "5.0"]) == 2)
        #expect(text.value(MetricName.cycleDuration + "_bucket", ["le": "+Inf"]) == 2)
        #expect(abs((text.value(MetricName.cyclePollDuration + "_sum") ?? 0) - 0.07) < 1e-9)
        #expect(text.value(MetricName.cycleNodesPolled) == 3)
    }

    @Test func anAliasNoLongerServedDisappearsAndIsNotCountedAgain() async throws {
        let metrics = LBDMetrics()
        let api = "api.example.org"
        metrics.serve([www, api])
        let replies: [(String, AddressReply)] = [("127.0.0.2", .integer(5))]
        let failed = [
            PublicationResult(
                target: "internal view", previous: nil, action: .failed(PublishingFailure(.tsig, "bad key")))
        ]
        await metrics.observer.observe(
            Self.round([Self.evaluation(www, replies), Self.evaluation(api, replies, results: failed)]))
        #expect(Self.text(metrics).value(MetricName.aliasesServed) == 2)
        #expect(Self.text(metrics).value(MetricName.aliasUsableMembers, ["alias": api]) == 1)

        let reloaded = try ConfigTest.load("aliases:\n  \(www): {members: [127.0.0.2]}\n").configuration
        metrics.recordReload(.applied(reloaded))
        // A round decided before the reload, observed after it.
        await metrics.observer.observe(
            Self.round([Self.evaluation(www, replies), Self.evaluation(api, replies, results: failed)]))
        let text = Self.text(metrics)
        #expect(!text.samples.contains { $0.labels["alias"] == api }, "\(text.samples)")
        #expect(text.value(MetricName.aliasUsableMembers, ["alias": www]) == 1)
        #expect(text.value(MetricName.aliasesServed) == 1)
        #expect(text.value(MetricName.reloads, ["outcome": "ok"]) == 1)
        #expect(text.value(MetricName.reloads, ["outcome": "failed"]) == 0)
    }

    @Test func pollsAreCountedByOutcomeAndTimedWithTheInjectedClock() async throws {
        let metrics = LBDMetrics()
        let probe = FakeNodeProbe(["127.0.0.2": .integer(5), "127.0.0.3": .text("www.example.org=-14")])
        let clock = SteppingClock(step: .milliseconds(4))
        let recording = RecordingNodeProbe(wrapping: probe, recorder: metrics, now: { clock.next() })
        for address in ["127.0.0.2", "127.0.0.3", "127.0.0.4"] {
            _ = await recording.poll(try SocketAddress(ipAddress: address, port: 161))
        }
        let text = Self.text(metrics)
        // A per-alias answer is an answer, whatever load it gives.
        #expect(text.value(MetricName.snmpPolls, ["outcome": "ok"]) == 2)
        #expect(text.value(MetricName.snmpPolls, ["outcome": "timeout"]) == 1)
        #expect(text.value(MetricName.snmpPollDuration + "_count") == 3)
        #expect(abs((text.value(MetricName.snmpPollDuration + "_sum") ?? 0) - 0.012) < 1e-9)
        #expect(text.value(MetricName.snmpPollDuration + "_bucket", ["le": "0.0025"]) == 0)
        #expect(text.value(MetricName.snmpPollDuration + "_bucket", ["le": "0.005"]) == 3)
        // The reply goes through unchanged.
        #expect(await recording.poll(try SocketAddress(ipAddress: "127.0.0.2", port: 161)) == .integer(5))
    }

    @Test func buildInfoReloadFailuresAndLeadershipRoles() {
        let metrics = LBDMetrics(version: "9.8.7")
        metrics.recordReload(.failed)
        metrics.recordLeadership(.standby)
        var text = Self.text(metrics)
        #expect(text.value(MetricName.buildInfo, ["version": "9.8.7"]) == 1)
        #expect(text.value(MetricName.reloads, ["outcome": "failed"]) == 1)
        #expect(text.value(MetricName.reloads, ["outcome": "ok"]) == 0)
        #expect(text.value(MetricName.leadershipRole, ["role": "standby"]) == 1)
        #expect(text.value(MetricName.leadershipRole, ["role": "active"]) == 0)
        metrics.recordLeadership(.active)
        text = Self.text(metrics)
        #expect(text.value(MetricName.leadershipRole, ["role": "standby"]) == 0)
        #expect(text.value(MetricName.leadershipRole, ["role": "active"]) == 1)
    }

    @Test func twoInstancesInOneProcessCountApart() async {
        let first = LBDMetrics()
        let second = LBDMetrics()
        first.recordReload(.failed)
        #expect(Self.text(first).value(MetricName.reloads, ["outcome": "failed"]) == 1)
        #expect(Self.text(second).value(MetricName.reloads, ["outcome": "failed"]) == 0)
    }
}

/// Instants `step` apart, one per call.
final class SteppingClock: Sendable {
    private let state: Mutex<ContinuousClock.Instant>
    private let step: Duration

    init(step: Duration) {
        self.step = step
        state = Mutex(ContinuousClock.now)
    }

    func next() -> ContinuousClock.Instant {
        state.withLock { instant in
            defer { instant = instant.advanced(by: step) }
            return instant
        }
    }
}
