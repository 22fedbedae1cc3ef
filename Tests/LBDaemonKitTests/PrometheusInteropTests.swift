import Foundation
import LBTestSupport
import SNMP
import Testing

@testable import LBDaemonKit

/// A real Prometheus scrapes a running lbd; PromQL over what it stored gives what lbd decided.
@Suite(.serialized) struct PrometheusInteropTests {
    @Test func prometheusScrapesLbdAndPromQLSeesItsDecisions() async throws {
        guard Peers.available("prometheus") else { return }
        let www = MetricsEndpointTests.www
        let fixture = try await MetricsEndpointTests.Fixture.start()
        _ = try await fixture.lbd.metrics("a first decision") {
            $0.value(MetricName.aliasUsableMembers, ["alias": www]) == 3
        }
        let prometheus = try await PrometheusServer.start(scraping: "127.0.0.1:\(fixture.lbd.httpPort)")
        defer { prometheus.stop() }

        let up = try await prometheus.query(#"up{job="lbd"}"#) { $0.first?.value == 1 }
        #expect(up != nil, "lbd's target never up: \(prometheus.errorOutput.suffix(2000))")
        let usable = try await prometheus.query("\(MetricName.aliasUsableMembers){alias=\"\(www)\"}") {
            $0.first?.value == 3
        }
        #expect(usable?.count == 1)
        let published = try await prometheus.query("\(MetricName.aliasPublishedAddresses){alias=\"\(www)\"}")
        {
            $0.first?.value == 2
        }
        #expect(published != nil)

        // Node .3 fails its check: Prometheus sees one usable member less, and a changed set.
        fixture.agents[1].register(OID(".1.3.6.1.4.1.96.255.1")!, value: .integer(-14))
        let fewer = try await prometheus.query("\(MetricName.aliasUsableMembers){alias=\"\(www)\"}") {
            $0.first?.value == 2
        }
        #expect(fewer != nil, "usable members never went down to 2")
        let changes = try await prometheus.query("\(MetricName.aliasDecisionChanges){alias=\"\(www)\"}") {
            ($0.first?.value ?? 0) >= 1
        }
        #expect(changes != nil)
        // Histograms are usable as such: a latency quantile over the scraped buckets.
        let quantile = try await prometheus.query(
            "histogram_quantile(0.9, sum by (le) (rate(\(MetricName.snmpPollDuration)_bucket[10s])))"
        ) { samples in samples.first.map { $0.value.isFinite && $0.value > 0 } ?? false }
        #expect(quantile != nil, "no poll latency quantile")
        let polls = try await prometheus.query("sum(\(MetricName.snmpPolls){outcome=\"ok\"})") {
            ($0.first?.value ?? 0) >= 3
        }
        #expect(polls != nil)

        prometheus.stop()
        try await fixture.stop()
    }
}
