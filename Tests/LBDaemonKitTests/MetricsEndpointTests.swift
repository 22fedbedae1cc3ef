import Foundation
import LBCore
import LBTestSupport
import SNMP
import Testing

@testable import LBDaemonKit

/// `/metrics` of a running lbd with in-process agents: the values follow what lbd decides, a
/// reload removes the series of a withdrawn alias, failed UPDATEs and NOTIFYs are counted, and
/// the Grafana dashboard and the docs name only metrics lbd exposes.
@Suite(.serialized) struct MetricsEndpointTests {
    static let www = "www.example.org"
    static let api = "api.example.org"

    /// Two aliases on agents at 127.0.0.2-4; the embedded zone, NOTIFY to `deadPort` and RFC
    /// 2136 UPDATEs to `deadPort` (nothing listens there: both fail).
    static func configuration(snmpPort: Int, dnsPort: Int, deadPort: Int, httpPort: Int, withAPI: Bool = true)
        -> String
    {
        """
        version: 1
        defaults:
          best_hosts: 2
          polling_interval: 1s
        aliases:
          \(www):
            members: [127.0.0.2, 127.0.0.3, 127.0.0.4]
        \(withAPI ? "  \(api):\n    members: [127.0.0.3]\n" : "")\
        snmp:
          version: v2c
          community: public
          port: \(snmpPort)
          timeout: 500ms
          retries: 0
        dns:
          server: 127.0.0.1:\(deadPort)
          timeout: 200ms
          retries: 0
          views:
            internal:
              key_name: lb-internal.
              algorithm: hmac-sha256
              secret: c2VjcmV0LWtleS1mb3ItdGhlLWludGVybmFsLXZpZXc=
          embedded:
            listen: 127.0.0.1:\(dnsPort)
            zone: example.org
            notify: ["127.0.0.1:\(deadPort)"]
        http:
          listen: 127.0.0.1:\(httpPort)
        reload:
          max_withdrawn_share: 100%

        """
    }

    struct Fixture {
        let lbd: RunningLBD
        let agents: [SNMPAgent]
        let reconfigure: @Sendable (_ withAPI: Bool) -> String

        static func start() async throws -> Fixture {
            let (agents, snmpPort) = try await LoopbackAgents.start([7, 5, 9])
            let dnsPort = try Peers.freeUDPAndTCPPort()
            let deadPort = try Peers.freeUDPAndTCPPort()
            let lbd = try RunningLBD { port in
                MetricsEndpointTests.configuration(
                    snmpPort: snmpPort, dnsPort: dnsPort, deadPort: deadPort, httpPort: port)
            }
            let http = lbd.httpPort
            return Fixture(
                lbd: lbd, agents: agents,
                reconfigure: { withAPI in
                    MetricsEndpointTests.configuration(
                        snmpPort: snmpPort, dnsPort: dnsPort, deadPort: deadPort, httpPort: http,
                        withAPI: withAPI)
                })
        }

        func stop() async throws {
            try await lbd.stop()
            for agent in agents { await agent.stop() }
        }
    }

    @Test func metricsFollowDecisionsPollsFailuresAndReloads() async throws {
        let fixture = try await Fixture.start()
        let lbd = fixture.lbd
        var text = try await lbd.metrics("www with 3 usable members") {
            $0.value(MetricName.aliasUsableMembers, ["alias": Self.www]) == 3
        }
        let scraped = try await lbd.scrape()
        #expect(scraped.contentType == MetricsRoutes.contentType)
        #expect(text.value(MetricName.aliasPublishedAddresses, ["alias": Self.www]) == 2)
        #expect(text.value(MetricName.aliasMembers, ["alias": Self.www]) == 3)
        #expect(text.value(MetricName.aliasesServed) == 2)
        #expect(text.value(MetricName.buildInfo, ["version": ProductVersion.current]) == 1)
        #expect(text.value(MetricName.leadershipRole, ["role": "active"]) == 1)
        #expect(text.value(MetricName.leadershipRole, ["role": "standby"]) == 0)
        #expect(text.sum(MetricName.snmpPolls, matching: ["outcome": "ok"]) >= 3)
        #expect(text.sum(MetricName.snmpPollDuration + "_count") >= 3)
        #expect(text.sum(MetricName.cycleDuration + "_count") >= 1)

        // .3 answers -14 (a failed check): one usable member less, the set changes.
        fixture.agents[1].register(OID(".1.3.6.1.4.1.96.255.1")!, value: .integer(-14))
        text = try await lbd.metrics("www down to 2 usable members") { text in
            let usable = text.sum(MetricName.aliasUsableMembers, matching: ["alias": Self.www])
            let changes = text.sum(MetricName.aliasDecisionChanges, matching: ["alias": Self.www])
            return usable == 2 && changes >= 1
        }
        #expect(text.value(MetricName.aliasUsableMembers, ["alias": Self.api]) == 0)
        // api's only member is unusable and its policy keeps DNS as it was.
        #expect(
            text.sum(MetricName.aliasPolicyFallbacks, matching: ["alias": Self.api, "policy": "keep"]) >= 1)
        // .4 stops answering: a timeout is a poll outcome.
        await fixture.agents[2].stop()
        _ = try await lbd.metrics("a poll timeout") {
            $0.sum(MetricName.snmpPolls, matching: ["outcome": "timeout"]) >= 1
        }

        // The UPDATEs to a port nobody listens on fail, per view and alias; so do the NOTIFYs.
        text = try await lbd.metrics("failed UPDATEs and NOTIFYs") { text in
            let updates = text.sum(
                MetricName.dnsUpdates, matching: ["view": "internal", "outcome": "failed"])
            let notifies =
                text.sum(MetricName.dnsNotifies)
                - text.sum(MetricName.dnsNotifies, matching: ["outcome": "ok"])
            return updates >= 1 && notifies >= 1
        }
        #expect(
            text.sum(MetricName.aliasPublishFailures, matching: ["alias": Self.www, "target": "internal"])
                >= 1)
        let targets = Set(text.series(MetricName.aliasPublishFailures).compactMap { $0.labels["target"] })
        #expect(targets == ["internal"])

        // A reload that withdraws api: its series are gone, the reload is counted.
        try lbd.reload(with: fixture.reconfigure(false))
        text = try await lbd.metrics("api withdrawn") { text in
            text.sum(MetricName.reloads, matching: ["outcome": "ok"]) == 1
                && text.sum(MetricName.aliasesServed) == 1
        }
        // A few more rounds: api is not counted again.
        try await Task.sleep(for: .seconds(2))
        text = try await lbd.scrape().text
        let apiSeries = text.samples.filter { $0.labels["alias"] == Self.api }
        #expect(apiSeries.isEmpty)
        #expect(text.value(MetricName.aliasMembers, ["alias": Self.www]) == 3)
        // A file that does not load is a failed reload.
        try lbd.reload(with: "aliases: [unclosed")
        _ = try await lbd.metrics("a failed reload") {
            $0.sum(MetricName.reloads, matching: ["outcome": "failed"]) == 1
        }

        // Every series is one of lbd's, and only configured names and fixed codes are labels.
        let allowedAliases: Set<String> = [Self.www, Self.api]
        for sample in text.samples {
            #expect(sample.name.hasPrefix("lbd_"), "\(sample)")
            if let alias = sample.labels["alias"] { #expect(allowedAliases.contains(alias)) }
        }
        try await fixture.stop()
    }

    /// Every metric the dashboard in dist/ queries is exposed by a running lbd, and every metric
    /// lbd exposes is documented in docs/operations.md.
    @Test func theGrafanaDashboardAndTheDocsNameOnlyExposedMetrics() async throws {
        let fixture = try await Fixture.start()
        // Every family present: a decision, failed UPDATEs and NOTIFYs, a reload; the role.
        let text = try await fixture.lbd.metrics("every family") { text in
            let families = [
                MetricName.aliasPublishedAddresses, MetricName.dnsUpdates, MetricName.dnsNotifies,
                MetricName.aliasPublishFailures,
            ]
            return families.allSatisfy { text.has($0) }
        }
        try await fixture.stop()
        let exposed = text.names

        let dashboard = try ConfigFixture.repositoryText("dist/grafana-lbd.json")
        let queried = try GrafanaDashboard.metricNames(
            in: Data(dashboard.utf8),
            histograms: exposed.filter {
                text.types[$0] == "histogram"
            })
        #expect(!queried.isEmpty)
        #expect(
            queried.subtracting(exposed).isEmpty, "queried but not exposed: \(queried.subtracting(exposed))")
        // The dashboard shows every family but the build info.
        #expect(
            exposed.subtracting(queried).subtracting([MetricName.buildInfo]).isEmpty,
            "not shown: \(exposed.subtracting(queried))")

        let operations = try ConfigFixture.repositoryText("docs/operations.md")
        for name in exposed {
            #expect(operations.contains("`\(name)`"), "\(name) is not in docs/operations.md")
        }
    }
}
