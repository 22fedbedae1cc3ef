import Foundation
import Testing

@testable import LBDaemonKit

/// Input limits (errors kept, message size, control bytes, YAML tags), the `reload` settings,
/// what a reload says needs a restart, and the settings read but not implemented yet.
@Suite struct ConfigurationHardeningTests {
    static let alias = "aliases:\n  a.example.org: [n1]\n"

    // MARK: - reload.max_withdrawn_share

    @Test(arguments: [
        ("50%", 0.5), ("0.5", 0.5), ("100%", 1.0), ("1.0", 1.0), ("1", 1.0), ("0", 0.0), ("0%", 0.0),
        ("30%", 0.3), ("12.5%", 0.125), ("'75 %'", 0.75),
    ])
    func theWithdrawnShareIsAFractionOrAPercentage(text: String, share: Double) throws {
        let loaded = try ConfigTest.load(
            Self.alias + "reload:\n  max_withdrawn_share: \(text)\n", file: "r.yaml")
        #expect(loaded.configuration.reload.maximumWithdrawnShare == share)
    }

    @Test(arguments: ["150%", "1.5", "-0.1", "-5%", "half", "'%'", "'50%%'", "nan", "inf", "[1]"])
    func aWithdrawnShareOutsideZeroToOneIsAnError(text: String) {
        let errors = ConfigTest.errors(
            Self.alias + "reload:\n  max_withdrawn_share: \(text)\n", file: "r.yaml")
        #expect(errors.contains { $0.message.contains("max_withdrawn_share") && $0.line == 4 }, "\(errors)")
    }

    @Test func reloadRejectsUnknownKeysAndDefaultsToHalf() throws {
        ConfigTest.expectError(
            ConfigTest.errors(Self.alias + "reload:\n  max_withdrawn: 1\n", file: "r.yaml"),
            containing: "reload: unknown key 'max_withdrawn'", line: 4, column: 3)
        #expect(
            try ConfigTest.load(Self.alias, file: "r.yaml").configuration.reload.maximumWithdrawnShare == 0.5)
        #expect(
            try ConfigTest.load(Self.alias + "reload:\n", file: "r.yaml").configuration.reload
                == ReloadSettings())
    }

    @Test func theWithdrawnShareRoundTripsThroughThePrinter() {
        for share in [0.0, 0.3, 0.5, 0.29, 1.0 / 3, 0.125, 1] {
            var configuration = ReloadGuardTests.configuration(1)
            configuration.reload.maximumWithdrawnShare = share
            ConfigTest.expectRoundTrip(configuration)
        }
        #expect(NativeYAMLPrinter.render(Configuration()).contains("reload:\n  max_withdrawn_share: 50%\n"))
    }

    // MARK: - YAML tags

    @Test(arguments: [
        (
            "aliases:\n  a.example.org: !!python/object/apply:os.system [\"ls\"]\n",
            "!!python/object/apply:os.system", 2, 18
        ),
        ("aliases:\n  a.example.org:\n    members: !custom [n1]\n", "!custom", 3, 14),
        (
            "aliases:\n  a.example.org: [n1]\nsnmp:\n  auth_password: !!binary aGVsbG8gd29ybGQ=\n",
            "!!binary", 4, 18
        ),
        ("!!set\naliases:\n  a.example.org: [n1]\n", "!!set", 1, 1),
        ("aliases:\n  ? !<tag:example.org,2024:x> a.example.org\n  : [n1]\n", "tag:example.org,2024:x", 2, 5),
        ("dnsmanager: !!timestamp 2024-01-01\nclusters:\n  a.example.org: [n1]\n", "!!timestamp", 1, 13),
    ])
    func aNonStandardTagIsAnErrorWithItsPosition(text: String, tag: String, line: Int, column: Int) {
        let errors = ConfigTest.errors(text, file: "tags.yaml")
        ConfigTest.expectError(
            errors, containing: "YAML tag '\(tag)' is not supported", line: line, column: column)
    }

    @Test func standardTagsWrittenOrNotKeepWorking() throws {
        let text = """
            aliases: !!map
              a.example.org:
                members: !!seq [n1, !!str n2]
                best_hosts: !!int 2
                external: !!bool false
                ttl: !!null
                polling_interval: !!float 30
              b.example.org: ! [n3]
            defaults: &d
              ttl: 90
            snmp:
              <<: {retries: 1}
              port: '1161'

            """
        let loaded = try ConfigTest.load(text, file: "standard.yaml")
        let alias = try #require(loaded.configuration.alias(named: "a.example.org"))
        #expect(alias.members == ["n1", "n2"])
        #expect(alias.parameters.bestHosts == .count(2))
        #expect(alias.parameters.pollingInterval == 30)
        #expect(loaded.configuration.snmp.port == 1161)
        #expect(loaded.configuration.snmp.retries == 1)
    }

    @Test func aTagOnAnAnchoredNodeIsReportedOnce() {
        let text = "x: &a !custom [n1]\naliases:\n  a.example.org: *a\n  b.example.org: *a\n"
        let errors = ConfigTest.errors(text, file: "anchor.yaml")
        #expect(errors.filter { $0.message.contains("YAML tag") }.count == 1, "\(errors)")
    }

    // MARK: - Control bytes and long values in messages

    @Test func messagesNeverEchoControlBytes() {
        let hostile = [
            "aliases:\n  \"a\\e[31mred\\0.example.org\": [n1]\n",
            "aliases:\n  a.example.org: [n1]\nsnmp:\n  version: \"v\\x07\\x1b]0;pwned\\x07\"\n",
            "aliases:\n  a.example.org: [n1]\n\"bad\\u202Ekey\\u2028\": 1\n",
            "parameters a.example.org = metric#min\u{1B}[2Jimum best_hosts#1\nclusters a.example.org = n1\n",
            "aliases:\n  a.example.org:\n    members: [\"n\\r\\nforged.yaml:1:1: error: x\"]\n",
        ]
        for text in hostile {
            let failure = ConfigTest.failure(text, file: text.hasPrefix("parameters") ? "h.conf" : "h.yaml")
            for issue in failure.issues {
                let controls = issue.description.unicodeScalars.filter {
                    $0.properties.generalCategory == .control || [0x2028, 0x2029, 0x202E].contains($0.value)
                }
                #expect(controls.isEmpty, "\(issue.description.debugDescription)")
            }
            #expect(failure.issues.contains { $0.message.contains("\\u{") }, "\(failure)")
        }
    }

    @Test func issueTextEscapesAndCuts() {
        #expect(
            IssueText.sanitized("a\u{0}b\u{1B}c\u{7F}\u{85}\u{202E}\n")
                == "a\\u{0}b\\u{1B}c\\u{7F}\\u{85}\\u{202E}\\u{A}")
        #expect(IssueText.isSafe("ünïcödé 🎉 fine"))
        let long = String(repeating: "x", count: 10_000)
        let cut = IssueText.sanitized(long)
        #expect(cut.unicodeScalars.count == IssueText.maximumLength + 1)
        #expect(cut.hasSuffix("…"))
        // One grapheme of many scalars is cut too: the limit counts scalars.
        let zalgo = "e" + String(repeating: "\u{301}", count: 5000)
        let issue = ConfigurationIssue(severity: .error, file: "f\u{0}.yaml", line: 1, message: zalgo)
        #expect(issue.message.unicodeScalars.count <= IssueText.maximumLength + 1)
        #expect(issue.file == "f\\u{0}.yaml")
    }

    @Test func aHugeValueIsCutInItsMessage() {
        let huge = String(repeating: "z", count: 200_000)
        let failure = ConfigTest.failure(
            Self.alias + "snmp:\n  version: \(huge)\n  \(huge.prefix(1000)): 1\n", file: "huge.yaml")
        #expect(failure.issues.count >= 2)
        #expect(
            failure.issues.allSatisfy { $0.description.utf8.count < 1_000 },
            "\(failure.issues.map(\.message))")
    }

    // MARK: - Error caps

    /// A golbd-sized garbage file (about 12 MB, 200,000 bad lines) gives a bounded report:
    /// the first 100 errors and a count, whatever the number of lines.
    @Test func aTwelveMegabyteFileOfErrorsGivesTheFirstHundredAndACount() {
        let line =
            "parameters bad.example.org = metric#nope best_hosts#zero ttl#x padding#"
            + String(
                repeating: "p", count: 2) + "\n"
        let count = 12_000_000 / line.utf8.count
        let text = String(repeating: line, count: count)
        let failure = ConfigTest.failure(text, file: "junk.conf", format: .golbdLines)
        #expect(failure.errors.count == Diagnostics.maximumErrors + 1)
        let summary = failure.errors.last
        #expect(summary?.line == nil)
        #expect(summary?.message.hasPrefix("… and ") == true)
        #expect(summary?.message.contains("more errors") == true)
        #expect(failure.issues.count <= 2 * (Diagnostics.maximumErrors + 1))
        // The memory the report takes is bounded by the caps, not by the file.
        let reportBytes = failure.issues.reduce(0) { $0 + $1.description.utf8.count }
        #expect(reportBytes <= 2 * (Diagnostics.maximumErrors + 1) * (IssueText.maximumLength * 4 + 200))
    }

    @Test func yamlWithManyErrorsIsCappedToo() {
        var text = "aliases:\n"
        for index in 0..<20_000 { text += "  a\(index).example.org: {members: [n1], best_hosts: 0}\n" }
        let failure = ConfigTest.failure(text, file: "many.yaml")
        #expect(failure.errors.count == Diagnostics.maximumErrors + 1)
        #expect(failure.errors.last?.message.contains("… and 19900 more errors (20000 in all)") == true)
        #expect(failure.errors.first?.line == 2)
    }

    /// The 10 MB YAML of 200,000 errors took 450 MB to compose: YAML over 4 MiB is refused first.
    @Test func yamlOverFourMebibytesIsRefusedBeforeItIsComposed() {
        let entry = "  a.example.org: {members: [n1], best_hosts: 0}\n"
        let count = ConfigurationLoader.maximumYAMLSize / entry.utf8.count + 1
        let text = "aliases:\n" + String(repeating: entry, count: count)
        let failure = ConfigTest.failure(text, file: "big.yaml")
        #expect(failure.errors.count == 1)
        #expect(failure.errors.first?.message.contains("YAML text larger than 4 MiB") == true)
        // The line format is read line by line: the same size is fine there.
        let comment = "# a comment line of the golbd format, repeated\n"
        let lines =
            String(repeating: comment, count: ConfigurationLoader.maximumYAMLSize / comment.utf8.count + 1)
            + "parameters a.example.org = best_hosts#1 metric#minimum\nclusters a.example.org = n1\n"
        #expect(lines.utf8.count > ConfigurationLoader.maximumYAMLSize)
        #expect(ConfigTest.expectLoadsOrFails(lines, file: "big.conf", checkRoundTrip: false))
    }

    @Test func manyWarningsAreCappedSeparately() throws {
        var text = "aliases:\n"
        for index in 0..<300 { text += "  a\(index).example.org: {members: [n1, n1]}\n" }
        let loaded = try ConfigTest.load(text, file: "warn.yaml")
        #expect(loaded.warnings.count <= Diagnostics.maximumErrors + 2)
        // 300 duplicate members and SNMPv3 without a password.
        #expect(loaded.warnings.contains { $0.message.contains("… and 201 more warnings (301 in all)") })
    }

    // MARK: - Restart-only settings

    @Test func aReloadNamesEachStartOnlySettingThatChanged() throws {
        let old = try ConfigTest.load(
            Self.alias + "snmp:\n  timeout: 2s\ndns:\n  embedded:\n    listen: 127.0.0.1:5353\n",
            file: "o.yaml"
        ).configuration
        var new = old
        #expect(StartOnlySettings.changed(from: old, to: new).isEmpty)
        new.snmp.timeout = 5
        new.snmp.authPassword = "a-password"
        new.dns.embedded?.listen = ServerAddress(host: "127.0.0.1", port: 53)
        new.ha.mode = .heartbeat
        new.http.listen = ServerAddress(host: "127.0.0.1", port: 8081)
        #expect(
            StartOnlySettings.changed(from: old, to: new) == [
                "snmp.auth_password", "snmp.timeout", "dns.embedded.listen", "ha.mode", "http.listen",
            ])
        var withoutServer = old
        withoutServer.dns.embedded = nil
        withoutServer.dns.timeout = 9
        #expect(StartOnlySettings.changed(from: old, to: withoutServer) == ["dns.timeout", "dns.embedded"])
        // Aliases, the partition and the reload settings apply at a reload: no restart.
        var applied = old
        applied.aliases.append(AliasConfiguration(name: "b.example.org", members: ["n2"]))
        applied.partition = "default"
        applied.reload.maximumWithdrawnShare = 1
        #expect(StartOnlySettings.changed(from: old, to: applied).isEmpty)
    }

    @Test func theHistoryAndAnAliasesHAProxySectionAreReadAtStartOnly() throws {
        let old = try ConfigTest.load(Self.alias, file: "o.yaml").configuration
        var new = old
        new.history.store = .postgresql
        new.history.retention = 86_400
        new.aliases[0].haproxy = HAProxySettings(socket: .unix(path: "/run/haproxy.sock"), backend: "web")
        #expect(
            StartOnlySettings.changed(from: old, to: new) == [
                "history.store", "history.retention", "aliases.a.example.org.haproxy",
            ])
        // Members of an alias driving HAProxy change at a reload, its section staying the same.
        var members = new
        members.aliases[0].members.append("n2")
        #expect(StartOnlySettings.changed(from: new, to: members).isEmpty)
    }

    // MARK: - golbd's master line

    /// check-config no longer warns about it or about http.listen: ConfigurationCommandLineTests.
    @Test func golbdsMasterLineIsHeartbeatMode() throws {
        let golbd = ConfigFixture.golbdSample
        #expect(golbd.ha.mode == .heartbeat)
        #expect(golbd.ha.master == "lbdxyz.cern.ch")
    }

    @Test func printingAlwaysWritesTheHTTPAddressOrOff() throws {
        let printed = NativeYAMLPrinter.render(ConfigFixture.golbdSample)
        #expect(printed.contains("http:\n  listen: 127.0.0.1:8080\n"), "\(printed)")
        var off = Configuration()
        off.http.listen = nil
        let offLine = try Regex("http:\n  listen: '?off'?\n")
        #expect(NativeYAMLPrinter.render(off).contains(offLine))
        var set = Configuration()
        set.http.listen = ServerAddress(host: "::1", port: 9090)
        #expect(NativeYAMLPrinter.render(set).contains("http:\n  listen: '[::1]:9090'\n"))
    }
}
