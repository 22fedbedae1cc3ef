import Foundation
import LBCore
import LBTestSupport
import Testing

@testable import LBDaemonKit

/// The selection options beyond golbd's (`stickiness`, `rise`, `fall`, `min_usable`,
/// `below_min_usable`, `max_changes`): read in `defaults` and per alias, refused with their
/// position and an actionable message, printed back only when set, never set by a golbd file.
@Suite struct ConfigurationSelectionOptionsTests {
    private static let allOptions = """
        stickiness: 10%
            rise: 2
            fall: 3
            min_usable: 50%
            below_min_usable: keep
            max_changes: 1
        """

    private static let expected = AliasParameters(
        bestHosts: .count(1), whenNoneUsable: .keep, stickiness: 10, rise: 2, fall: 3,
        minUsable: .percent(50),
        belowMinimum: .keep, maxChanges: 1)

    @Test func everyOptionIsReadPerAlias() throws {
        let text = """
            aliases:
              www.example.org:
                members: [n1, n2]
                \(Self.allOptions)
              api.example.org: [n1, n2]
            """
        let configuration = try ConfigTest.load(text).configuration
        let www = try #require(configuration.aliases.first { $0.name == "www.example.org" })
        #expect(www.parameters == Self.expected)
        #expect(!www.parameters.isGolbdCompatible)
        let api = try #require(configuration.aliases.first { $0.name == "api.example.org" })
        #expect(api.parameters == AliasParameters())
        #expect(api.parameters.isGolbdCompatible)
    }

    @Test func everyOptionIsReadInDefaultsAndAnAliasOverridesIt() throws {
        let text = """
            defaults:
              \(Self.allOptions.replacingOccurrences(of: "\n    ", with: "\n  "))
            aliases:
              www.example.org: [n1, n2]
              api.example.org:
                members: [n1, n2]
                stickiness: 0%
                min_usable: 2
                below_min_usable: fail_open
                max_changes: 3
                rise: 1
            """
        let configuration = try ConfigTest.load(text).configuration
        let www = try #require(configuration.aliases.first { $0.name == "www.example.org" })
        #expect(www.parameters == Self.expected)
        let api = try #require(configuration.aliases.first { $0.name == "api.example.org" })
        #expect(api.parameters.stickiness == 0)
        #expect(api.parameters.rise == 1)
        #expect(api.parameters.fall == 3)
        #expect(api.parameters.minUsable == .count(2))
        #expect(api.parameters.belowMinimum == .failOpen)
        #expect(api.parameters.maxChanges == 3)
    }

    @Test(arguments: ["10%", "10", "'10 %'", "\"10%\""])
    func stickinessIsAPercentageWithOrWithoutTheSign(value: String) throws {
        let text = "aliases:\n  www.example.org:\n    members: [n1]\n    stickiness: \(value)\n"
        #expect(try ConfigTest.load(text).configuration.aliases[0].parameters.stickiness == 10)
    }

    @Test func leftOutTheOptionsKeepGolbdsBehaviour() throws {
        let parameters = try ConfigTest.load("aliases:\n  www.example.org: [n1]\n").configuration.aliases[0]
            .parameters
        #expect(parameters.stickiness == nil)
        #expect(parameters.rise == 1)
        #expect(parameters.fall == 1)
        #expect(parameters.minUsable == nil)
        #expect(parameters.belowMinimum == .failOpen)
        #expect(parameters.maxChanges == nil)
        #expect(parameters.isGolbdCompatible)
    }

    struct BadValue: Sendable, CustomTestStringConvertible {
        var key: String
        var value: String
        var message: String
        var testDescription: String { "\(key): \(value)" }
    }

    static let badValues = [
        BadValue(
            key: "stickiness", value: "150%",
            message: "stickiness must be a whole percentage from 0% to 99%, such as 10%, not '150%'"),
        BadValue(
            key: "stickiness", value: "-5%", message: "stickiness must be a whole percentage from 0% to 99%"),
        BadValue(
            key: "stickiness", value: "lots", message: "stickiness must be a whole percentage from 0% to 99%"),
        BadValue(key: "rise", value: "0", message: "rise must be from 1 to 100, not 0"),
        BadValue(key: "fall", value: "0", message: "fall must be from 1 to 100, not 0"),
        BadValue(key: "fall", value: "two", message: "fall must be an integer, not 'two'"),
        BadValue(
            key: "min_usable", value: "0",
            message:
                "min_usable must be a count of members such as 2, or a whole percentage from 1% to 100% such as 50%, not '0'"
        ),
        BadValue(
            key: "min_usable", value: "120%",
            message:
                "min_usable must be a count of members such as 2, or a whole percentage from 1% to 100% such as 50%, not '120%'"
        ),
        BadValue(key: "min_usable", value: "0%", message: "min_usable must be a count of members"),
        BadValue(
            key: "below_min_usable", value: "open",
            message: "below_min_usable must be fail_open or keep, not 'open'"),
        BadValue(key: "max_changes", value: "-1", message: "max_changes must be from 1 to 10000, not -1"),
        BadValue(key: "max_changes", value: "0", message: "max_changes must be from 1 to 10000, not 0"),
    ]

    @Test(arguments: badValues)
    func aBadValueIsAnErrorNamingFileLineAndColumn(bad: BadValue) throws {
        let line = "    \(bad.key): \(bad.value)"
        let text = "aliases:\n  www.example.org:\n    members: [n1, n2]\n\(line)\n"
        let errors = ConfigTest.errors(text, file: "lbd.yaml")
        let column = line.count - bad.value.count + 1
        let issue = ConfigTest.expectError(errors, containing: bad.message, line: 4, column: column)
        #expect(
            issue?.description.hasPrefix("lbd.yaml:4:\(column): error: \(bad.key) must") == true, "\(errors)")
        // The same in `defaults`.
        let inDefaults = "defaults:\n  \(bad.key): \(bad.value)\naliases:\n  www.example.org: [n1]\n"
        ConfigTest.expectError(
            ConfigTest.errors(inDefaults, file: "lbd.yaml"), containing: bad.message, line: 2,
            column: 5 + bad.key.count)
    }

    @Test func aMinimumAboveTheMemberCountIsAWarning() throws {
        let loaded = try ConfigTest.load(
            "aliases:\n  www.example.org:\n    members: [n1, n2]\n    min_usable: 3\n    below_min_usable: keep\n"
        )
        let warnings = ConfigTest.warnings(loaded, containing: "min_usable is 3 but it has 2 member(s)")
        #expect(warnings.count == 1)
        #expect(warnings.first?.message.contains("below_min_usable keep applies") == true)
    }

    @Test func printingWritesTheOptionsOnlyWhenSetAndReadsThemBack() throws {
        let text = """
            aliases:
              www.example.org:
                members: [n1, n2]
                \(Self.allOptions)
              api.example.org:
                members: [n1, n2]
                min_usable: 2
              plain.example.org: [n1]
            """
        let configuration = try ConfigTest.load(text).configuration
        ConfigTest.expectRoundTrip(configuration, origin: text)
        let printed = NativeYAMLPrinter.render(configuration)
        for line in [
            "stickiness: 10%", "rise: 2", "fall: 3", "min_usable: 50%", "below_min_usable: keep",
            "max_changes: 1",
            "min_usable: 2", "below_min_usable: fail_open",
        ] {
            #expect(printed.contains(line), "missing '\(line)' in:\n\(printed)")
        }
        let plain = NativeYAMLPrinter.render(
            try ConfigTest.load("aliases:\n  plain.example.org: [n1]\n").configuration)
        for key in ["stickiness", "rise", "fall", "min_usable", "max_changes"] {
            #expect(!plain.contains(key), "\(key) printed for an alias that does not set it:\n\(plain)")
        }
    }

    @Test func checkConfigPrintRoundTripsTheOptions() throws {
        let directory = try Peers.temporaryDirectory("lbd-selection-options")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("lbd.yaml")
        try """
        aliases:
          www.example.org:
            members: [n1, n2]
            \(Self.allOptions)
        """.write(to: file, atomically: true, encoding: .utf8)
        let cli = LBDCommandLineTests()
        let printed = try cli.lbd("check-config", "--print", file.path)
        #expect(printed.status == 0, "\(printed.stderr)")
        for line in [
            "    stickiness: 10%\n", "    rise: 2\n", "    fall: 3\n", "    min_usable: 50%\n",
            "    below_min_usable: keep\n", "    max_changes: 1\n",
        ] {
            #expect(printed.stdout.contains(line), "missing '\(line)' in:\n\(printed.stdout)")
        }
        let again = directory.appendingPathComponent("printed.yaml")
        try printed.stdout.write(to: again, atomically: true, encoding: .utf8)
        let reprinted = try cli.lbd("check-config", "--print", again.path)
        #expect(reprinted.status == 0)
        #expect(reprinted.stdout == printed.stdout)
        let original = try ConfigurationLoader.load(path: file.path).configuration
        #expect(try ConfigurationLoader.load(path: again.path).configuration == original)
    }

    @Test(arguments: ["golbd-sample.conf", "golbd-sample.yaml", "golbd-values.conf", "golbd-no-leak.conf"])
    func aGolbdFileGetsGolbdsBehaviour(fixture: String) throws {
        let configuration = try ConfigTest.loadFixture(fixture).configuration
        #expect(!configuration.aliases.isEmpty)
        for alias in configuration.aliases {
            #expect(alias.parameters.isGolbdCompatible, "\(alias.name)")
            #expect(alias.parameters.stickiness == nil && alias.parameters.maxChanges == nil)
            #expect(alias.parameters.rise == 1 && alias.parameters.fall == 1)
            #expect(alias.parameters.minUsable == nil)
        }
        // Printed, it stays golbd's: no option beyond golbd's is written.
        let printed = NativeYAMLPrinter.render(configuration)
        for key in ["stickiness:", "rise:", "fall:", "min_usable:", "max_changes:"] {
            #expect(!printed.contains(key), "\(key) in:\n\(printed)")
        }
    }

    @Test func golbdsLineFormatHasNoSuchKeys() {
        let text = """
            dns_manager = 192.0.2.53
            parameters www.example.org = best_hosts#1 metric#cmsfrontier polling_interval#300 ttl#60 stickiness#10
            clusters www.example.org = n1 n2
            """
        let errors = ConfigTest.errors(text, file: "load-balancing.conf")
        #expect(errors.contains { $0.line == 2 && $0.message.contains("stickiness") }, "\(errors)")
    }
}
