import DNS
import Foundation
import LBCore
import SNMP
import Testing

@testable import LBDaemonKit

/// lbd's own YAML format, as docs/configuration.md describes it.
@Suite struct ConfigurationNativeTests {
    // MARK: - The documented example

    @Test func documentedExampleLoads() throws {
        let loaded = try ConfigTest.load(try ConfigFixture.documentedExample(), file: "configuration.md.yaml")
        #expect(loaded.format == .native)
        // The only warning: SNMPv3 without a password (auth_password: null is the default).
        #expect(loaded.warnings.map(\.message).allSatisfy { $0.contains("SNMPv3 without a password") })
    }

    @Test func documentedExampleMeansWhatItsCommentsSay() throws {
        let configuration = try ConfigTest.load(try ConfigFixture.documentedExample(), file: "doc.yaml")
            .configuration
        #expect(configuration.partition == "web")
        #expect(
            configuration.aliases.map(\.name) == ["www.example.org", "api.example.org", "batch.example.org"])

        let www = try #require(configuration.alias(named: "www.example.org"))
        #expect(www.members == ["node1.example.org", "node2.example.org", "192.0.2.10"])
        #expect(www.parameters == AliasParameters(bestHosts: .count(2)))
        #expect(www.partition == "web")

        let api = try #require(configuration.alias(named: "api.example.org"))
        #expect(api.members == ["node1.example.org", "node3.example.org"])
        #expect(api.parameters == AliasParameters(whenNoneUsable: .keep, external: true))
        #expect(api.partition == "web")

        // "members only, all defaults"
        let batch = try #require(configuration.alias(named: "batch.example.org"))
        #expect(batch.members == ["node4.example.org", "node5.example.org"])
        #expect(batch.parameters == AliasParameters())
        #expect(batch.partition == AliasConfiguration.defaultPartition)
        #expect(configuration.servedAliases.map(\.name) == ["www.example.org", "api.example.org"])

        let dns = configuration.dns
        #expect(dns.server == ServerAddress(host: "192.0.2.53", port: 53))
        #expect(
            dns.internalView
                == (try! DNSView(
                    keyName: "lb-internal.", algorithm: .hmacSHA256,
                    base64Secret: "c2VjcmV0LWtleS1mb3ItdGhlLWludGVybmFsLXZpZXc=")))
        #expect(
            dns.externalView
                == (try! DNSView(
                    keyName: "lb-external.", algorithm: .hmacSHA256,
                    base64Secret: "c2VjcmV0LWtleS1mb3ItdGhlLWV4dGVybmFsLXZpZXc=")))
    }

    @Test func crlfLineEndsAndAByteOrderMarkChangeNothing() throws {
        let text = try ConfigFixture.documentedExample()
        let plain = try ConfigTest.load(text, file: "doc.yaml").configuration
        let crlf = "\u{FEFF}" + text.replacingOccurrences(of: "\n", with: "\r\n")
        #expect(try ConfigTest.load(crlf, file: "doc.yaml").configuration == plain)
        let golbd = try ConfigFixture.text("golbd-sample.yaml").replacingOccurrences(of: "\n", with: "\r\n")
        #expect(try ConfigTest.load(golbd, file: "golbd.yaml").configuration == ConfigFixture.golbdSample)
    }

    @Test func documentedExampleShowsTheDefaults() throws {
        // "Every key below is shown with its default value unless the comment says otherwise."
        let configuration = try ConfigTest.load(try ConfigFixture.documentedExample(), file: "doc.yaml")
            .configuration
        let defaults = DNSSettings()
        #expect(configuration.dns.timeout == defaults.timeout)
        #expect(configuration.dns.retries == defaults.retries)
        #expect(configuration.dns.maxConcurrentUpdates == defaults.maxConcurrentUpdates)
        #expect(configuration.dns.timeout == 2)
        #expect(configuration.dns.retries == 3)
        #expect(configuration.dns.maxConcurrentUpdates == 4)
        #expect(configuration.snmp == SNMPSettings())
        #expect(configuration.snmp.port == 161)
        #expect(configuration.snmp.user == "loadbalancing")
        #expect(configuration.snmp.authProtocol == .md5)
        #expect(configuration.snmp.privProtocol == .aes128)
        #expect(configuration.snmp.timeout == 2)
        #expect(configuration.snmp.retries == 2)
        #expect(configuration.snmp.concurrency == 1000)
        #expect(configuration.ha == HASettings())
        #expect(configuration.ha.heartbeatDirectory == "/var/lib/lbd")
        #expect(configuration.ha.takeoverAfter == 30)
        // The HTTP server listens on loopback only unless told otherwise.
        #expect(configuration.http == HTTPSettings())
        #expect(configuration.http.listen == ServerAddress(host: "127.0.0.1", port: 8080))
        #expect(configuration.reload == ReloadSettings())
        #expect(configuration.reload.maximumWithdrawnShare == 0.5)
    }

    @Test func documentedExampleIsFoundInTheDocs() throws {
        // The docs keep their example in a fenced block; make sure the extraction found it.
        let text = try ConfigFixture.documentedExample()
        #expect(text.hasPrefix("version: 1"))
        #expect(text.contains("www.example.org"))
    }

    @Test func repositoryExampleLoads() throws {
        let loaded = try ConfigTest.load(
            try ConfigFixture.repositoryText("examples/lbd.yaml"), file: "lbd.yaml")
        #expect(loaded.format == .native)
        #expect(loaded.warnings.isEmpty, "\(loaded.warnings)")
        let configuration = loaded.configuration
        #expect(configuration.aliases.count == 5)
        #expect(configuration.alias(named: "api.example.org")?.parameters.bestHosts == .allUsable)
        #expect(configuration.alias(named: "www.example.org")?.parameters.pollingInterval == 60)
        #expect(configuration.alias(named: "legacy.example.org")?.parameters.whenNoneUsable == .random)
        #expect(configuration.snmp.securityLevel == .authPriv)
        #expect(configuration.snmp.authProtocol == .sha256)
    }

    // MARK: - Features

    @Test func defaultsApplyToEveryAlias() throws {
        let configuration = try ConfigTest.loadFixture("native-features.yaml").configuration
        let list = try #require(configuration.alias(named: "list.example.org"))
        #expect(
            list.parameters
                == AliasParameters(
                    bestHosts: .count(2), whenNoneUsable: .empty, pollingInterval: 300, ttl: 120,
                    external: true))
        #expect(list.partition == "batch")
    }

    @Test func anAliasMayBeABareListOfMembers() throws {
        let configuration = try ConfigTest.loadFixture("native-features.yaml").configuration
        #expect(
            configuration.alias(named: "list.example.org")?.members == [
                "n1.example.org", "n2.example.org", "n3.example.org",
            ])
    }

    @Test func membersMayBeABlankSeparatedString() throws {
        let configuration = try ConfigTest.loadFixture("native-features.yaml").configuration
        let alias = try #require(configuration.alias(named: "string.example.org"))
        #expect(alias.members == ["n1.example.org", "n2.example.org", "n3.example.org"])
        #expect(alias.parameters.bestHosts == .allUsable)
    }

    @Test func durationsAndMetricAreRead() throws {
        let configuration = try ConfigTest.loadFixture("native-features.yaml").configuration
        let alias = try #require(configuration.alias(named: "durations.example.org"))
        #expect(
            alias.parameters
                == AliasParameters(
                    bestHosts: .count(2), whenNoneUsable: .random, pollingInterval: 30, ttl: 60,
                    external: false))
        #expect(alias.partition == "web")
        #expect(configuration.dns.timeout == 0.5)
        #expect(configuration.snmp.timeout == 1.5)
        #expect(configuration.ha.takeoverAfter == 120)
    }

    @Test func mergeKeysCopyAnAnchoredMappingAndExplicitKeysWin() throws {
        let configuration = try ConfigTest.loadFixture("native-features.yaml").configuration
        let anchored = try #require(configuration.alias(named: "durations.example.org"))
        let merged = try #require(configuration.alias(named: "merged.example.org"))
        #expect(merged.members == anchored.members)
        #expect(merged.partition == "web")
        var expected = anchored.parameters
        expected.pollingInterval = 90
        #expect(merged.parameters == expected)
    }

    @Test func aliasNamesAndMembersAreNormalised() throws {
        let configuration = try ConfigTest.loadFixture("native-features.yaml").configuration
        let alias = try #require(configuration.alias(named: "case.example.org"))
        #expect(alias.members == ["n6.example.org", "2001:DB8::1"])
        #expect(alias.parameters.bestHosts == .allUsable)
    }

    @Test func settingsOfTheFeaturesFixture() throws {
        let loaded = try ConfigTest.loadFixture("native-features.yaml")
        let configuration = loaded.configuration
        #expect(configuration.dns.server == ServerAddress(host: "2001:db8::53", port: 5353))
        #expect(configuration.dns.retries == 0)
        #expect(configuration.dns.maxConcurrentUpdates == 16)
        #expect(
            configuration.snmp
                == SNMPSettings(
                    version: .v2c, port: 1161, community: "s3cret", timeout: 1.5, retries: 5, concurrency: 10)
        )
        #expect(
            configuration.ha
                == HASettings(
                    mode: .heartbeat, master: "lbd1.example.org", heartbeatDirectory: "/srv/heartbeat",
                    heartbeatFile: "hb.txt", takeoverAfter: 120))
        #expect(configuration.http.listen == nil)
        #expect(configuration.partition == nil)
        // Valid but suspicious: no internal key, external aliases without an external key.
        #expect(ConfigTest.warnings(loaded, containing: "no internal view key").count == 1)
        #expect(ConfigTest.warnings(loaded, containing: "no external view key").count == 1)
    }

    @Test(arguments: [
        ("300", 300), ("300s", 300), ("30s", 30), ("5m", 300), ("1h", 3600), ("2m", 120), ("1000ms", 1),
        ("'90'", 90), ("+7", 7), (" 45s", 45),
    ])
    func pollingIntervalDurations(text: String, seconds: Int) throws {
        let loaded = try ConfigTest.load(
            "aliases:\n  a.example.org:\n    members: [n1]\n    polling_interval: \(text)\n", file: "d.yaml")
        #expect(loaded.configuration.aliases.first?.parameters.pollingInterval == seconds)
    }

    @Test(arguments: [
        ("500ms", 0.5), ("2s", 2.0), ("1.5", 1.5), ("0.25s", 0.25), ("300ms", 0.3), ("9ms", 0.009),
    ])
    func fractionalDurations(text: String, seconds: Double) throws {
        let loaded = try ConfigTest.load(
            "dns:\n  timeout: \(text)\nsnmp:\n  timeout: \(text)\n", file: "d.yaml")
        #expect(loaded.configuration.dns.timeout == seconds)
        #expect(loaded.configuration.snmp.timeout == seconds)
    }

    @Test(arguments: [
        ("all", BestHosts.allUsable), ("ALL", .allUsable), ("-1", .allUsable), ("1", .count(1)),
        ("7", .count(7)),
    ])
    func bestHostsValues(text: String, expected: BestHosts) throws {
        let loaded = try ConfigTest.load(
            "aliases:\n  a.example.org:\n    members: [n1, n2, n3, n4, n5, n6, n7]\n    best_hosts: \(text)\n",
            file: "b.yaml")
        #expect(loaded.configuration.aliases.first?.parameters.bestHosts == expected)
    }

    @Test(arguments: [
        ("random", NoUsableNodePolicy.random), ("empty", .empty), ("keep", .keep), ("KEEP", .keep),
    ])
    func whenNoneUsableValues(text: String, expected: NoUsableNodePolicy) throws {
        let loaded = try ConfigTest.load(
            "aliases:\n  a.example.org:\n    members: [n1]\n    when_none_usable: \(text)\n", file: "w.yaml")
        #expect(loaded.configuration.aliases.first?.parameters.whenNoneUsable == expected)
    }

    @Test func anAliasOverridesTheDefaultsPolicyWithMetric() throws {
        let loaded = try ConfigTest.load(
            "defaults: {when_none_usable: empty}\naliases:\n  a.example.org: {members: [n1], metric: minimum}\n",
            file: "m.yaml")
        #expect(loaded.configuration.aliases.first?.parameters.whenNoneUsable == .random)
    }

    @Test func nullValuesMeanTheDefault() throws {
        let loaded = try ConfigTest.load(
            "version:\npartition: ~\ndefaults:\ndns:\nsnmp:\nha:\naliases:\n  a.example.org:\n    members: [n1]\n"
                + "    ttl: null\n    best_hosts: ~\n", file: "null.yaml")
        let configuration = loaded.configuration
        #expect(configuration.aliases.first?.parameters == AliasParameters())
        #expect(configuration.partition == nil)
        #expect(configuration.dns == DNSSettings())
        #expect(configuration.http == HTTPSettings())
    }

    @Test func anEmptyFileHasNoAliasAndWarns() throws {
        for text in ["", "# only a comment\n", "---\n", "--- ~\n", "{}\n", "--- {}\n...\n"] {
            let loaded = try ConfigTest.load(text, file: "empty.yaml")
            #expect(loaded.format == .native)
            #expect(loaded.configuration.aliases.isEmpty)
            #expect(ConfigTest.warnings(loaded, containing: "no alias is configured").count == 1)
        }
    }

    @Test func httpListenCanBeTurnedOffOrMoved() throws {
        #expect(
            try ConfigTest.load("http:\n  listen: off\n", file: "h.yaml").configuration.http.listen == nil)
        #expect(
            try ConfigTest.load("http:\n  listen: null\n", file: "h.yaml").configuration.http.listen == nil)
        #expect(
            try ConfigTest.load("http:\n  listen: false\n", file: "h.yaml").configuration.http.listen == nil)
        #expect(
            try ConfigTest.load("http:\n  listen: OFF\n", file: "h.yaml").configuration.http.listen == nil)
        #expect(
            try ConfigTest.load("http:\n  listen: '[::1]:9090'\n", file: "h.yaml").configuration.http.listen
                == ServerAddress(host: "::1", port: 9090))
        #expect(
            try ConfigTest.load("http:\n  listen: localhost\n", file: "h.yaml").configuration.http.listen
                == ServerAddress(host: "localhost", port: 8080))
    }

    @Test func aViewMayHaveItsOwnServerAndAlgorithm() throws {
        let loaded = try ConfigTest.load(
            """
            dns:
              server: dns.example.org
              views:
                internal: {key_name: In, algorithm: HMAC-SHA512, secret: c2VjcmV0}
                external: {key_name: ex.example.org., algorithm: hmac-md5.sig-alg.reg.int., secret: c2VjcmV0, server: '192.0.2.8:5353'}
            """, file: "v.yaml")
        let dns = loaded.configuration.dns
        #expect(dns.server == ServerAddress(host: "dns.example.org", port: 53))
        #expect(
            dns.internalView
                == (try! DNSView(keyName: "In.", algorithm: .hmacSHA512, base64Secret: "c2VjcmV0"))
        )
        #expect(
            dns.externalView
                == (try! DNSView(
                    keyName: "ex.example.org.", algorithm: .hmacMD5, base64Secret: "c2VjcmV0",
                    server: ServerAddress(host: "192.0.2.8", port: 5353))))
    }

    // MARK: - Errors

    struct NativeCase: Sendable, CustomTestStringConvertible {
        var name: String
        var text: String
        var fragment: String
        var line: Int
        var column: Int?
        var testDescription: String { name }
    }

    static let alias = "aliases:\n  ok.example.org: [n1.example.org]\n"

    static let errorCases: [NativeCase] = [
        NativeCase(
            name: "unknown top-level key", text: alias + "colour: blue\n", fragment: "unknown key 'colour'",
            line: 3, column: 1),
        NativeCase(
            name: "unknown alias key",
            text: "aliases:\n  a.example.org:\n    members: [n1]\n    colour: blue\n",
            fragment: "alias 'a.example.org': unknown key 'colour'", line: 4, column: 5),
        NativeCase(
            name: "unknown defaults key", text: alias + "defaults:\n  members: [n1]\n",
            fragment: "defaults: unknown key 'members'",
            line: 4, column: 3),
        NativeCase(
            name: "golbd key in a native file", text: alias + "dnsmanager: 192.0.2.1\n",
            fragment: "unknown key 'dnsmanager' (a golbd key", line: 3, column: 1),
        NativeCase(
            name: "golbd parameters in a native file", text: alias + "parameters: {}\n",
            fragment: "unknown key 'parameters' (a golbd key", line: 3, column: 1),
        NativeCase(
            name: "list where a scalar is expected",
            text: "aliases:\n  a.example.org:\n    members: [n1]\n    ttl: [60, 120]\n",
            fragment: "ttl must be a single value, not a list", line: 4, column: 10),
        NativeCase(
            name: "mapping where a scalar is expected", text: alias + "dns:\n  server: {host: 192.0.2.1}\n",
            fragment: "dns server must be a single value, not a mapping", line: 4, column: 11),
        NativeCase(
            name: "mapping where a list is expected",
            text: "aliases:\n  a.example.org:\n    members: {n1: yes}\n", fragment: "must be a list", line: 3,
            column: 14),
        NativeCase(
            name: "list where a mapping is expected", text: alias + "snmp: [v3]\n",
            fragment: "snmp must be a mapping", line: 3,
            column: 7),
        NativeCase(
            name: "aliases as a list", text: "aliases:\n  - a.example.org\n",
            fragment: "aliases must be a mapping", line: 2,
            column: 3),
        NativeCase(
            name: "a list item that is not a scalar", text: "aliases:\n  a.example.org: [n1, [n2]]\n",
            fragment: "must be a single value, not a list", line: 2, column: 23),
        NativeCase(
            name: "best_hosts 0", text: "aliases:\n  a.example.org:\n    members: [n1]\n    best_hosts: 0\n",
            fragment: "best_hosts must be at least 1, or -1 for every usable member, not 0", line: 4,
            column: 17),
        NativeCase(
            name: "best_hosts -3", text: "defaults:\n  best_hosts: -3\n" + alias, fragment: "not -3", line: 2,
            column: 15),
        NativeCase(
            name: "best_hosts none", text: "defaults:\n  best_hosts: none\n" + alias,
            fragment: "best_hosts must be an integer",
            line: 2, column: 15),
        NativeCase(
            name: "alias without members", text: alias + "  b.example.org:\n    best_hosts: 1\n",
            fragment: "alias 'b.example.org' has no members", line: 3, column: 3),
        NativeCase(
            name: "alias with null value", text: alias + "  b.example.org:\n",
            fragment: "alias 'b.example.org' has no members",
            line: 3, column: 3),
        NativeCase(
            name: "alias with an empty list", text: alias + "  b.example.org: []\n",
            fragment: "alias 'b.example.org' has no members", line: 3, column: 3),
        NativeCase(
            name: "alias with empty members", text: alias + "  b.example.org: {members: ''}\n",
            fragment: "alias 'b.example.org' has no members", line: 3, column: 3),
        NativeCase(
            name: "duplicate alias", text: alias + "  ok.example.org: [n2.example.org]\n",
            fragment: "duplicate key 'ok.example.org'",
            line: 3, column: 3),
        NativeCase(
            name: "duplicate alias by case", text: alias + "  OK.Example.Org: [n2.example.org]\n",
            fragment: "duplicate alias 'OK.Example.Org'", line: 3, column: 3),
        NativeCase(
            name: "duplicate alias by trailing dot", text: alias + "  ok.example.org.: [n2.example.org]\n",
            fragment: "duplicate alias 'ok.example.org.' (first defined on line 2)", line: 3, column: 3),
        NativeCase(
            name: "duplicate key",
            text: "aliases:\n  a.example.org:\n    members: [n1]\n    ttl: 60\n    ttl: 120\n",
            fragment: "duplicate key 'ttl'", line: 5, column: 5),
        NativeCase(
            name: "duplicate top-level key", text: alias + "version: 1\nversion: 1\n",
            fragment: "duplicate key 'version'", line: 4,
            column: 1),
        NativeCase(
            name: "metric and when_none_usable",
            text:
                "aliases:\n  a.example.org:\n    members: [n1]\n    metric: minimum\n    when_none_usable: random\n",
            fragment: "give either metric or when_none_usable, not both (metric is on line 4)", line: 5,
            column: 5),
        NativeCase(
            name: "metric and when_none_usable in defaults",
            text: "defaults: {when_none_usable: keep, metric: minino}\n" + alias,
            fragment: "not both", line: 1, column: 36),
        NativeCase(
            name: "unknown when_none_usable", text: "defaults:\n  when_none_usable: later\n" + alias,
            fragment: "when_none_usable must be random, empty or keep, not 'later'", line: 2, column: 21),
        NativeCase(
            name: "unknown metric", text: "defaults:\n  metric: random\n" + alias,
            fragment: "unknown metric 'random'", line: 2,
            column: 11),
        NativeCase(
            name: "bad port", text: alias + "dns:\n  server: 192.0.2.53:99999\n",
            fragment: "the port must be a number from 1 to 65535",
            line: 4, column: 11),
        NativeCase(
            name: "bad SNMP port", text: alias + "snmp:\n  port: 0\n",
            fragment: "snmp port must be from 1 to 65535, not 0", line: 4,
            column: 9),
        NativeCase(
            name: "malformed server", text: alias + "dns:\n  server: 192.0.2.53:53:53\n",
            fragment: "is neither HOST:PORT nor an IPv6 address", line: 4, column: 11),
        NativeCase(
            name: "server with a blank", text: alias + "dns:\n  server: dns server.example.org\n",
            fragment: "not a host name or an IP address",
            line: 4, column: 11),
        NativeCase(
            name: "bad TSIG algorithm",
            text: alias
                + "dns:\n  views:\n    internal: {key_name: k, algorithm: hmac-sha224, secret: c2VjcmV0}\n",
            fragment: "unknown TSIG algorithm 'hmac-sha224'", line: 5, column: 40),
        NativeCase(
            name: "dns view missing secret",
            text: alias + "dns:\n  views:\n    internal:\n      key_name: k\n",
            fragment: "dns view internal needs secret", line: 5, column: 5),
        NativeCase(
            name: "dns view with a null secret",
            text: alias + "dns:\n  views:\n    internal:\n      key_name: k\n      secret:\n",
            fragment: "dns view internal needs secret", line: 5, column: 5),
        NativeCase(
            name: "dns view missing key_name and secret",
            text: alias + "dns:\n  views:\n    external: {algorithm: hmac-md5}\n",
            fragment: "dns view external needs key_name and secret", line: 5, column: 5),
        NativeCase(
            name: "dns view secret not base64",
            text: alias + "dns:\n  views:\n    internal: {key_name: k, secret: 'abc'}\n",
            fragment: "secret must be a base64 secret", line: 5, column: 37),
        NativeCase(
            name: "unknown view",
            text: alias + "dns:\n  views:\n    public: {key_name: k, secret: c2VjcmV0}\n",
            fragment: "dns views: unknown key 'public'", line: 5, column: 5),
        NativeCase(
            name: "priv_password without auth_password",
            text: alias + "snmp:\n  priv_password: privacy-please\n",
            fragment: "priv_password needs auth_password", line: 4, column: 3),
        NativeCase(
            name: "unknown auth protocol", text: alias + "snmp:\n  auth_protocol: sha224\n",
            fragment: "unknown auth_protocol 'sha224'",
            line: 4, column: 18),
        NativeCase(
            name: "unknown priv protocol", text: alias + "snmp:\n  priv_protocol: des\n",
            fragment: "unknown priv_protocol 'des'",
            line: 4, column: 18),
        NativeCase(
            name: "snmp version 1", text: alias + "snmp:\n  version: v1\n",
            fragment: "snmp version must be v2c or v3", line: 4,
            column: 12),
        NativeCase(
            name: "ha heartbeat without master", text: alias + "ha:\n  mode: heartbeat\n",
            fragment: "ha mode heartbeat needs master", line: 4, column: 3),
        NativeCase(
            name: "unknown ha mode", text: alias + "ha:\n  mode: raft\n",
            fragment: "ha mode must be standalone, heartbeat or lease",
            line: 4, column: 9),
        NativeCase(
            name: "empty master", text: alias + "ha:\n  mode: heartbeat\n  master: ''\n",
            fragment: "master must not be empty",
            line: 5, column: 11),
        NativeCase(
            name: "version 2", text: "version: 2\n" + alias, fragment: "version must be 1, not '2'", line: 1,
            column: 10),
        NativeCase(
            name: "bad partition name", text: "partition: 'web farm'\n" + alias,
            fragment: "a partition name is 1 to 63", line: 1,
            column: 12),
        NativeCase(
            name: "zero polling interval", text: "defaults: {polling_interval: 0s}\n" + alias,
            fragment: "polling_interval must be a whole number of seconds, at least 1", line: 1, column: 30),
        NativeCase(
            name: "fractional polling interval", text: "defaults: {polling_interval: 1.5}\n" + alias,
            fragment: "polling_interval must be a whole number of seconds", line: 1, column: 30),
        NativeCase(
            name: "negative timeout", text: alias + "dns:\n  timeout: -1s\n",
            fragment: "dns timeout must be a duration", line: 4,
            column: 12),
        NativeCase(
            name: "zero timeout", text: alias + "snmp:\n  timeout: 0ms\n",
            fragment: "snmp timeout must be more than 0", line: 4,
            column: 12),
        NativeCase(
            name: "external maybe", text: "defaults: {external: maybe}\n" + alias,
            fragment: "external must be yes or no", line: 1,
            column: 22),
        NativeCase(
            name: "invalid member", text: "aliases:\n  a.example.org: [n1, 'n 2']\n",
            fragment: "invalid member name 'n 2'", line: 2,
            column: 23),
        NativeCase(
            name: "invalid alias", text: "aliases:\n  bad..name: [n1]\n",
            fragment: "invalid alias name 'bad..name'", line: 2,
            column: 3),
        NativeCase(
            name: "merge of a scalar", text: "aliases:\n  a.example.org:\n    <<: oops\n    members: [n1]\n",
            fragment: "'<<' must merge a mapping or a list of mappings", line: 3, column: 9),
        NativeCase(
            name: "YAML syntax error", text: alias + "dns: server: 192.0.2.1\n",
            fragment: "not valid YAML: mapping values are not allowed in this context", line: 3, column: 12),
        NativeCase(
            name: "unclosed flow sequence", text: alias + "dns:\n  server: [192.0.2.1\n  timeout: 2s\n",
            fragment: "not valid YAML", line: 5, column: 10),
        NativeCase(
            name: "tab indentation", text: alias + "dns:\n\tserver: 192.0.2.1\n", fragment: "not valid YAML",
            line: 4, column: 1),
        NativeCase(
            name: "undefined anchor", text: "aliases:\n  a.example.org: *nothing\n",
            fragment: "undefined alias", line: 2,
            column: 18),
        NativeCase(
            name: "two documents", text: alias + "---\n" + alias, fragment: "found another document", line: 3,
            column: 1),
        NativeCase(
            name: "control character", text: alias + "dns:\n  server: a\u{1}b\n",
            fragment: "control characters", line: 4,
            column: 12),
        NativeCase(
            name: "a scalar document", text: "just some text\n",
            fragment: "the configuration must be a mapping", line: 1, column: 1),
    ]

    @Test(arguments: errorCases)
    func errorsNameTheirLineAndColumn(_ testCase: NativeCase) {
        let errors = ConfigTest.errors(testCase.text, file: "lbd.yaml")
        ConfigTest.expectError(
            errors, containing: testCase.fragment, line: testCase.line, column: testCase.column)
    }

    @Test func everyErrorOfAFileIsReported() {
        let text = """
            version: 1
            defaults:
              best_hosts: 0
            aliases:
              a.example.org:
                members: [n1]
                colour: red
              b.example.org: {}
            snmp:
              port: 70000
            ha:
              mode: heartbeat
            """
        let errors = ConfigTest.errors(text, file: "many.yaml")
        #expect(errors.count == 5, "\(errors)")
        ConfigTest.expectError(errors, containing: "best_hosts must be at least 1", line: 3, column: 15)
        ConfigTest.expectError(errors, containing: "unknown key 'colour'", line: 7, column: 5)
        ConfigTest.expectError(errors, containing: "'b.example.org' has no members", line: 8, column: 3)
        ConfigTest.expectError(errors, containing: "snmp port", line: 10, column: 9)
        ConfigTest.expectError(errors, containing: "needs master", line: 12, column: 3)
    }

    // MARK: - Warnings

    @Test func bestHostsAboveTheMemberCountIsAWarning() throws {
        let loaded = try ConfigTest.load(
            "aliases:\n  a.example.org:\n    members: [n1, n2]\n    best_hosts: 5\n", file: "w.yaml")
        let warning = try #require(
            ConfigTest.warnings(loaded, containing: "best_hosts is 5 but it has 2 member(s)").first)
        #expect(warning.line == 2)
    }

    @Test func aDuplicateMemberIsAWarning() throws {
        let loaded = try ConfigTest.load(
            "aliases:\n  a.example.org:\n    members:\n      - n1.example.org\n      - N1.EXAMPLE.ORG.\n",
            file: "w.yaml")
        #expect(loaded.configuration.aliases.first?.members == ["n1.example.org"])
        let warning = try #require(ConfigTest.warnings(loaded, containing: "listed twice").first)
        #expect(warning.line == 5)
        #expect(warning.column == 9)
    }

    @Test func aTTLBelow60IsAWarning() throws {
        let loaded = try ConfigTest.load(
            "aliases:\n  a.example.org:\n    members: [n1]\n    ttl: 30\n", file: "w.yaml")
        #expect(loaded.configuration.aliases.first?.parameters.ttl == 30)
        #expect(loaded.configuration.aliases.first?.parameters.effectiveTTL == 60)
        let warning = try #require(ConfigTest.warnings(loaded, containing: "ttl 30 is below 60").first)
        #expect(warning.line == 4)
        #expect(warning.column == 10)
    }

    @Test func aPartitionWithNoAliasIsAWarning() throws {
        let loaded = try ConfigTest.load("partition: web\n" + Self.alias, file: "w.yaml")
        let warning = try #require(
            ConfigTest.warnings(loaded, containing: "no alias is in partition 'web'").first)
        #expect(warning.line == 1)
        #expect(loaded.configuration.servedAliases.isEmpty)
    }

    @Test func snmpWarnings() throws {
        let short = try ConfigTest.load(Self.alias + "snmp:\n  auth_password: short\n", file: "w.yaml")
        #expect(ConfigTest.warnings(short, containing: "shorter than 8 characters").first?.line == 4)
        let v2c = try ConfigTest.load(Self.alias + "snmp:\n  version: v2c\n  user: someone\n", file: "w.yaml")
        #expect(ConfigTest.warnings(v2c, containing: "ignored with SNMP v2c").first?.line == 5)
        let none = try ConfigTest.load(Self.alias, file: "w.yaml")
        #expect(ConfigTest.warnings(none, containing: "SNMPv3 without a password").count == 1)
    }

    @Test func aValidFileWithAllSettingsHasNoWarning() throws {
        let loaded = try ConfigTest.load(
            Self.alias
                + "dns:\n  server: 192.0.2.53\n  views:\n    internal: {key_name: k, secret: c2VjcmV0}\n"
                + "snmp:\n  auth_password: long-enough\n", file: "w.yaml")
        #expect(loaded.warnings.isEmpty, "\(loaded.warnings)")
    }
}
