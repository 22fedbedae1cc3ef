import DNS
import Foundation
import LBCore
import SNMP
import Testing

@testable import LBDaemonKit

/// golbd's original line format (`key = value`, `parameters ALIAS = k#v ...`,
/// `clusters ALIAS = host ...`), read as golbd reads it, with golbd's faults fixed.
@Suite struct ConfigurationGolbdLineTests {
    // MARK: - The sample

    @Test func sampleLoadsWithGolbdMeaning() throws {
        let loaded = try ConfigTest.loadFixture("golbd-sample.conf")
        #expect(loaded.format == .golbdLines)
        let configuration = loaded.configuration
        #expect(configuration.aliases.map(\.name) == ["aiermis.cern.ch"])
        let alias = try #require(configuration.alias(named: "aiermis.cern.ch"))
        #expect(alias.members == ["ermis19.cern.ch", "ermis20.cern.ch"])
        #expect(alias.parameters.bestHosts == .count(1))
        #expect(alias.parameters.whenNoneUsable == .keep)
        #expect(alias.parameters.ttl == 60)
        #expect(alias.parameters.pollingInterval == 300)
        #expect(alias.parameters.external == false)
        #expect(alias.partition == AliasConfiguration.defaultPartition)
        #expect(configuration.partition == nil)

        #expect(configuration.dns.server == ServerAddress(host: "137.138.28.176", port: 53))
        #expect(configuration.dns.server?.description == "137.138.28.176:53")
        #expect(
            configuration.dns.internalView?.key
                == TSIGKey(
                    name: try DomainName(parsing: "abcd-internal."), algorithm: .hmacMD5, base64Secret: "xxx123=="))
        #expect(
            configuration.dns.externalView?.key
                == TSIGKey(
                    name: try DomainName(parsing: "abcd-external."), algorithm: .hmacMD5, base64Secret: "yyy123=="))
        #expect(configuration.dns.internalView?.server == nil)

        #expect(configuration.snmp.version == .v3)
        #expect(configuration.snmp.user == "loadbalancing")
        #expect(configuration.snmp.authProtocol == .md5)
        #expect(configuration.snmp.authPassword == "zzz123")
        #expect(configuration.snmp.privPassword == nil)
        #expect(configuration.snmp.securityLevel == .authNoPriv)

        #expect(configuration.ha.mode == .heartbeat)
        #expect(configuration.ha.master == "lbdxyz.cern.ch")
        #expect(configuration.ha.heartbeatDirectory == "/var/www/html/load-balancing")
        #expect(configuration.ha.heartbeatFile == "heartbeat")

        #expect(configuration == ConfigFixture.golbdSample)
    }

    @Test func sampleWarnsOnlyAboutTheShortSNMPPassword() throws {
        let loaded = try ConfigTest.loadFixture("golbd-sample.conf")
        #expect(loaded.warnings.count == 1)
        let warning = try #require(loaded.warnings.first)
        #expect(warning.message.contains("shorter than 8 characters"))
        #expect(warning.line == 8)
        #expect(warning.column == 18)
    }

    @Test func exampleInTheRepositoryIsTheSample() throws {
        let text = try ConfigFixture.repositoryText("examples/load-balancing.conf")
        let loaded = try ConfigTest.load(text, file: "load-balancing.conf")
        #expect(loaded.configuration == ConfigFixture.golbdSample)
    }

    // MARK: - Blanks, line ends, comments

    @Test func tabsRunsOfBlanksAndIndentedCommentsAreAccepted() throws {
        let loaded = try ConfigTest.loadFixture("golbd-blanks.conf")
        #expect(loaded.format == .golbdLines)
        #expect(loaded.configuration == ConfigFixture.golbdSample)
        #expect(loaded.warnings.allSatisfy { $0.severity == .warning })
    }

    @Test func crlfLineEndsAreAccepted() throws {
        let text = try ConfigFixture.text("golbd-sample.conf").replacingOccurrences(of: "\n", with: "\r\n")
        #expect(text.utf8.contains(13))
        let loaded = try ConfigTest.load(text, file: "crlf.conf")
        #expect(loaded.format == .golbdLines)
        #expect(loaded.configuration == ConfigFixture.golbdSample)
    }

    @Test func mixedLineEndsAndNoFinalLineEndAreAccepted() throws {
        let text =
            "dns_manager = 192.0.2.1\r\nparameters a.example.org = best_hosts#1 metric#minimum\n"
            + "clusters a.example.org = n1.example.org\r\n"
        let loaded = try ConfigTest.load(text, file: "mixed.conf")
        #expect(loaded.configuration.aliases.first?.members == ["n1.example.org"])
        let withoutFinalNewline = String(text.dropLast())  // "\r\n" is one Character
        #expect(
            try ConfigTest.load(withoutFinalNewline, file: "mixed.conf").configuration == loaded.configuration
        )
    }

    @Test func anIndentedHashStartsAComment() throws {
        let text = """
            parameters a.example.org = best_hosts#1 metric#minimum
               # clusters a.example.org = commented.example.org
            \t#master = nobody
            clusters a.example.org = n1.example.org
            """
        let loaded = try ConfigTest.load(text, file: "comments.conf")
        #expect(loaded.configuration.aliases.first?.members == ["n1.example.org"])
        #expect(loaded.configuration.ha.mode == .standalone)
    }

    @Test func aByteOrderMarkIsIgnored() throws {
        let text = "\u{FEFF}" + (try ConfigFixture.text("golbd-sample.conf"))
        let loaded = try ConfigTest.load(text, file: "bom.conf")
        #expect(loaded.format == .golbdLines)
        #expect(loaded.configuration == ConfigFixture.golbdSample)
    }

    // MARK: - Parameters

    @Test func parametersDoNotLeakFromOneAliasToTheNext() throws {
        let loaded = try ConfigTest.loadFixture("golbd-no-leak.conf")
        let first = try #require(loaded.configuration.alias(named: "first.example.org"))
        #expect(
            first.parameters
                == AliasParameters(
                    bestHosts: .count(3), whenNoneUsable: .empty, pollingInterval: 30, ttl: 600,
                    external: true))
        let second = try #require(loaded.configuration.alias(named: "second.example.org"))
        // golbd: best_hosts 3, metric minino, external, ttl 600 inherited from the line above.
        #expect(second.parameters == AliasParameters(pollingInterval: 120))
        #expect(second.parameters.bestHosts == .count(1))
        #expect(second.parameters.whenNoneUsable == .keep)
        #expect(second.parameters.external == false)
        #expect(second.parameters.ttl == 60)
    }

    @Test func missingBestHostsMeansOneWithAWarning() throws {
        let loaded = try ConfigTest.loadFixture("golbd-no-leak.conf")
        let warnings = ConfigTest.warnings(loaded, containing: "has no best_hosts")
        #expect(warnings.count == 1)
        #expect(warnings.first?.line == 6)
        #expect(warnings.first?.message.contains("second.example.org") == true)
    }

    @Test func missingMetricMeansKeepWithAWarning() throws {
        let loaded = try ConfigTest.loadFixture("golbd-no-leak.conf")
        let warnings = ConfigTest.warnings(loaded, containing: "has no metric")
        #expect(warnings.count == 1)
        #expect(warnings.first?.line == 6)
        #expect(warnings.first?.message.contains("cmsfrontier") == true)
    }

    @Test func anInvalidBestHostsOrMetricIsNotAlsoReportedAsMissing() {
        let failure = ConfigTest.failure(
            "parameters a.example.org = best_hosts#0 metric#fastest\nclusters a.example.org = n1.example.org\n",
            file: "bad.conf")
        #expect(failure.errors.count == 2)
        #expect(!failure.issues.contains { $0.message.contains("has no best_hosts") })
        #expect(!failure.issues.contains { $0.message.contains("has no metric") })
    }

    @Test func metricNamesMapOntoPolicies() throws {
        let configuration = try ConfigTest.loadFixture("golbd-values.conf").configuration
        #expect(configuration.alias(named: "random.example.org")?.parameters.whenNoneUsable == .random)
        #expect(configuration.alias(named: "empty.example.org")?.parameters.whenNoneUsable == .empty)
        #expect(configuration.alias(named: "keep.example.org")?.parameters.whenNoneUsable == .keep)
    }

    @Test func bestHostsMinusOneMeansEveryUsableMember() throws {
        let configuration = try ConfigTest.loadFixture("golbd-values.conf").configuration
        #expect(configuration.alias(named: "empty.example.org")?.parameters.bestHosts == .allUsable)
        #expect(configuration.alias(named: "random.example.org")?.parameters.bestHosts == .count(2))
    }

    @Test func valuesOfTheValuesFixture() throws {
        let loaded = try ConfigTest.loadFixture("golbd-values.conf")
        let random = try #require(loaded.configuration.alias(named: "random.example.org"))
        #expect(random.parameters.pollingInterval == 10)
        #expect(random.parameters.ttl == 30)
        #expect(random.parameters.effectiveTTL == 60)
        #expect(random.members == ["a.example.org", "b.example.org", "c.example.org"])
        #expect(
            loaded.configuration.aliases.map(\.name) == [
                "random.example.org", "empty.example.org", "keep.example.org", "false.example.org",
            ])
    }

    @Test(arguments: [("yes", true), ("no", false), ("true", true), ("false", false)])
    func externalAcceptsYesNoTrueAndFalse(text: String, expected: Bool) throws {
        let loaded = try ConfigTest.load(
            "parameters a.example.org = best_hosts#1 metric#minimum external#\(text)\n"
                + "clusters a.example.org = n1.example.org\n", file: "external.conf")
        #expect(loaded.configuration.aliases.first?.parameters.external == expected)
    }

    @Test func externalSpellingsOfTheValuesFixture() throws {
        let configuration = try ConfigTest.loadFixture("golbd-values.conf").configuration
        #expect(configuration.alias(named: "random.example.org")?.parameters.external == true)
        #expect(configuration.alias(named: "empty.example.org")?.parameters.external == true)
        #expect(configuration.alias(named: "keep.example.org")?.parameters.external == false)
        #expect(configuration.alias(named: "false.example.org")?.parameters.external == false)
    }

    @Test func behaviourAndStatisticsAreAcceptedAndIgnored() throws {
        let with = try ConfigTest.load(
            "parameters a.example.org = behaviour#mindless best_hosts#2 metric#minino statistics#long ttl#90\n"
                + "clusters a.example.org = n1.example.org n2.example.org\n", file: "a.conf")
        let without = try ConfigTest.load(
            "parameters a.example.org = best_hosts#2 metric#minino ttl#90\n"
                + "clusters a.example.org = n1.example.org n2.example.org\n", file: "a.conf")
        #expect(with.configuration == without.configuration)
        #expect(with.warnings.count == without.warnings.count)
    }

    @Test func parametersMayFollowClusters() throws {
        let loaded = try ConfigTest.load(
            "clusters a.example.org = n1.example.org\nparameters a.example.org = best_hosts#1 metric#minimum\n",
            file: "order.conf")
        #expect(loaded.configuration.aliases.first?.parameters.whenNoneUsable == .random)
    }

    @Test func namesAreLowerCasedWithoutTheTrailingDot() throws {
        let loaded = try ConfigTest.load(
            "parameters WWW.Example.ORG. = best_hosts#1 metric#minimum\n"
                + "clusters www.example.org = N1.Example.Org. n2.example.org\n", file: "case.conf")
        let alias = try #require(loaded.configuration.aliases.first)
        #expect(alias.name == "www.example.org")
        #expect(alias.members == ["n1.example.org", "n2.example.org"])
        #expect(loaded.configuration.alias(named: "WWW.EXAMPLE.ORG.") == alias)
    }

    @Test func aliasesKeepTheirFileOrder() throws {
        var text = ""
        let names = ["zulu", "alpha", "mike", "bravo"].map { "\($0).example.org" }
        for name in names {
            text += "parameters \(name) = best_hosts#1 metric#minimum\nclusters \(name) = n1.example.org\n"
        }
        #expect(try ConfigTest.load(text, file: "order.conf").configuration.aliases.map(\.name) == names)
    }

    // MARK: - dns_manager

    @Test(arguments: [
        ("137.138.28.176", "137.138.28.176", 53),
        ("137.138.28.176:5353", "137.138.28.176", 5353),
        ("dns.example.org", "dns.example.org", 53),
        ("dns.example.org:54", "dns.example.org", 54),
        ("2001:db8::53", "2001:db8::53", 53),
        ("[2001:db8::53]:5353", "2001:db8::53", 5353),
        ("[::1]:5353", "::1", 5353),
        ("[::1]", "::1", 53),
    ])
    func dnsManagerGetsPort53WhenItHasNone(text: String, host: String, port: Int) throws {
        let loaded = try ConfigTest.load("dns_manager = \(text)\n", file: "dns.conf")
        #expect(loaded.configuration.dns.server == ServerAddress(host: host, port: port))
    }

    @Test(arguments: ["137.138.28.176:0", "137.138.28.176:65536", "host:", ":53", "[::1", "[::1]53", "a:b:c"])
    func aMalformedDNSManagerIsAnError(text: String) {
        let errors = ConfigTest.errors("master = m.example.org\ndns_manager = \(text)\n", file: "dns.conf")
        ConfigTest.expectError(errors, containing: "dns manager", line: 2, column: 15)
    }

    @Test func tsigKeyNamesUseThePrefix() throws {
        let loaded = try ConfigTest.load(
            "tsig_internal_key = c2VjcmV0\ntsig_external_key = c2VjcmV0\n", file: "tsig.conf")
        #expect(loaded.configuration.dns.internalView?.key.name.description == "internal.")
        #expect(loaded.configuration.dns.externalView?.key.name.description == "external.")
        #expect(loaded.configuration.dns.internalView?.key.algorithm == .hmacMD5)
    }

    @Test func withoutMasterLbdIsStandalone() throws {
        let loaded = try ConfigTest.load("dns_manager = 192.0.2.1\n", file: "standalone.conf")
        #expect(loaded.configuration.ha == HASettings())
        #expect(loaded.configuration.snmp.authPassword == nil)
        #expect(loaded.configuration.dns.internalView == nil)
    }

    // MARK: - Errors

    struct LineCase: Sendable, CustomTestStringConvertible {
        var name: String
        var text: String
        var fragment: String
        var line: Int
        var column: Int?
        var testDescription: String { name }
    }

    static let valid =
        "parameters ok.example.org = best_hosts#1 metric#minimum\nclusters ok.example.org = n1.example.org\n"

    static let errorCases: [LineCase] = [
        LineCase(
            name: "unknown setting", text: valid + "colour = blue\n", fragment: "unknown setting 'colour'",
            line: 3, column: 1),
        LineCase(
            name: "unknown parameter key",
            text:
                "parameters a.example.org = best_hosts#1 metric#minimum colour#red\nclusters a.example.org = n1.example.org\n",
            fragment: "unknown parameter 'colour'", line: 1, column: 56),
        LineCase(
            name: "token without #",
            text: valid
                + "parameters a.example.org = best_hosts#1 metric#minimum ttl60\nclusters a.example.org = n1.example.org\n",
            fragment: "expected key#value, not 'ttl60'", line: 3, column: 56),
        LineCase(
            name: "best_hosts 0",
            text: "parameters a.example.org = metric#minimum best_hosts#0\nclusters a.example.org = n\n",
            fragment: "best_hosts must be at least 1", line: 1, column: 43),
        LineCase(
            name: "best_hosts two",
            text: "parameters a.example.org = best_hosts#two metric#minimum\nclusters a.example.org = n\n",
            fragment: "best_hosts must be an integer", line: 1, column: 28),
        LineCase(
            name: "best_hosts -2",
            text: "parameters a.example.org = best_hosts#-2 metric#minimum\nclusters a.example.org = n\n",
            fragment: "not -2", line: 1, column: 28),
        LineCase(
            name: "best_hosts empty",
            text: "parameters a.example.org = best_hosts# metric#minimum\nclusters a.example.org = n\n",
            fragment: "best_hosts must be an integer", line: 1, column: 28),
        LineCase(
            name: "unknown metric",
            text: "parameters a.example.org = best_hosts#1 metric#fastest\nclusters a.example.org = n\n",
            fragment: "unknown metric 'fastest'", line: 1, column: 41),
        LineCase(
            name: "metric in upper case",
            text: "parameters a.example.org = best_hosts#1 metric#MINIMUM\nclusters a.example.org = n\n",
            fragment: "unknown metric 'MINIMUM'", line: 1, column: 41),
        LineCase(
            name: "polling_interval 0",
            text:
                "parameters a.example.org = best_hosts#1 metric#minimum polling_interval#0\nclusters a.example.org = n\n",
            fragment: "polling_interval must be a whole number of seconds, at least 1", line: 1, column: 56),
        LineCase(
            name: "polling_interval negative",
            text:
                "parameters a.example.org = best_hosts#1 metric#minimum polling_interval#-5\nclusters a.example.org = n\n",
            fragment: "polling_interval", line: 1, column: 56),
        LineCase(
            name: "ttl not a number",
            text:
                "parameters a.example.org = best_hosts#1 metric#minimum ttl#long\nclusters a.example.org = n\n",
            fragment: "ttl must be a duration", line: 1, column: 56),
        LineCase(
            name: "external maybe",
            text:
                "parameters a.example.org = best_hosts#1 metric#minimum external#maybe\nclusters a.example.org = n\n",
            fragment: "external must be yes or no", line: 1, column: 56),
        LineCase(
            name: "parameter twice",
            text:
                "parameters a.example.org = best_hosts#1 metric#minimum best_hosts#2\nclusters a.example.org = n\n",
            fragment: "parameter best_hosts is given twice", line: 1, column: 56),
        LineCase(
            name: "duplicate parameters line",
            text: valid + "parameters OK.example.org. = best_hosts#2 metric#minimum\n",
            fragment: "duplicate parameters for alias 'ok.example.org' (first given on line 1)", line: 3,
            column: 12),
        LineCase(
            name: "duplicate clusters line", text: valid + "clusters ok.example.org = n2.example.org\n",
            fragment: "duplicate clusters for alias 'ok.example.org' (first given on line 2)", line: 3,
            column: 10),
        LineCase(
            name: "duplicate setting", text: "master = a.example.org\n" + valid + "master = b.example.org\n",
            fragment: "master is set twice (first on line 1)", line: 4, column: 1),
        LineCase(
            name: "key=value without blanks", text: valid + "master=lbdxyz.cern.ch\n",
            fragment: "expected 'KEY = VALUE' with blanks around '='", line: 3, column: 1),
        LineCase(
            name: "one-word line", text: valid + "\n  lonely\n",
            fragment: "unknown line starting with 'lonely'", line: 4,
            column: 3),
        LineCase(
            name: "unknown first word", text: valid + "aliases www.example.org = n1\n",
            fragment: "unknown line starting with 'aliases'", line: 3, column: 1),
        LineCase(
            name: "parameters without '='", text: valid + "parameters x.example.org best_hosts#1\n",
            fragment: "expected 'parameters ALIAS = ...'", line: 3, column: 26),
        LineCase(
            name: "parameters alone", text: valid + "parameters\n",
            fragment: "expected 'parameters ALIAS = ...'", line: 3,
            column: 1),
        LineCase(
            name: "clusters with one word", text: valid + "clusters x.example.org\n",
            fragment: "expected 'clusters ALIAS = ...'", line: 3, column: 1),
        LineCase(
            name: "setting without value", text: valid + "master =\n", fragment: "master has no value",
            line: 3, column: 8),
        LineCase(
            name: "setting with two values", text: valid + "master = a.example.org b.example.org\n",
            fragment: "master takes a single value", line: 3, column: 24),
        LineCase(
            name: "clusters without parameters",
            text: valid + "clusters lonely.example.org = n1.example.org\n",
            fragment:
                "alias 'lonely.example.org' has members but no 'parameters lonely.example.org = ...' line",
            line: 3,
            column: 10),
        LineCase(
            name: "bad TSIG secret",
            text: valid + "tsig_key_prefix = abcd-\ntsig_internal_key = not-base64!\n",
            fragment: "base64", line: 4, column: 21),
        LineCase(
            name: "TSIG secret with bad padding", text: valid + "tsig_external_key = abc===\n",
            fragment: "base64", line: 3,
            column: 21),
        LineCase(
            name: "invalid TSIG key prefix",
            text: valid + "tsig_key_prefix = bad..\ntsig_internal_key = c2VjcmV0\n",
            fragment: "TSIG key name", line: 3, column: 19),
        LineCase(
            name: "invalid alias name",
            text: valid
                + "parameters bad..name = best_hosts#1 metric#minimum\nclusters bad..name = n1.example.org\n",
            fragment: "invalid alias name 'bad..name'", line: 3, column: 12),
        LineCase(
            name: "invalid member name",
            text:
                "parameters a.example.org = best_hosts#1 metric#minimum\nclusters a.example.org = n1.example.org n2..org\n",
            fragment: "invalid member name 'n2..org'", line: 2, column: 41),
        LineCase(
            name: "member name with a character DNS names cannot have",
            text:
                "parameters a.example.org = best_hosts#1 metric#minimum\nclusters a.example.org = n1.example.org n*2.org\n",
            fragment: "invalid member name 'n*2.org'", line: 2, column: 41),
        LineCase(
            name: "alias name too long",
            text: "parameters \(String(repeating: "a", count: 64)).org = best_hosts#1 metric#minimum\n"
                + "clusters \(String(repeating: "a", count: 64)).org = n1\n",
            fragment: "invalid alias name", line: 1, column: 12),
    ]

    @Test(arguments: errorCases)
    func errorsNameTheirLineAndColumn(_ testCase: LineCase) {
        let errors = ConfigTest.errors(testCase.text, file: "lb.conf", format: .golbdLines)
        ConfigTest.expectError(
            errors, containing: testCase.fragment, line: testCase.line, column: testCase.column)
    }

    @Test func errorsAreFoundWhenTheFormatIsGuessed() {
        // Guessing must not change anything: the file starts with a parameters line.
        for testCase in Self.errorCases {
            let errors = ConfigTest.errors(testCase.text, file: "lb.conf")
            ConfigTest.expectError(
                errors, containing: testCase.fragment, line: testCase.line, column: testCase.column)
        }
    }

    @Test func everyErrorOfAFileIsReported() throws {
        let path = ConfigFixture.path("golbd-errors.conf")
        let error: ConfigurationError
        do {
            let loaded = try ConfigurationLoader.load(path: path)
            Issue.record("loaded: \(loaded.configuration)")
            return
        } catch let caught {
            error = caught
        }
        let expected: [(Int, Int, String)] = [
            (3, 1, "unknown setting 'colour'"),
            (4, 28, "best_hosts must be at least 1"),
            (6, 41, "unknown metric 'fastest'"),
            (8, 1, "blanks around '='"),
            (9, 1, "master is set twice"),
            (10, 10, "alias 'c.example.org' has members but no"),
            (11, 56, "unknown parameter 'colour'"),
        ]
        #expect(error.errors.count == expected.count, "\(error)")
        for (line, column, fragment) in expected {
            ConfigTest.expectError(error.errors, containing: fragment, line: line, column: column)
        }
        for issue in error.errors {
            #expect(issue.file == path)
            #expect(issue.description.hasPrefix("\(path):\(issue.line ?? -1):"))
            #expect(issue.description.contains(": error: "))
        }
        #expect(error.description.components(separatedBy: "\n").count == error.issues.count)
    }

    @Test func parametersWithoutClustersAreSkippedWithAWarning() throws {
        let loaded = try ConfigTest.load(
            Self.valid + "parameters nomembers.example.org = best_hosts#1 metric#minimum\n", file: "lb.conf")
        #expect(loaded.configuration.aliases.map(\.name) == ["ok.example.org"])
        let warnings = ConfigTest.warnings(loaded, containing: "nomembers.example.org' has no members")
        #expect(warnings.count == 1)
        #expect(warnings.first?.line == 3)
    }

    @Test func anEmptyClustersLineIsSkippedWithAWarning() throws {
        let loaded = try ConfigTest.load(
            Self.valid
                + "parameters empty.example.org = best_hosts#1 metric#minimum\nclusters empty.example.org =\n",
            file: "lb.conf")
        #expect(loaded.configuration.aliases.map(\.name) == ["ok.example.org"])
        #expect(ConfigTest.warnings(loaded, containing: "empty.example.org' has no members").count == 1)
    }

    @Test func onlySkippedAliasesLeaveAFileWithNoAlias() throws {
        let loaded = try ConfigTest.load(
            "dns_manager = 192.0.2.1\nparameters a.example.org = best_hosts#1 metric#minimum\n",
            file: "lb.conf")
        #expect(loaded.configuration.aliases.isEmpty)
        #expect(ConfigTest.warnings(loaded, containing: "no alias is configured").count == 1)
    }

    // MARK: - Warnings

    @Test func bestHostsAboveTheMemberCountIsAWarning() throws {
        let loaded = try ConfigTest.load(
            "parameters a.example.org = best_hosts#3 metric#minimum\nclusters a.example.org = n1 n2\n",
            file: "lb.conf")
        let warnings = ConfigTest.warnings(loaded, containing: "best_hosts is 3 but it has 2 member(s)")
        #expect(warnings.count == 1)
        #expect(warnings.first?.line == 1)
    }

    @Test func aMemberListedTwiceIsAWarningAndKeptOnce() throws {
        let loaded = try ConfigTest.load(
            "parameters a.example.org = best_hosts#1 metric#minimum\n"
                + "clusters a.example.org = n1.example.org N1.example.org. n2.example.org\n", file: "lb.conf")
        #expect(loaded.configuration.aliases.first?.members == ["n1.example.org", "n2.example.org"])
        let warnings = ConfigTest.warnings(loaded, containing: "listed twice")
        #expect(warnings.count == 1)
        #expect(warnings.first?.line == 2)
        #expect(warnings.first?.column == 41)
    }

    @Test func anAddressListedTwiceInAnotherSpellingIsAWarning() throws {
        let loaded = try ConfigTest.load(
            "parameters a.example.org = best_hosts#1 metric#minimum\n"
                + "clusters a.example.org = 2001:db8::1 2001:DB8:0:0::1 192.0.2.1\n", file: "lb.conf")
        #expect(loaded.configuration.aliases.first?.members == ["2001:db8::1", "192.0.2.1"])
        #expect(ConfigTest.warnings(loaded, containing: "listed twice").count == 1)
    }

    @Test func addressMembersAreAccepted() throws {
        let loaded = try ConfigTest.load(
            "parameters a.example.org = best_hosts#-1 metric#minimum\n"
                + "clusters a.example.org = 192.0.2.10 2001:db8::10 n1.example.org\n", file: "lb.conf")
        #expect(
            loaded.configuration.aliases.first?.members == ["192.0.2.10", "2001:db8::10", "n1.example.org"])
    }

    @Test func aForcedLineFormatReadsAnEmptyFileAsNoAlias() throws {
        let loaded = try ConfigTest.load("", file: "empty.yaml", format: .golbdLines)
        #expect(loaded.format == .golbdLines)
        #expect(loaded.configuration.aliases.isEmpty)
        #expect(ConfigTest.warnings(loaded, containing: "no alias").count == 1)
    }
}
