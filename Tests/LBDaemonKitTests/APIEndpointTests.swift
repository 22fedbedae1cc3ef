import Foundation
import LBCore
import LBTestSupport
import Testing

@testable import LBDaemonKit

/// The JSON API of a running lbd (in-process agents, embedded DNS): the aliases with their
/// status, one alias member by member with its DNS state, a node, the instance with its cycle
/// figures, `/readyz` before and after the first round, and the errors.
@Suite(.serialized) struct APIEndpointTests {
    @Test func theAPIAnswersWhatLbdDecided() async throws {
        // 127.0.0.9 never answers: the first round lasts the SNMP timeout, long enough to see
        // /readyz say no first.
        let lbd = try await APITestLBD(snmpTimeout: "6s")
        let first = try await lbd.firstReadyz()
        #expect(first.status == 503, "\(first.text)")
        #expect(
            String(decoding: first.body, as: UTF8.self).hasPrefix(
                "not ready: the first round is not complete: "),
            "\(first.text)")
        try await lbd.waitUntilReady()

        let list: AliasList = try await lbd.json("/api/v1/aliases")
        #expect(list.aliases.map(\.alias) == ["dark.example.org", "mixed.example.org", "web.example.org"])
        let byName = Dictionary(uniqueKeysWithValues: list.aliases.map { ($0.alias, $0) })
        let web = try #require(byName["web.example.org"])
        #expect(web.status == .healthy)
        #expect(web.published == ["127.0.0.2", "127.0.0.3"])
        #expect(web.usableMembers == 2)
        #expect(web.totalMembers == 3)
        #expect(web.partition == "default")
        #expect(web.lastEvaluation != nil)
        #expect(web.action == "updated")
        #expect(byName["mixed.example.org"]?.status == .degraded)
        #expect(byName["dark.example.org"]?.status == .noneUsable)
        #expect(byName["dark.example.org"]?.published == [])

        let detail: AliasDetail = try await lbd.json("/api/v1/aliases/WEB.example.org.")
        #expect(detail.alias == "web.example.org")
        #expect(detail.policy == .bestN)
        #expect(detail.publish == ["127.0.0.2", "127.0.0.3"])
        #expect(detail.parameters.bestHosts == 2)
        let members = Dictionary(uniqueKeysWithValues: detail.members.map { ($0.node, $0) })
        #expect(members["127.0.0.2"]?.rank == 1)
        #expect(members["127.0.0.2"]?.reason == "chosen")
        #expect(members["127.0.0.2"]?.chosen == true)
        #expect(members["127.0.0.2"]?.load == 5)
        #expect(members["127.0.0.2"]?.addresses.first?.outcome == "load")
        #expect(members["127.0.0.3"]?.rank == 2)
        let unusable = try #require(members["127.0.0.4"])
        #expect(unusable.state == "unusable_load")
        #expect(unusable.reason == "unusable")
        #expect(unusable.chosen == false)
        #expect(unusable.rank == nil)
        #expect(unusable.detail == "load -1: a check failed on the node")
        // The DNS state: the embedded zone holds what was decided.
        #expect(detail.dns.count == 1)
        #expect(detail.dns.first?.target == "embedded zone")
        #expect(detail.dns.first?.records == ["127.0.0.2", "127.0.0.3"])
        #expect(detail.dns.first?.lastAction == "updated")

        // A silent member: the failure's code and sentence.
        let mixed: AliasDetail = try await lbd.json("/api/v1/aliases/mixed.example.org")
        let silent = try #require(mixed.members.first { $0.node == "127.0.0.9" })
        #expect(silent.state == "no_answer")
        #expect(silent.error == "timeout")
        #expect(silent.detail == "no answer (timeout after 1 attempt)")
        #expect(silent.addresses.first?.outcome == "failure")
        #expect(silent.addresses.first?.error == "timeout")
        let dark: AliasDetail = try await lbd.json("/api/v1/aliases/dark.example.org")
        #expect(dark.policy == .empty)
        #expect(dark.publish == [])

        // A node: its addresses, its answers per alias, the aliases it is behind.
        let node: NodeDetail = try await lbd.json("/api/v1/nodes/127.0.0.2")
        #expect(node.addresses == ["127.0.0.2"])
        #expect(node.serves == ["mixed.example.org", "web.example.org"])
        #expect(node.aliases.map(\.alias) == ["mixed.example.org", "web.example.org"])
        #expect(node.aliases.allSatisfy { $0.member?.load == 5 && $0.evaluatedAt != nil })
        let dead: NodeDetail = try await lbd.json("/api/v1/nodes/127.0.0.9")
        #expect(dead.serves.isEmpty)
        #expect(dead.aliases.count == 2)

        // The instance, with its cycle figures: each alias evaluated once (in one batch or
        // more), 6 member addresses polled, the 2 of 127.0.0.9 silent.
        let instance: InstanceStatus = try await lbd.json("/api/v1/instance")
        #expect(instance.aliasCount == 3)
        let cycles = try #require(instance.cycles)
        #expect((1...3).contains(cycles.batches))
        #expect(cycles.window == cycles.batches)
        #expect(cycles.polls == 6)
        #expect(cycles.pollFailures == 2)
        #expect(cycles.pollFailuresByCause == ["timeout": 2])
        #expect(cycles.publishFailures == 0)
        #expect(cycles.lastDuration > 0)
        #expect(cycles.meanDuration > 0)

        // The errors: JSON, with a code and a sentence.
        let unknown = try await lbd.get("/api/v1/aliases/nowhere.example.org")
        #expect(unknown.status == 404)
        let error = try InstanceStatus.makeDecoder().decode(APIError.self, from: Data(unknown.body))
        #expect(error.error == "not_found")
        #expect(error.message == "no alias 'nowhere.example.org' is served here")
        #expect(unknown.headers["content-type"] == "application/json")
        let noNode = try await lbd.get("/api/v1/nodes/nobody.example.org")
        #expect(noNode.status == 404)
        // The history (SQLite in the state directory by default), written soon after the
        // evaluation: 127.0.0.2 and .3 behind the alias since then.
        var history: AliasHistoryAnswer?
        for _ in 0..<100 {
            let answer: AliasHistoryAnswer = try await lbd.json("/api/v1/aliases/web.example.org/history")
            if !answer.memberships.isEmpty {
                history = answer
                break
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(
            history?.memberships.map(\.node) == ["127.0.0.2", "127.0.0.3"], "\(String(describing: history))")
        #expect(history?.memberships.allSatisfy { $0.to == nil } == true)
        #expect(history?.decisions.count == 1)
        let badWindow = try await lbd.get("/api/v1/aliases/web.example.org/history?from=tomorrow")
        #expect(badWindow.status == 400)
        let unknownHistory = try await lbd.get("/api/v1/aliases/nowhere.example.org/history")
        #expect(unknownHistory.status == 404)
        try await lbd.stop()
    }

    @Test func noAnswerShowsASecret() async throws {
        let tsig = "VFNJRy1TRUNSRVQtNDJmMWQ4ZTAtc2hvdWxkLW5ldmVyLWxlYWs="
        let secrets = [
            tsig, "TSIG-SECRET-42f1d8e0", "snmp-auth-secret-77", "snmp-priv-secret-88", "lease-password-99",
        ]
        let closed = try Peers.freeUDPAndTCPPort()
        let lbd = try await APITestLBD(
            extra: """
                dns:
                  server: 127.0.0.1:\(closed)
                  timeout: 200ms
                  retries: 0
                  views:
                    internal: {key_name: lb-internal., algorithm: hmac-sha256, secret: "\(tsig)"}
                ha:
                  mode: standalone
                  lease: {url: "postgres://lbd:lease-password-99@127.0.0.1:1/lbd"}
                """,
            snmp: """
                  version: v3
                  user: lbd
                  auth_protocol: sha
                  auth_password: snmp-auth-secret-77
                  priv_protocol: aes
                  priv_password: snmp-priv-secret-88

                """)
        try await lbd.waitUntilReady()
        let list: AliasList = try await lbd.json("/api/v1/aliases")
        // SNMPv3 against v2c agents: nothing is usable; the DNS server is closed: every
        // publication failed, and the error is in the answers.
        #expect(list.aliases.allSatisfy { [.failingToPublish, .noneUsable].contains($0.status) }, "\(list)")
        #expect(list.aliases.first { $0.alias == "dark.example.org" }?.status == .failingToPublish)
        var paths = [
            "/healthz", "/readyz", "/api/v1/instance", "/api/v1/aliases", "/metrics", "/", "/service",
        ]
        for alias in list.aliases.map(\.alias) {
            paths += ["/api/v1/aliases/\(alias)", "/api/v1/aliases/\(alias)/history", "/aliases/\(alias)"]
        }
        paths += ["127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.9"].map { "/api/v1/nodes/\($0)" }
        var answered = 0
        for path in paths {
            let answer = try await lbd.get(path)
            if answer.status == 200 { answered += 1 }
            for secret in secrets {
                #expect(!answer.text.localizedCaseInsensitiveContains(secret), "\(path) shows \(secret)")
            }
        }
        #expect(answered >= 10)
        let detail: AliasDetail = try await lbd.json("/api/v1/aliases/dark.example.org")
        #expect(detail.dns.contains { $0.lastAction == "failed" && $0.error != nil }, "\(detail.dns)")
        try await lbd.stop()
    }
}
