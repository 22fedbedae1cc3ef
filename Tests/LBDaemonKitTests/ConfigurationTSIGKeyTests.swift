import DNS
import Foundation
import Testing

@testable import LBDaemonKit

/// TSIG keys are built once, when the configuration is read: a valid one arrives as the DNS
/// library's key (name, algorithm, decoded secret), a bad name or secret is an error at its
/// file:line in every format, never a publishing failure later.
@Suite struct ConfigurationTSIGKeyTests {
    static let secretOctets = Array("secret".utf8)

    static let aliases = """
        aliases:
          www.example.org:
            members: [n1.example.org]

        """

    static let golbdLines =
        "parameters ok.example.org = best_hosts#1 metric#minimum\nclusters ok.example.org = n1.example.org\n"

    static let golbdYAML =
        "clusters:\n  ok.example.org: [n1.example.org]\nparameters:\n  ok.example.org: {best_hosts: 1}\n"

    // MARK: - Valid keys are typed values

    @Test func nativeKeyIsBuiltAtLoad() throws {
        let loaded = try ConfigTest.load(
            Self.aliases + """
                dns:
                  server: 192.0.2.53
                  views:
                    internal: {key_name: LB-Internal, algorithm: hmac-sha512, secret: c2VjcmV0}

                """, file: "keys.yaml")
        let view = try #require(loaded.configuration.dns.internalView)
        #expect(view.key.name == (try DomainName(parsing: "lb-internal.")))
        #expect(view.key.algorithm == .hmacSHA512)
        #expect(view.key.secret == Self.secretOctets)
        #expect(view.base64Secret == "c2VjcmV0")
    }

    @Test func golbdLineKeysAreBuiltAtLoad() throws {
        let loaded = try ConfigTest.load(
            Self.golbdLines
                + "tsig_key_prefix = lb-\ntsig_internal_key = c2VjcmV0\ntsig_external_key = c2VjcmV0\n",
            file: "lbd.conf", format: .golbdLines)
        let dns = loaded.configuration.dns
        #expect(dns.internalView?.key.name == (try DomainName(parsing: "lb-internal.")))
        #expect(dns.externalView?.key.name == (try DomainName(parsing: "lb-external.")))
        #expect(dns.internalView?.key.algorithm == .hmacMD5)
        #expect(dns.internalView?.key.secret == Self.secretOctets)
    }

    @Test func golbdYAMLKeysAreBuiltAtLoad() throws {
        let loaded = try ConfigTest.load(
            Self.golbdYAML + "tsigkeyprefix: lb-\ntsiginternalkey: c2VjcmV0\n", file: "lbd.yaml",
            format: .golbdYAML)
        #expect(loaded.configuration.dns.internalView?.key.secret == Self.secretOctets)
        #expect(loaded.configuration.dns.externalView == nil)
    }

    /// The secret as written survives `check-config --print`, even when its base64 is not the
    /// canonical spelling of its octets.
    @Test func printedSecretIsTheOneWritten() throws {
        let loaded = try ConfigTest.load(
            Self.golbdLines + "tsig_internal_key = xxx123==\n", file: "lbd.conf", format: .golbdLines)
        #expect(NativeYAMLPrinter.render(loaded.configuration).contains("secret: xxx123=="))
    }

    @Test func viewInitialiserRefusesBadText() {
        #expect(throws: ConfigurationMessage.self) {
            try DNSView(keyName: "bad..name", algorithm: .hmacSHA256, base64Secret: "c2VjcmV0")
        }
        #expect(throws: ConfigurationMessage.self) {
            try DNSView(keyName: "ok.", algorithm: .hmacSHA256, base64Secret: "not base64!")
        }
        #expect(throws: ConfigurationMessage.self) {
            try DNSView(keyName: "ok.", algorithm: .hmacSHA256, base64Secret: "")
        }
    }

    // MARK: - Bad keys are errors at file:line

    @Test(arguments: ["not-base64!", "c2VjcmV0=", "abc===", "''"])
    func nativeBadSecretIsAnErrorAtItsLine(secret: String) {
        let text =
            Self.aliases
            + "dns:\n  server: 192.0.2.53\n  views:\n    internal:\n      key_name: lb-internal\n"
            + "      secret: \(secret)\n"
        let errors = ConfigTest.errors(text, file: "keys.yaml")
        let issue = ConfigTest.expectError(errors, containing: "base64", line: 9, column: 15)
        #expect(issue?.file == "keys.yaml")
    }

    @Test func nativeBadKeyNameIsAnErrorAtItsLine() {
        let text =
            Self.aliases + "dns:\n  server: 192.0.2.53\n  views:\n    external:\n      key_name: bad..name\n"
            + "      secret: c2VjcmV0\n"
        let errors = ConfigTest.errors(text, file: "keys.yaml")
        let issue = ConfigTest.expectError(errors, containing: "is not a DNS name", line: 8, column: 17)
        #expect(issue?.file == "keys.yaml")
    }

    @Test func golbdLineBadSecretIsAnErrorAtItsLine() {
        let errors = ConfigTest.errors(
            Self.golbdLines + "tsig_internal_key = c2VjcmV0\ntsig_external_key = ***\n", file: "lbd.conf",
            format: .golbdLines)
        let issue = ConfigTest.expectError(errors, containing: "base64", line: 4, column: 21)
        #expect(issue?.file == "lbd.conf")
        #expect(issue?.message.contains("external") == true, "\(String(describing: issue))")
    }

    @Test func golbdLineBadKeyPrefixIsAnErrorAtItsLine() {
        let errors = ConfigTest.errors(
            Self.golbdLines + "tsig_internal_key = c2VjcmV0\ntsig_key_prefix = a..\n", file: "lbd.conf",
            format: .golbdLines)
        let issue = ConfigTest.expectError(errors, containing: "is not a DNS name", line: 4)
        #expect(issue?.file == "lbd.conf")
    }

    @Test func golbdYAMLBadSecretIsAnErrorAtItsLine() {
        let errors = ConfigTest.errors(
            Self.golbdYAML + "tsiginternalkey: c2VjcmV0\ntsigexternalkey: 'c2VjcmV0='\n", file: "lbd.yaml",
            format: .golbdYAML)
        let issue = ConfigTest.expectError(errors, containing: "base64", line: 6, column: 18)
        #expect(issue?.file == "lbd.yaml")
    }

    @Test func golbdYAMLBadKeyPrefixIsAnErrorAtItsLine() {
        let errors = ConfigTest.errors(
            Self.golbdYAML + "tsigkeyprefix: 'a..'\ntsiginternalkey: c2VjcmV0\n", file: "lbd.yaml",
            format: .golbdYAML)
        let issue = ConfigTest.expectError(errors, containing: "is not a DNS name", line: 5)
        #expect(issue?.file == "lbd.yaml")
    }
}
