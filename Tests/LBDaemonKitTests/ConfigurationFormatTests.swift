import Foundation
import Testing

@testable import LBDaemonKit

/// Which parser reads a file: its name and first meaningful line, or `--format`.
@Suite struct ConfigurationFormatTests {
    static let lines =
        "parameters a.example.org = best_hosts#1 metric#minimum\nclusters a.example.org = n1.example.org\n"
    static let native = "aliases:\n  a.example.org: [n1.example.org]\n"
    static let golbdYAML =
        "clusters: {a.example.org: [n1.example.org]}\nparameters: {a.example.org: {best_hosts: 1, metric: minimum}}\n"

    @Test(arguments: [
        ("lb.conf", lines, ConfigurationFormat.golbdLines),
        ("load-balancing", lines, .golbdLines),
        ("lb.conf", "# comment\n\n   \nmaster = m.example.org\n" + lines, .golbdLines),
        (
            "lb.conf", "clusters a.example.org = n1.example.org\nparameters a.example.org = best_hosts#1\n",
            .golbdLines
        ),
        ("lb.conf", native, .native),
        ("lb.conf", golbdYAML, .golbdYAML),
        ("lbd.yaml", native, .native),
        ("lbd.yml", native, .native),
        ("LBD.YAML", native, .native),
        ("golbd.yaml", golbdYAML, .golbdYAML),
        ("golbd.yml", golbdYAML, .golbdYAML),
    ])
    func theFormatIsGuessedFromTheNameAndTheContent(file: String, text: String, expected: ConfigurationFormat)
        throws
    {
        let loaded = try ConfigTest.load(text, file: file)
        #expect(loaded.format == expected)
        #expect(loaded.configuration.aliases.map(\.name) == ["a.example.org"])
        #expect(loaded.configuration.aliases.first?.members == ["n1.example.org"])
    }

    @Test func aYAMLNameIsReadAsYAMLWhateverItHolds() {
        // golbd too chose YAML by the suffix; a line-format file named .yaml is not valid YAML for lbd.
        let failure = ConfigTest.failure(Self.lines, file: "lb.yaml")
        #expect(!failure.errors.isEmpty)
        #expect(!failure.errors.contains { $0.message.contains("unknown setting") })
    }

    @Test func forcedFormatsOverrideTheGuess() throws {
        #expect(try ConfigTest.load(Self.lines, file: "lb.yaml", format: .golbdLines).format == .golbdLines)
        #expect(try ConfigTest.load(Self.golbdYAML, file: "lb.conf", format: .golbdYAML).format == .golbdYAML)
        #expect(try ConfigTest.load(Self.native, file: "lb.conf", format: .native).format == .native)
        let sample = try ConfigTest.load(
            try ConfigFixture.text("golbd-sample.conf"), file: "whatever.yml", format: .golbdLines)
        #expect(sample.configuration == ConfigFixture.golbdSample)
    }

    @Test func aForcedFormatThatDoesNotFitIsAnError() {
        let asNative = ConfigTest.errors(Self.golbdYAML, file: "lb.yaml", format: .native)
        ConfigTest.expectError(
            asNative, containing: "unknown key 'clusters' (a golbd key", line: 1, column: 1)
        let asGolbd = ConfigTest.errors(Self.native, file: "lb.yaml", format: .golbdYAML)
        ConfigTest.expectError(asGolbd, containing: "unknown key 'aliases'", line: 1, column: 1)
        let asLines = ConfigTest.errors(Self.native, file: "lb.conf", format: .golbdLines)
        ConfigTest.expectError(
            asLines, containing: "unknown line starting with 'aliases:'", line: 1, column: 1)
    }

    @Test func theFormatNamesAreThoseOfTheCommandLine() {
        #expect(ConfigurationFormat(rawValue: "native") == .native)
        #expect(ConfigurationFormat(rawValue: "golbd") == .golbdLines)
        #expect(ConfigurationFormat(rawValue: "golbd-yaml") == .golbdYAML)
        #expect(ConfigurationFormat.allCases.count == 3)
        #expect(ConfigurationFormat.golbdLines.description == "golbd line format")
    }

    @Test func loadGuessesFromThePathOfARealFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "lbd-format-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let cases: [(String, String, ConfigurationFormat)] = [
            ("load-balancing.conf", Self.lines, .golbdLines),
            ("lbd.yaml", Self.native, .native),
            ("golbd.yaml", Self.golbdYAML, .golbdYAML),
        ]
        for (name, text, format) in cases {
            let path = directory.appendingPathComponent(name).path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            let loaded = try ConfigurationLoader.load(path: path)
            #expect(loaded.format == format)
            #expect(
                try ConfigurationLoader.load(path: path, format: format).configuration == loaded.configuration
            )
        }
    }

    @Test func aFileWithOnlyCommentsIsNotTakenForTheLineFormat() throws {
        let loaded = try ConfigTest.load("# nothing yet\n", file: "lb.conf")
        #expect(loaded.format == .native)
        #expect(loaded.configuration.aliases.isEmpty)
    }
}
