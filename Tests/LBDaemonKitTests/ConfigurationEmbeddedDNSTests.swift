import Foundation
import LBCore
import Testing

@testable import LBDaemonKit

/// `dns.embedded` of the native format: lbd's own DNS server for the aliases.
@Suite struct ConfigurationEmbeddedDNSTests {
    /// A native file with one alias `alias` and `embedded` (indented under `dns:`) on line 3.
    private static func text(embedded: String, alias: String = "www.lb.example.org") -> String {
        """
        version: 1
        dns:
        \(embedded)
        aliases:
          \(alias): [node1.example.org]

        """
    }

    @Test func everyFieldIsRead() throws {
        let text = Self.text(
            embedded: """
                  embedded:
                    listen: 192.0.2.1:5300
                    zone: LB.Example.ORG
                    nameserver: NS1.lb.example.org.
                    mailbox: hostmaster.example.org
                    notify: [192.0.2.53, "[2001:db8::53]:5300", ns2.example.org]
                    transfer_from: [192.0.2.53, "2001:DB8::53"]
                """)
        let embedded = try #require(try ConfigTest.load(text).configuration.dns.embedded)
        #expect(
            embedded
                == EmbeddedDNSSettings(
                    listen: ServerAddress(host: "192.0.2.1", port: 5300), zone: "lb.example.org.",
                    nameServer: "ns1.lb.example.org.", mailbox: "hostmaster.example.org.",
                    notify: [
                        ServerAddress(host: "192.0.2.53", port: 53),
                        ServerAddress(host: "2001:db8::53", port: 5300),
                        ServerAddress(host: "ns2.example.org", port: 53),
                    ],
                    transferFrom: ["192.0.2.53", "2001:db8::53"]))
    }

    @Test func anEmptyMappingMeansEveryDefault() throws {
        let embedded = try #require(
            try ConfigTest.load(Self.text(embedded: "  embedded: {}")).configuration.dns.embedded)
        #expect(embedded == EmbeddedDNSSettings())
        #expect(embedded.listen == ServerAddress(host: "127.0.0.1", port: 5353))
        #expect(embedded.zone == nil)
        #expect(embedded.nameServer == "localhost.")
        #expect(embedded.mailbox == "hostmaster.localhost.")
        #expect(embedded.notify.isEmpty && embedded.transferFrom.isEmpty)
    }

    @Test func absentOrNullMeansNoEmbeddedServer() throws {
        #expect(try ConfigTest.load(Self.text(embedded: "  timeout: 2s")).configuration.dns.embedded == nil)
        #expect(
            try ConfigTest.load(Self.text(embedded: "  embedded: null")).configuration.dns.embedded == nil)
        #expect(try ConfigTest.load(Self.text(embedded: "  embedded:")).configuration.dns.embedded == nil)
    }

    @Test func aListenHostAloneGetsPort53AndNullsKeepTheDefaults() throws {
        let text = Self.text(
            embedded: """
                  embedded:
                    listen: "::1"
                    zone: ~
                    nameserver:
                    notify: 192.0.2.53 192.0.2.54:5300
                """)
        let embedded = try #require(try ConfigTest.load(text).configuration.dns.embedded)
        #expect(embedded.listen == ServerAddress(host: "::1", port: 53))
        #expect(embedded.zone == nil)
        #expect(embedded.nameServer == "localhost.")
        #expect(
            embedded.notify == [
                ServerAddress(host: "192.0.2.53", port: 53), ServerAddress(host: "192.0.2.54", port: 5300),
            ])
    }

    @Test func theZoneItselfAndNamesInsideItAreAliases() throws {
        for alias in ["lb.example.org", "LB.example.org.", "a.b.lb.example.org"] {
            let text = Self.text(embedded: "  embedded: {zone: lb.example.org}", alias: alias)
            #expect(try ConfigTest.load(text).configuration.dns.embedded?.zone == "lb.example.org.")
        }
    }

    // MARK: - Errors, each with its line

    @Test func aBadListenAddressIsAnError() {
        let errors = ConfigTest.errors(
            Self.text(
                embedded: """
                      embedded:
                        listen: 127.0.0.1:99999
                    """))
        ConfigTest.expectError(errors, containing: "listen: '127.0.0.1:99999': the port must be", line: 4)
    }

    @Test func badNamesAreErrors() {
        let errors = ConfigTest.errors(
            Self.text(
                embedded: """
                      embedded:
                        zone: lb..example.org
                        nameserver: "ns 1.example.org"
                        mailbox: .
                    """, alias: "lb.example.org"))
        ConfigTest.expectError(errors, containing: "zone 'lb..example.org' is not a DNS name", line: 4)
        ConfigTest.expectError(errors, containing: "nameserver 'ns 1.example.org' is not a DNS name", line: 5)
        ConfigTest.expectError(errors, containing: "mailbox must be a name below the root", line: 6)
    }

    @Test func aTransferClientMustBeAnAddress() {
        let errors = ConfigTest.errors(
            Self.text(
                embedded: """
                      embedded:
                        transfer_from:
                          - 192.0.2.53
                          - secondary.example.org
                    """))
        ConfigTest.expectError(
            errors, containing: "transfer_from 'secondary.example.org' is not an IPv4 or IPv6 address",
            line: 6)
        #expect(errors.count == 1)
    }

    @Test func aBadNotifyTargetIsAnError() {
        let errors = ConfigTest.errors(
            Self.text(embedded: "  embedded:\n    notify: [192.0.2.53, \"[192.0.2.54]:53\"]"))
        ConfigTest.expectError(errors, containing: "notify: '192.0.2.54' between brackets", line: 4)
    }

    @Test func unknownKeysAndOtherShapesAreErrors() {
        let unknown = ConfigTest.errors(
            Self.text(
                embedded: """
                      embedded:
                        zone: lb.example.org
                        port: 53
                    """))
        ConfigTest.expectError(unknown, containing: "dns embedded: unknown key 'port'", line: 5)
        let boolean = ConfigTest.errors(Self.text(embedded: "  embedded: true"))
        ConfigTest.expectError(boolean, containing: "dns embedded must be a mapping", line: 3)
    }

    @Test func anAliasOutsideTheZoneIsAnErrorNamingBoth() {
        let text = """
            dns:
              embedded:
                zone: lb.example.org
            aliases:
              www.lb.example.org: [node1.example.org]
              www.example.org: [node1.example.org]
              notlb.example.org: [node1.example.org]

            """
        let errors = ConfigTest.errors(text)
        #expect(errors.count == 2, "\(errors)")
        ConfigTest.expectError(
            errors, containing: "alias 'www.example.org' is not inside the zone lb.example.org.", line: 6,
            column: 3)
        ConfigTest.expectError(errors, containing: "alias 'notlb.example.org' is not inside", line: 7)
    }

    @Test func withoutAZoneAnyAliasIsServed() throws {
        let text = Self.text(embedded: "  embedded: {}", alias: "www.example.com")
        #expect(try ConfigTest.load(text).configuration.dns.embedded != nil)
    }

    // MARK: - Printing

    @Test func everyFieldRoundTrips() throws {
        let text = Self.text(
            embedded: """
                  server: 192.0.2.53
                  embedded:
                    listen: "[::]:53"
                    zone: lb.example.org
                    nameserver: ns1.lb.example.org
                    mailbox: hostmaster.example.org
                    notify: [192.0.2.53, "[2001:db8::53]:5300"]
                    transfer_from: [192.0.2.53, "2001:db8::53"]
                """)
        let configuration = try ConfigTest.load(text).configuration
        ConfigTest.expectRoundTrip(configuration, origin: text)
        let printed = NativeYAMLPrinter.render(configuration)
        for line in ["embedded:", "zone: lb.example.org.", "nameserver: ns1.lb.example.org.", "- 192.0.2.53"]
        {
            #expect(printed.contains(line), "missing '\(line)' in:\n\(printed)")
        }
    }

    @Test func theDefaultsAndNoServerRoundTrip() throws {
        for embedded in ["  embedded: {}", "  embedded: null"] {
            let text = Self.text(embedded: embedded)
            ConfigTest.expectRoundTrip(try ConfigTest.load(text).configuration, origin: text)
        }
    }

    @Test func theDocumentedExampleHasAnEmbeddedServer() throws {
        let configuration = try ConfigTest.load(try ConfigFixture.documentedExample(), file: "doc.yaml")
            .configuration
        let embedded = try #require(configuration.dns.embedded)
        #expect(embedded.zone == "example.org.")
        #expect(embedded.listen == EmbeddedDNSSettings.defaultListen)
        #expect(
            embedded.notify == [
                ServerAddress(host: "192.0.2.53", port: 53), ServerAddress(host: "2001:db8::53", port: 5300),
            ])
        // An unquoted IPv6 address in a flow list is one value.
        #expect(embedded.transferFrom == ["192.0.2.53", "2001:db8::53"])
    }
}
