import Foundation
import LBCore
import Testing

@testable import LBDaemonKit

/// `lbd check-config`'s summary of a configuration that loaded.
@Suite struct ConfigurationSummaryTests {
    @Test func summaryOfTheGolbdSample() throws {
        let loaded = try ConfigTest.loadFixture("golbd-sample.conf")
        #expect(
            ConfigurationSummary.render(loaded, file: "lb.conf") == """
                lb.conf: OK (golbd line format)
                1 alias(es), 2 member(s), 2 distinct node(s), 1 partition(s)
                partition default: 1 alias(es)
                  aliases: aiermis.cern.ch
                alias aiermis.cern.ch: best_hosts 1, when_none_usable keep, polling_interval 300s, ttl 60s, partition default
                  members: ermis19.cern.ch ermis20.cern.ch

                """)
    }

    @Test func summaryCountsNodesAndPartitionsAndSortsAliases() throws {
        let loaded = try ConfigTest.load(try ConfigFixture.documentedExample(), file: "doc.yaml")
        let lines = ConfigurationSummary.render(loaded, file: "doc.yaml").split(separator: "\n").map(
            String.init)
        #expect(lines.first == "doc.yaml: OK (lbd YAML format)")
        #expect(lines.contains("3 alias(es), 7 member(s), 6 distinct node(s), 2 partition(s)"))
        #expect(lines.contains("partition default: 1 alias(es)"))
        #expect(lines.contains("partition web: 2 alias(es) (served by this instance)"))
        let aliasLines = lines.filter { $0.hasPrefix("alias ") }
        #expect(
            aliasLines.map { $0.split(separator: ":")[0] } == [
                "alias api.example.org", "alias batch.example.org", "alias www.example.org",
            ])
        #expect(
            lines.contains(
                "alias api.example.org: best_hosts 1, when_none_usable keep, polling_interval 300s, ttl 60s, external, "
                    + "partition web"))
        #expect(lines.contains("  members: node1.example.org node2.example.org 192.0.2.10"))
    }

    @Test func summaryShowsEveryUsableMemberAndTheEffectiveTTL() throws {
        let loaded = try ConfigTest.loadFixture("golbd-values.conf")
        let text = ConfigurationSummary.render(loaded, file: "values.conf")
        #expect(text.contains("alias empty.example.org: best_hosts -1, when_none_usable empty,"))
        // ttl#30 is published as 60.
        #expect(
            text.contains(
                "alias random.example.org: best_hosts 2, when_none_usable random, polling_interval 10s, ttl 60s"
            ))
        #expect(text.hasSuffix("\n"))
    }
}
