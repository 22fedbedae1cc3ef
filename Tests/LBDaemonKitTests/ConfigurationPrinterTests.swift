import DNS
import Foundation
import LBCore
import SNMP
import Testing

@testable import LBDaemonKit

/// `check-config --print`: the native YAML form of any configuration, every default explicit,
/// which reads back to the same configuration.
@Suite struct ConfigurationPrinterTests {
    @Test(arguments: ConfigFixture.valid)
    func everyFixtureRoundTrips(name: String) throws {
        let loaded = try ConfigTest.loadFixture(name)
        ConfigTest.expectRoundTrip(loaded.configuration, origin: try ConfigFixture.text(name))
    }

    @Test func theDocumentedExampleRoundTrips() throws {
        let text = try ConfigFixture.documentedExample()
        let loaded = try ConfigTest.load(text, file: "doc.yaml")
        ConfigTest.expectRoundTrip(loaded.configuration, origin: text)
    }

    @Test func theRepositoryExamplesRoundTrip() throws {
        for (file, text) in [
            ("lbd.yaml", try ConfigFixture.repositoryText("examples/lbd.yaml")),
            ("load-balancing.conf", try ConfigFixture.repositoryText("examples/load-balancing.conf")),
        ] {
            ConfigTest.expectRoundTrip(try ConfigTest.load(text, file: file).configuration, origin: text)
        }
    }

    @Test func printedGolbdSampleIsNativeWithNoErrorsAndEveryDefault() throws {
        let printed = NativeYAMLPrinter.render(ConfigFixture.golbdSample)
        let loaded = try ConfigTest.load(printed, file: "printed.yaml")
        #expect(loaded.format == .native)
        #expect(loaded.configuration == ConfigFixture.golbdSample)
        // The same text whatever the file is called or the format is forced to.
        #expect(try ConfigTest.load(printed, file: "printed.conf").configuration == ConfigFixture.golbdSample)
        #expect(
            try ConfigTest.load(printed, file: "printed", format: .native).configuration
                == ConfigFixture.golbdSample)
        for key in [
            "version: 1", "server: 137.138.28.176:53", "key_name: abcd-internal.", "algorithm: hmac-md5",
            "secret: xxx123==", "auth_password: zzz123", "mode: heartbeat", "master: lbdxyz.cern.ch",
            "heartbeat_directory: /var/www/html/load-balancing", "when_none_usable: keep", "best_hosts: 1",
            "polling_interval: 300", "ttl: 60", "external: false", "partition: default",
            "max_withdrawn_share: 50%",
            "timeout: 2s", "retries: 3", "max_concurrent_updates: 4", "concurrency: 1000",
            "takeover_after: 30s", "hold_down: 60s",
        ] {
            #expect(printed.contains(key), "missing '\(key)' in:\n\(printed)")
        }
        // The HTTP address is always written, the default included.
        #expect(printed.contains("http:\n  listen: 127.0.0.1:8080\n"))
        #expect(printed.hasSuffix("\n"))
    }

    @Test func printingIsStable() throws {
        for (file, text) in try ConfigFixture.validTexts() {
            let first = NativeYAMLPrinter.render(try ConfigTest.load(text, file: file).configuration)
            let second = NativeYAMLPrinter.render(
                try ConfigTest.load(first, file: "printed.yaml").configuration)
            #expect(first == second, "\(file)")
        }
    }

    @Test func theDefaultConfigurationRoundTrips() {
        ConfigTest.expectRoundTrip(Configuration())
    }

    /// Texts YAML would read as something else than a string if they were written plain.
    static let awkwardStrings = [
        "null", "Null", "NULL", "~", "true", "false", "yes", "no", "on", "off", "Y", "n", "123", "-1", "0x1F",
        "0o17",
        "1e3", "1.5", ".inf", "-.inf", ".nan", "2024-01-01", "12:30:45", "<<", "=", " leading", "trailing ",
        "two  blanks", "#hash", "a #comment", "a: b", "- dash", "-", "?", "? question", "*star", "&amp",
        "!bang",
        "%percent", "@at", "`tick", "'single'", "\"double\"", "[list]", "{map}", "a, b", "|", ">",
        "back\\slash",
        "ünïcödé", "emoji 🎉", "line\u{2028}separator", "paragraph\u{2029}", "bom\u{FEFF}",
        "zero\u{200B}width",
        "\u{FFFD}", String(repeating: "long", count: 300),
    ]

    /// Control characters are refused when read (see ConfigurationNativeTests), so the printer never
    /// meets them in a loaded configuration.
    static let controlStrings = [
        "\u{7}bell", "nul\u{0}byte", "nel\u{85}", "carriage\rreturn", "multi\nline", "tab\tin",
    ]

    @Test(arguments: controlStrings)
    func controlCharactersAreRefusedWhenThePrintedFormIsRead(text: String) {
        var configuration = Configuration()
        configuration.ha.master = text
        let printed = NativeYAMLPrinter.render(configuration)
        let errors = ConfigTest.errors(printed, file: "printed.yaml")
        ConfigTest.expectError(
            errors, containing: "master must not contain control characters", line: errors.first?.line)
    }

    @Test(arguments: awkwardStrings)
    func stringsSurviveTheRoundTrip(text: String) {
        var configuration = Configuration()
        configuration.snmp.community = text
        configuration.snmp.user = text
        configuration.snmp.authPassword = text
        configuration.snmp.privPassword = text
        configuration.ha.master = text
        configuration.ha.heartbeatDirectory = text
        configuration.ha.heartbeatFile = text
        ConfigTest.expectRoundTrip(configuration)
    }

    @Test func secretsAndNamesThatLookLikeNumbersSurvive() {
        let configuration = Configuration(
            partition: "123",
            aliases: [
                AliasConfiguration(
                    name: "123.example.org", members: ["null", "true", "0x1f", "1e3"], partition: "no"),
                AliasConfiguration(name: "null", members: ["yes"], partition: "0"),
            ],
            dns: DNSSettings(
                internalView: try! DNSView(keyName: "true.", algorithm: .hmacSHA1, base64Secret: "1234"),
                externalView: try! DNSView(keyName: "1.", algorithm: .hmacSHA384, base64Secret: "null")))
        ConfigTest.expectRoundTrip(configuration)
    }

    @Test(arguments: [0.3, 0.0015, 0.009, 0.0001, 1e-6, 2.5, 0.1, 1.0 / 3.0, 120, 86_399.999])
    func durationsSurviveTheRoundTripExactly(seconds: Double) {
        var configuration = Configuration()
        configuration.dns.timeout = seconds
        configuration.snmp.timeout = seconds
        configuration.ha.takeoverAfter = seconds
        ConfigTest.expectRoundTrip(configuration)
    }

    @Test func everySettingSurvivesTheRoundTrip() {
        let configuration = Configuration(
            partition: "web",
            aliases: [
                AliasConfiguration(
                    name: "www.example.org", members: ["n1.example.org", "192.0.2.1", "2001:db8::1"],
                    parameters: AliasParameters(
                        bestHosts: .allUsable, whenNoneUsable: .random, pollingInterval: 1, ttl: 0,
                        external: true),
                    partition: "web"),
                AliasConfiguration(
                    name: "api.example.org", members: ["n2.example.org"],
                    parameters: AliasParameters(
                        bestHosts: .count(1_000_000), whenNoneUsable: .empty, pollingInterval: 999_999,
                        ttl: 86_400),
                    partition: "other_partition.1"),
            ],
            dns: DNSSettings(
                server: ServerAddress(host: "2001:db8::53", port: 5353), timeout: 0.25, retries: 0,
                maxConcurrentUpdates: 1000,
                internalView: try! DNSView(
                    keyName: "in.", algorithm: .hmacSHA512, base64Secret: "c2VjcmV0",
                    server: ServerAddress(host: "dns.example.org", port: 53)),
                externalView: try! DNSView(
                    keyName: "ex.example.org.", algorithm: .hmacSHA256, base64Secret: "c2VjcmV0")),
            snmp: SNMPSettings(
                version: .v2c, port: 65_535, community: "c", user: "u", authProtocol: .sha512,
                authPassword: "authentication", privProtocol: .aes128, privPassword: "privacy!", timeout: 10,
                retries: 10, concurrency: 100_000),
            ha: HASettings(
                mode: .standalone, master: "m.example.org", heartbeatDirectory: "/tmp/hb dir",
                heartbeatFile: "hb",
                takeoverAfter: 0.5),
            // An address other than loopback must be guarded: both guards are printed.
            http: HTTPSettings(
                listen: ServerAddress(host: "::", port: 1), tokenFile: "/etc/lbd/http token",
                tls: HTTPSettings.TLS(certificate: "/etc/lbd/cert.pem", key: "/etc/lbd/key.pem")))
        ConfigTest.expectRoundTrip(configuration)
        var off = configuration
        off.http.listen = nil
        off.partition = nil
        off.dns = DNSSettings()
        ConfigTest.expectRoundTrip(off)
    }

    @Test func everyAuthenticationProtocolAndAlgorithmSurvives() {
        for algorithm in TSIGAlgorithm.allCases {
            for authentication in AuthenticationProtocol.allCases {
                var configuration = Configuration()
                configuration.dns.internalView = try! DNSView(
                    keyName: "k.", algorithm: algorithm, base64Secret: "c2VjcmV0")
                configuration.snmp.authProtocol = authentication
                configuration.snmp.authPassword = "password"
                ConfigTest.expectRoundTrip(configuration)
            }
        }
    }

    @Test func printedAliasesAreInFileOrderWithEveryParameter() throws {
        let configuration = try ConfigTest.loadFixture("golbd-values.conf").configuration
        let printed = NativeYAMLPrinter.render(configuration)
        let positions = configuration.aliases.map { alias in
            printed.range(of: "  \(alias.name):")?.lowerBound
        }
        #expect(positions.allSatisfy { $0 != nil })
        #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted())
        #expect(printed.components(separatedBy: "when_none_usable:").count == configuration.aliases.count + 1)
        #expect(printed.contains("best_hosts: -1"))
        #expect(printed.contains("when_none_usable: random"))
        #expect(printed.contains("when_none_usable: empty"))
    }
}
