import DNS
import Foundation
import LBCore
import SNMP
import Testing

@testable import LBDaemonKit

/// The configuration fixtures (Tests/LBDaemonKitTests/Fixtures/config) and the repository files
/// the configuration tests read (docs, examples).
enum ConfigFixture {
    /// Every fixture that must load, in any format.
    static let valid = [
        "golbd-sample.conf", "golbd-sample.yaml", "golbd-blanks.conf", "golbd-no-leak.conf",
        "golbd-values.conf", "native-features.yaml",
    ]

    static func path(_ name: String) -> String {
        guard let resources = Bundle.module.resourceURL else {
            fatalError("the test bundle has no resources")
        }
        return resources.appendingPathComponent("Fixtures/config/\(name)").path
    }

    static func text(_ name: String) throws -> String {
        try String(contentsOfFile: path(name), encoding: .utf8)
    }

    /// The package root, found from this source file, so that the tests read the docs and
    /// examples as they are in the repository.
    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    static func repositoryText(_ relative: String) throws -> String {
        try String(contentsOf: packageRoot.appendingPathComponent(relative), encoding: .utf8)
    }

    /// The first ```yaml block of docs/configuration.md: the documented complete example.
    static func documentedExample() throws -> String {
        let lines = try repositoryText("docs/configuration.md").components(separatedBy: "\n")
        let start = try #require(lines.firstIndex { $0.hasPrefix("```yaml") })
        let end = try #require(lines[(start + 1)...].firstIndex { $0.hasPrefix("```") })
        return lines[(start + 1)..<end].joined(separator: "\n") + "\n"
    }

    /// The valid texts to round-trip and mutate: the fixtures, the documented example and the
    /// repository's examples, with the file name they are parsed under.
    static func validTexts() throws -> [(file: String, text: String)] {
        var texts = try valid.map { (file: $0, text: try text($0)) }
        texts.append((file: "configuration.md.yaml", text: try documentedExample()))
        texts.append((file: "lbd.yaml", text: try repositoryText("examples/lbd.yaml")))
        texts.append((file: "load-balancing.conf", text: try repositoryText("examples/load-balancing.conf")))
        return texts
    }

    /// What golbd's sample (golbd-sample.conf, golbd-sample.yaml) means.
    static let golbdSample = Configuration(
        aliases: [
            AliasConfiguration(
                name: "aiermis.cern.ch", members: ["ermis19.cern.ch", "ermis20.cern.ch"],
                parameters: AliasParameters(
                    bestHosts: .count(1), whenNoneUsable: .keep, pollingInterval: 300, ttl: 60,
                    external: false))
        ],
        dns: DNSSettings(
            server: ServerAddress(host: "137.138.28.176", port: 53),
            internalView: try! DNSView(
                keyName: "abcd-internal.", algorithm: .hmacMD5, base64Secret: "xxx123=="),
            externalView: try! DNSView(
                keyName: "abcd-external.", algorithm: .hmacMD5, base64Secret: "yyy123==")),
        snmp: SNMPSettings(version: .v3, user: "loadbalancing", authProtocol: .md5, authPassword: "zzz123"),
        ha: HASettings(
            mode: .heartbeat, master: "lbdxyz.cern.ch", heartbeatDirectory: "/var/www/html/load-balancing",
            heartbeatFile: "heartbeat"))
}

/// Loading helpers that report what went wrong at the caller's line.
enum ConfigTest {
    /// Parses `text`; a failure is recorded with every issue, then rethrown.
    static func load(
        _ text: String, file: String = "test.yaml", format: ConfigurationFormat? = nil,
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) throws -> LoadedConfiguration {
        do {
            return try ConfigurationLoader.parse(text, file: file, format: format)
        } catch {
            Issue.record("\(file) did not load:\n\(error)", sourceLocation: sourceLocation)
            throw error
        }
    }

    /// Loads a fixture through `ConfigurationLoader.load(path:)`.
    static func loadFixture(
        _ name: String, format: ConfigurationFormat? = nil,
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) throws -> LoadedConfiguration {
        do {
            return try ConfigurationLoader.load(path: ConfigFixture.path(name), format: format)
        } catch {
            Issue.record("\(name) did not load:\n\(error)", sourceLocation: sourceLocation)
            throw error
        }
    }

    /// The issues of a text that must be refused; records an issue when it loads.
    static func failure(
        _ text: String, file: String = "test.yaml", format: ConfigurationFormat? = nil,
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) -> ConfigurationError {
        do {
            let loaded = try ConfigurationLoader.parse(text, file: file, format: format)
            Issue.record(
                "\(file) loaded (\(loaded.format)) but must be refused; warnings: \(loaded.warnings)",
                sourceLocation: sourceLocation)
            return ConfigurationError(issues: [])
        } catch {
            #expect(
                !error.errors.isEmpty, "a ConfigurationError without errors", sourceLocation: sourceLocation)
            return error
        }
    }

    /// The errors of a text that must be refused.
    static func errors(
        _ text: String, file: String = "test.yaml", format: ConfigurationFormat? = nil,
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) -> [ConfigurationIssue] {
        failure(text, file: file, format: format, sourceLocation: sourceLocation).errors
    }

    /// The one error whose message contains `fragment`; records an issue when there is none.
    @discardableResult
    static func expectError(
        _ issues: [ConfigurationIssue], containing fragment: String, line: Int?, column: Int? = nil,
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) -> ConfigurationIssue? {
        let matching = issues.filter { $0.severity == .error && $0.message.contains(fragment) }
        guard let issue = matching.first else {
            Issue.record(
                "no error containing '\(fragment)' among:\n\(issues.map(\.description).joined(separator: "\n"))",
                sourceLocation: sourceLocation)
            return nil
        }
        #expect(issue.line == line, "\(issue)", sourceLocation: sourceLocation)
        if let column {
            #expect(issue.column == column, "\(issue)", sourceLocation: sourceLocation)
        }
        if let line {
            let prefix = "\(issue.file):\(line)" + (column.map { ":\($0)" } ?? "")
            #expect(issue.description.hasPrefix(prefix), "\(issue)", sourceLocation: sourceLocation)
        }
        return issue
    }

    /// The warnings whose message contains `fragment`.
    static func warnings(_ loaded: LoadedConfiguration, containing fragment: String) -> [ConfigurationIssue] {
        loaded.warnings.filter { $0.severity == .warning && $0.message.contains(fragment) }
    }

    /// The invariant every input must keep: it loads (and then its printed form loads back to
    /// the same configuration) or it is refused with at least one error, every issue naming
    /// `file`. Returns whether it loaded.
    @discardableResult
    static func expectLoadsOrFails(
        _ text: String, file: String, format: ConfigurationFormat? = nil, checkRoundTrip: Bool = true,
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) -> Bool {
        do {
            let loaded = try ConfigurationLoader.parse(text, file: file, format: format)
            #expect(
                loaded.warnings.allSatisfy { $0.severity == .warning && $0.file == file },
                sourceLocation: sourceLocation)
            if checkRoundTrip {
                expectRoundTrip(loaded.configuration, origin: text, sourceLocation: sourceLocation)
            }
            return true
        } catch {
            #expect(
                !error.errors.isEmpty, "refused without an error:\n\(error)", sourceLocation: sourceLocation)
            #expect(error.issues.allSatisfy { $0.file == file }, sourceLocation: sourceLocation)
            return false
        }
    }

    /// The printed form of `configuration` loads, as the native format, to the same configuration.
    static func expectRoundTrip(
        _ configuration: Configuration, origin: String = "",
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) {
        let printed = NativeYAMLPrinter.render(configuration)
        do {
            let reloaded = try ConfigurationLoader.parse(printed, file: "printed.yaml")
            #expect(reloaded.format == .native, sourceLocation: sourceLocation)
            #expect(
                reloaded.configuration == configuration,
                "printed:\n\(printed)\nfrom:\n\(origin.prefix(2000))", sourceLocation: sourceLocation)
        } catch {
            Issue.record(
                "the printed configuration does not load:\n\(error)\nprinted:\n\(printed)\nfrom:\n\(origin.prefix(2000))",
                sourceLocation: sourceLocation)
        }
    }
}

/// The fuzz tests' generator: LBCore's seeded SplitMix64.
typealias ConfigFuzzRandom = SeededRandomNumberGenerator

extension SeededRandomNumberGenerator {
    mutating func below(_ bound: Int) -> Int {
        Int(next() % UInt64(bound))
    }
}
