import Testing

@testable import LBDaemonKit

/// `dns.embedded.explain`: the `_explain.<alias>` TXT answer is off unless asked for; a value
/// that is not a boolean is an error naming the file and the line.
@Suite struct ConfigurationExplainKeyTests {
    private static func text(_ explain: String) -> String {
        """
        version: 1
        dns:
          embedded:
            listen: 127.0.0.1:5300
        \(explain)
        aliases:
          www.example.org: [node1.example.org]

        """
    }

    @Test func explainIsOffByDefault() throws {
        let embedded = try #require(try ConfigTest.load(Self.text("")).configuration.dns.embedded)
        #expect(!embedded.explain)
        #expect(!EmbeddedDNSSettings().explain)
    }

    @Test(arguments: [("true", true), ("yes", true), ("on", true), ("false", false), ("no", false)])
    func explainTakesABoolean(text: String, expected: Bool) throws {
        let embedded = try #require(
            try ConfigTest.load(Self.text("    explain: \(text)")).configuration.dns.embedded)
        #expect(embedded.explain == expected)
    }

    @Test func anythingElseIsAnErrorNamingFileAndLine() {
        let error = ConfigTest.failure(Self.text("    explain: sometimes"), file: "lbd.yaml")
        ConfigTest.expectError(error.errors, containing: "explain must be yes or no", line: 5)
        #expect(error.description.contains("lbd.yaml:5"), "\(error)")
    }

    @Test func explainRoundTripsThroughThePrinterAndIsAStartOnlySetting() throws {
        let loaded = try ConfigTest.load(Self.text("    explain: true"))
        let printed = NativeYAMLPrinter.render(loaded.configuration)
        #expect(printed.contains("explain: true"), "\(printed)")
        #expect(try ConfigTest.load(printed).configuration.dns.embedded?.explain == true)
        var off = loaded.configuration
        off.dns.embedded?.explain = false
        #expect(StartOnlySettings.changed(from: loaded.configuration, to: off) == ["dns.embedded.explain"])
    }
}
