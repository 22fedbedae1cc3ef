import DNS
import Foundation
import LBCore
import SNMP
import Testing

@testable import LBDaemonKit

/// golbd's YAML format: lower-cased Go field names, `parameters` and `clusters` maps.
@Suite struct ConfigurationGolbdYAMLTests {
    @Test func sampleMeansTheSameAsTheLineFormatSample() throws {
        let yaml = try ConfigTest.loadFixture("golbd-sample.yaml")
        let lines = try ConfigTest.loadFixture("golbd-sample.conf")
        #expect(yaml.format == .golbdYAML)
        #expect(yaml.configuration == lines.configuration)
        #expect(yaml.configuration == ConfigFixture.golbdSample)
    }

    @Test func summariesOfBothSamplesListTheSameAliasesAndMembers() throws {
        let yaml = try ConfigTest.loadFixture("golbd-sample.yaml")
        let lines = try ConfigTest.loadFixture("golbd-sample.conf")
        let yamlSummary = ConfigurationSummary.render(yaml, file: "golbd-sample.yaml").split(separator: "\n")
        let linesSummary = ConfigurationSummary.render(lines, file: "golbd-sample.conf").split(
            separator: "\n")
        #expect(yamlSummary.first == "golbd-sample.yaml: OK (golbd YAML format)")
        #expect(linesSummary.first == "golbd-sample.conf: OK (golbd line format)")
        #expect(yamlSummary.dropFirst() == linesSummary.dropFirst())
        #expect(linesSummary.contains("  members: ermis19.cern.ch ermis20.cern.ch"))
        #expect(
            linesSummary.contains(
                "alias aiermis.cern.ch: best_hosts 1, when_none_usable keep, polling_interval 300s, ttl 60s, "
                    + "partition default"))
        #expect(linesSummary.contains("1 alias(es), 2 member(s), 2 distinct node(s), 1 partition(s)"))
    }

    @Test func sampleWarnsAboutTheShortPasswordAtItsPosition() throws {
        let loaded = try ConfigTest.loadFixture("golbd-sample.yaml")
        let warning = try #require(ConfigTest.warnings(loaded, containing: "shorter than 8 characters").first)
        #expect(warning.line == 8)
        #expect(warning.column == 15)
    }

    @Test(arguments: [
        ("137.138.28.176", "137.138.28.176", 53),
        ("137.138.28.176:5353", "137.138.28.176", 5353),
        ("'2001:db8::53'", "2001:db8::53", 53),
        ("'[::1]:5353'", "::1", 5353),
    ])
    func dnsManagerGetsPort53WhenItHasNone(text: String, host: String, port: Int) throws {
        let loaded = try ConfigTest.load("dnsmanager: \(text)\n", file: "lb.yaml")
        #expect(loaded.format == .golbdYAML)
        #expect(loaded.configuration.dns.server == ServerAddress(host: host, port: port))
    }

    @Test func parametersAcceptYAMLBooleansAndGolbdSpellings() throws {
        let text = """
            clusters:
              a.example.org: [n1.example.org]
              b.example.org: [n1.example.org]
              c.example.org: [n1.example.org]
            parameters:
              a.example.org: {best_hosts: -1, metric: minimum, external: true}
              b.example.org: {best_hosts: 1, metric: minino, external: yes}
              c.example.org: {best_hosts: 1, metric: cmsfrontier, external: no, behaviour: mindless, statistics: long}
            """
        let configuration = try ConfigTest.load(text, file: "lb.yaml").configuration
        #expect(
            configuration.alias(named: "a.example.org")?.parameters
                == AliasParameters(bestHosts: .allUsable, whenNoneUsable: .random, external: true))
        #expect(
            configuration.alias(named: "b.example.org")?.parameters
                == AliasParameters(whenNoneUsable: .empty, external: true))
        #expect(configuration.alias(named: "c.example.org")?.parameters == AliasParameters())
    }

    @Test func missingParametersGetDefaultsWithWarnings() throws {
        let text = """
            clusters:
              a.example.org: [n1.example.org, n2.example.org]
              b.example.org: [n3.example.org]
            parameters:
              a.example.org: {ttl: 120}
              b.example.org:
            """
        let loaded = try ConfigTest.load(text, file: "lb.yaml")
        #expect(loaded.configuration.alias(named: "a.example.org")?.parameters == AliasParameters(ttl: 120))
        #expect(loaded.configuration.alias(named: "b.example.org")?.parameters == AliasParameters())
        let bestHosts = ConfigTest.warnings(loaded, containing: "has no best_hosts")
        #expect(bestHosts.map(\.line) == [5, 6])
        #expect(ConfigTest.warnings(loaded, containing: "has no metric").count == 2)
    }

    @Test func configfileIsIgnored() throws {
        let loaded = try ConfigTest.load(
            "configfile: /etc/whatever.conf\ndnsmanager: 192.0.2.1\n", file: "lb.yaml")
        #expect(loaded.format == .golbdYAML)
        #expect(loaded.configuration.dns.server == ServerAddress(host: "192.0.2.1", port: 53))
    }

    @Test func emptySettingsAreTheSameAsAbsentOnes() throws {
        // Go reads "" and an absent key alike; lbd must too, and print something it can read back.
        let loaded = try ConfigTest.load(
            "master: ''\nheartbeatpath: ''\nsnmppassword: ''\ndnsmanager: ''\ntsigkeyprefix: ''\n"
                + "clusters: {a.example.org: [n1.example.org]}\nparameters: {a.example.org: {best_hosts: 1, metric: minino}}\n",
            file: "lb.yaml")
        #expect(loaded.configuration.ha == HASettings())
        #expect(loaded.configuration.snmp.authPassword == nil)
        #expect(loaded.configuration.dns.server == nil)
        ConfigTest.expectRoundTrip(loaded.configuration)
    }

    @Test func parametersWithoutClustersAreSkippedWithAWarning() throws {
        let loaded = try ConfigTest.load(
            "clusters: {a.example.org: [n1.example.org]}\n"
                + "parameters:\n  a.example.org: {best_hosts: 1, metric: minino}\n  b.example.org: {best_hosts: 1}\n",
            file: "lb.yaml")
        #expect(loaded.configuration.aliases.map(\.name) == ["a.example.org"])
        let warning = try #require(
            ConfigTest.warnings(loaded, containing: "'b.example.org' has no members").first)
        #expect(warning.line == 4)
        #expect(warning.column == 3)
    }

    @Test func clustersWithNullOrEmptyMembersAreSkippedWithAWarning() throws {
        let loaded = try ConfigTest.load(
            "clusters:\n  a.example.org: [n1.example.org]\n  b.example.org:\n  c.example.org: []\n"
                + "parameters: {a.example.org: {best_hosts: 1, metric: minino}, b.example.org: {best_hosts: 1, metric: minino},"
                + " c.example.org: {best_hosts: 1, metric: minino}}\n",
            file: "lb.yaml")
        #expect(loaded.configuration.aliases.map(\.name) == ["a.example.org"])
        #expect(ConfigTest.warnings(loaded, containing: "has no members").count == 2)
    }

    @Test func membersAsABlankSeparatedStringAreAccepted() throws {
        let loaded = try ConfigTest.load(
            "clusters: {a.example.org: n1.example.org n2.example.org}\n"
                + "parameters: {a.example.org: {best_hosts: 1, metric: minino}}\n", file: "lb.yaml")
        #expect(loaded.configuration.aliases.first?.members == ["n1.example.org", "n2.example.org"])
    }

    // MARK: - Errors

    struct YAMLCase: Sendable, CustomTestStringConvertible {
        var name: String
        var text: String
        var fragment: String
        var line: Int
        var column: Int?
        var testDescription: String { name }
    }

    static let errorCases: [YAMLCase] = [
        YAMLCase(
            name: "unknown top-level key", text: "dnsmanager: 192.0.2.1\nsnmpdpassword: secret123\n",
            fragment: "unknown key 'snmpdpassword'", line: 2, column: 1),
        YAMLCase(
            name: "clusters without parameters",
            text: "clusters:\n  a.example.org: [n1.example.org]\n  b.example.org: [n1.example.org]\n"
                + "parameters:\n  a.example.org: {best_hosts: 1, metric: minino}\n",
            fragment: "alias 'b.example.org' has members but no entry under parameters", line: 3, column: 3),
        YAMLCase(
            name: "unknown parameter",
            text:
                "clusters: {a.example.org: [n1]}\nparameters:\n  a.example.org:\n    best_hosts: 1\n    colour: red\n",
            fragment: "unknown parameter 'colour'", line: 5, column: 5),
        YAMLCase(
            name: "best_hosts two",
            text: "clusters: {a.example.org: [n1]}\nparameters:\n  a.example.org:\n    best_hosts: two\n",
            fragment: "best_hosts must be an integer", line: 4, column: 17),
        YAMLCase(
            name: "best_hosts 0",
            text: "clusters: {a.example.org: [n1]}\nparameters:\n  a.example.org: {best_hosts: 0}\n",
            fragment: "best_hosts must be at least 1", line: 3, column: 31),
        YAMLCase(
            name: "unknown metric",
            text: "clusters: {a.example.org: [n1]}\nparameters:\n  a.example.org:\n    metric: fastest\n",
            fragment: "unknown metric 'fastest'", line: 4, column: 13),
        YAMLCase(
            name: "parameter as a list",
            text: "clusters: {a.example.org: [n1]}\nparameters:\n  a.example.org:\n    ttl: [60]\n",
            fragment: "ttl must be a single value, not a list", line: 4, column: 10),
        YAMLCase(
            name: "parameters as a list",
            text: "clusters: {a.example.org: [n1]}\nparameters:\n  - a.example.org\n",
            fragment: "parameters must be a mapping", line: 3, column: 3),
        YAMLCase(
            name: "clusters as a list", text: "clusters:\n  - a.example.org\n",
            fragment: "clusters must be a mapping",
            line: 2, column: 3),
        YAMLCase(
            name: "members as a mapping",
            text: "clusters:\n  a.example.org: {n1: yes}\nparameters: {a.example.org: {best_hosts: 1}}\n",
            fragment: "must be a list", line: 2, column: 18),
        YAMLCase(
            name: "setting as a mapping", text: "dnsmanager: {host: 192.0.2.1}\n",
            fragment: "dnsmanager must be a single value, not a mapping", line: 1, column: 13),
        YAMLCase(
            name: "bad secret", text: "tsiginternalkey: '***'\n", fragment: "base64", line: 1, column: 18),
        YAMLCase(
            name: "bad dnsmanager port", text: "dnsmanager: 192.0.2.1:70000\n", fragment: "dns manager",
            line: 1, column: 13),
        YAMLCase(
            name: "duplicate alias in another case",
            text: "clusters:\n  a.example.org: [n1]\n  A.Example.Org.: [n2]\n"
                + "parameters: {a.example.org: {best_hosts: 1, metric: minino}}\n",
            fragment: "duplicate alias 'A.Example.Org.'", line: 3, column: 3),
        YAMLCase(
            name: "duplicate parameters in another case",
            text: "clusters:\n  a.example.org: [n1]\n"
                + "parameters:\n  a.example.org: {best_hosts: 1, metric: minino}\n  a.example.org.: {best_hosts: 2}\n",
            fragment: "duplicate parameters for alias 'a.example.org'", line: 5, column: 3),
        YAMLCase(
            name: "invalid alias name",
            text: "clusters: {bad..name: [n1]}\nparameters: {bad..name: {best_hosts: 1, metric: minino}}\n",
            fragment: "invalid alias name 'bad..name'", line: 1, column: 12),
    ]

    @Test(arguments: errorCases)
    func errorsNameTheirLineAndColumn(_ testCase: YAMLCase) {
        let errors = ConfigTest.errors(testCase.text, file: "golbd.yaml")
        ConfigTest.expectError(
            errors, containing: testCase.fragment, line: testCase.line, column: testCase.column)
    }

    @Test func nativeKeysInAGolbdFileMakeItANativeFileWithHints() {
        let errors = ConfigTest.errors(
            "aliases: {a.example.org: [n1]}\ndnsmanager: 192.0.2.1\n", file: "mixed.yaml")
        let error = ConfigTest.expectError(errors, containing: "unknown key 'dnsmanager'", line: 2, column: 1)
        #expect(error?.message.contains("a golbd key") == true)
    }

    @Test func aForcedGolbdYAMLFormatRejectsNativeKeys() {
        let errors = ConfigTest.errors(
            "aliases: {a.example.org: [n1]}\n", file: "native.yaml", format: .golbdYAML)
        ConfigTest.expectError(errors, containing: "unknown key 'aliases'", line: 1, column: 1)
    }
}
