import Foundation
import Testing

@testable import LBDaemonKit

/// No input crashes or hangs the loader: it loads, or it throws a `ConfigurationError` with at
/// least one error. Every loop is bounded and every generator seeded.
@Suite struct ConfigurationRobustnessTests {
    static let files: [(name: String, format: ConfigurationFormat?)] = [
        ("fuzz.conf", nil), ("fuzz.yaml", nil), ("fuzz", .golbdLines), ("fuzz", .golbdYAML),
        ("fuzz", .native),
    ]

    // MARK: - Random input

    @Test func randomBytesLoadOrFail() {
        var random = ConfigFuzzRandom(seed: 0x5EED_0001)
        for round in 0..<300 {
            let count = random.below(600)
            let bytes = (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            let text = String(decoding: bytes, as: UTF8.self)
            let (file, format) = Self.files[round % Self.files.count]
            ConfigTest.expectLoadsOrFails(text, file: file, format: format)
        }
    }

    @Test func randomBytesThroughAFileLoadOrFail() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var random = ConfigFuzzRandom(seed: 0x5EED_0002)
        for round in 0..<60 {
            let bytes = (0..<random.below(400)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            let path = directory.appendingPathComponent(
                round.isMultiple(of: 2) ? "f\(round).yaml" : "f\(round).conf"
            ).path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            Self.expectLoadOrFail(path: path)
        }
    }

    /// Text made of the characters both formats give meaning to.
    @Test func randomPrintableTextLoadsOrFails() {
        let pieces = [
            " ", "  ", "\t", "\n", "\r\n", "#", "=", " = ", ":", ": ", "- ", "-", "[", "]", "{", "}", ",",
            "&a", "*a",
            "<<", "!", "|", ">", "'", "\"", "%", "@", "?", "~", "null", "1", "-1", "0", "300", "5m", "yes",
            "parameters", "clusters", "master", "dns_manager", "best_hosts#", "metric#minimum", "aliases",
            "members",
            "defaults", "dns", "snmp", "ha", "http", "version", "a.example.org", "n1.example.org",
            "192.0.2.1",
            "2001:db8::1", "\\", "é", "\u{0}",
        ]
        var random = ConfigFuzzRandom(seed: 0x5EED_0003)
        for round in 0..<400 {
            var text = ""
            for _ in 0..<random.below(80) { text += pieces[random.below(pieces.count)] }
            let (file, format) = Self.files[round % Self.files.count]
            ConfigTest.expectLoadsOrFails(text, file: file, format: format)
        }
    }

    /// Lines shaped like real configuration lines, with random values: many of these load, so
    /// the printer is exercised on unusual but valid configurations.
    @Test func randomlyAssembledLinesLoadOrFailAndRoundTrip() {
        let words = [
            "a.example.org", "B.example.org.", "n1", "n2.example.org", "192.0.2.7", "2001:db8::7", "x..y",
            "-1", "0",
            "1", "2", "all", "yes", "no", "true", "minimum", "minino", "cmsfrontier", "keep", "random",
            "empty", "30s",
            "500ms", "5m", "'null'", "~", "\"~\"", "'yes'", "web", "v2c", "v3", "md5", "sha256", "aes",
            "c2VjcmV0",
            "x#y", "[a]", "{}", "heartbeat", "standalone", "off",
        ]
        let keys = [
            "best_hosts", "metric", "when_none_usable", "polling_interval", "ttl", "external", "partition",
            "members",
        ]
        var random = ConfigFuzzRandom(seed: 0x5EED_0004)
        var loadedCount = 0
        for round in 0..<300 {
            var text = ""
            if round.isMultiple(of: 2) {
                for _ in 0..<random.below(6) {
                    let alias = words[random.below(3)]
                    text += "parameters \(alias) = "
                    for _ in 0..<random.below(5) {
                        text +=
                            "\(["best_hosts", "metric", "ttl", "external", "polling_interval"][random.below(5)])#"
                            + "\(words[random.below(words.count)]) "
                    }
                    text += "\nclusters \(alias) = \(words[random.below(8)]) \(words[random.below(8)])\n"
                }
                if ConfigTest.expectLoadsOrFails(text, file: "r.conf", format: .golbdLines) {
                    loadedCount += 1
                }
            } else {
                text += "aliases:\n"
                for index in 0..<random.below(4) {
                    text += "  a\(index).example.org:\n"
                    for _ in 0..<random.below(5) {
                        text += "    \(keys[random.below(keys.count)]): \(words[random.below(words.count)])\n"
                    }
                }
                if ConfigTest.expectLoadsOrFails(text, file: "r.yaml") { loadedCount += 1 }
            }
        }
        #expect(loadedCount > 10, "too few random configurations loaded to exercise the printer")
    }

    // MARK: - Mutations of the valid files

    @Test func mutatedCopiesOfEveryValidFileLoadOrFail() throws {
        let alphabet = Array(" \t\n\r#=:-[]{},&*!|>'\"<~0123456789abcdefxyz.@%\\é\u{0}")
        var random = ConfigFuzzRandom(seed: 0x5EED_0005)
        for (file, text) in try ConfigFixture.validTexts() {
            let original = Array(text)
            for round in 0..<120 {
                var characters = original
                for _ in 0..<(1 + random.below(4)) {
                    let index = characters.isEmpty ? 0 : random.below(characters.count)
                    switch characters.isEmpty ? 1 : random.below(3) {
                    case 0: characters.remove(at: index)
                    case 1: characters.insert(alphabet[random.below(alphabet.count)], at: index)
                    default: characters[index] = alphabet[random.below(alphabet.count)]
                    }
                }
                var mutated = String(characters)
                if round.isMultiple(of: 5) {
                    var lines = mutated.components(separatedBy: "\n")
                    let line = random.below(lines.count)
                    lines.insert(lines[line], at: line)
                    if round.isMultiple(of: 10), lines.count > 2 {
                        lines.swapAt(line, random.below(lines.count))
                    }
                    mutated = lines.joined(separator: "\n")
                }
                let format: ConfigurationFormat? = round.isMultiple(of: 7) ? .native : nil
                ConfigTest.expectLoadsOrFails(mutated, file: file, format: format)
            }
        }
    }

    @Test func everyPrefixOfTheValidFilesLoadsOrFails() throws {
        for (file, text) in try ConfigFixture.validTexts() {
            let characters = Array(text)
            var end = 0
            while end < characters.count {
                ConfigTest.expectLoadsOrFails(String(characters[..<end]), file: file)
                end += max(1, characters.count / 60)
            }
        }
    }

    // MARK: - Hostile YAML

    static let hostileYAML: [(name: String, text: String)] = [
        ("100000 [", String(repeating: "[", count: 100_000)),
        ("100000 {", String(repeating: "{", count: 100_000)),
        ("100000 [ in a key", "aliases: " + String(repeating: "[", count: 100_000)),
        (
            "balanced 100000 [",
            String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        ),
        (
            "balanced 100000 {a:",
            String(repeating: "{a: ", count: 100_000) + String(repeating: "}", count: 100_000)
        ),
        (
            "flow nesting after a quote",
            "x: [a'b, " + String(repeating: "[", count: 900) + String(repeating: "]", count: 901)
        ),
        (
            "flow nesting after quoted brackets",
            "x: [" + String(repeating: "\"]]\", [", count: 900) + String(repeating: "]", count: 901)
        ),
        (
            "nesting after a comment",
            "# ]]]]]]]]]]\nx: " + String(repeating: "[", count: 900) + String(repeating: "]", count: 900)
        ),
        ("100000 block sequences on a line", String(repeating: "- ", count: 100_000) + "x\n"),
        (
            "deeply indented mappings",
            (0..<2000).map { String(repeating: " ", count: $0) + "k\($0):" }.joined(separator: "\n")
        ),
        (
            "deeply indented, CR line ends",
            (0..<2000).map { String(repeating: " ", count: $0) + "k:" }.joined(separator: "\r")
        ),
        (
            "deeply indented sequences",
            (0..<2000).map { String(repeating: " ", count: $0) + "-" }.joined(separator: "\n")
        ),
        ("complex keys", String(repeating: "? ", count: 50_000) + "x\n"),
        ("anchors on every level", (0..<900).map { "- &a\($0)" }.joined(separator: " ") + " x\n"),
        ("long line", "aliases:\n  a.example.org: [" + String(repeating: "n1, ", count: 200_000) + "n1]\n"),
        ("long key", String(repeating: "k", count: 1_000_000) + ": v\n"),
        ("many keys", (0..<20_000).map { "k\($0): v" }.joined(separator: "\n")),
        (
            "many aliases",
            "aliases:\n" + (0..<5_000).map { "  a\($0).example.org: [n\($0 % 7)]" }.joined(separator: "\n")
        ),
        ("NUL in YAML", "aliases:\n  a.example.org: [n1]\nha:\n  master: a\u{0}b\n"),
        ("NUL in an escape", "aliases:\n  a.example.org: [n1]\nha:\n  master: \"a\\0b\"\n"),
        ("tags", "aliases: !!map\n  a.example.org: !!seq [!!str n1, !!binary aGVsbG8=]\nversion: !!int 1\n"),
        ("custom tag", "aliases: !custom {a.example.org: [n1]}\n"),
        ("directive", "%YAML 1.1\n%TAG ! tag:example.org,2000:\n---\naliases: {a.example.org: [n1]}\n"),
        ("BOM in the middle", "aliases:\n  a.example.org: [n1]\n\u{FEFF}version: 1\n"),
    ]

    @Test(arguments: 0..<hostileYAML.count)
    func hostileYAMLLoadsOrFails(index: Int) {
        let (name, text) = Self.hostileYAML[index]
        let start = ContinuousClock.now
        for format in [nil, ConfigurationFormat.native, .golbdYAML] {
            ConfigTest.expectLoadsOrFails(text, file: "hostile.yaml", format: format)
        }
        ConfigTest.expectLoadsOrFails(text, file: "hostile.conf", format: .golbdLines)
        #expect(ContinuousClock.now - start < .seconds(60), "\(name) took \(ContinuousClock.now - start)")
    }

    @Test func nestingDeeperThan64LevelsIsAnErrorWithItsLine() {
        let flow = ConfigTest.errors(
            "version: 1\nx: " + String(repeating: "[", count: 100_000), file: "deep.yaml")
        ConfigTest.expectError(flow, containing: "nested more than 64 levels", line: 2)
        let quoted = ConfigTest.errors(
            "version: 1\nx: [a'b, " + String(repeating: "[", count: 100) + String(repeating: "]", count: 101),
            file: "deep.yaml")
        ConfigTest.expectError(quoted, containing: "nested more than 64 levels", line: 2)
        let indented = ConfigTest.errors(
            (0..<100).map { String(repeating: " ", count: $0) + "k\($0):" }.joined(separator: "\n"),
            file: "deep.yaml")
        ConfigTest.expectError(indented, containing: "nested more than 64 levels", line: 65)
    }

    @Test func nestingOf64LevelsAndBracketsInQuotesOrCommentsAreFine() {
        // Within the limit: refused for its content (unknown key), not for its depth.
        let text =
            "x: " + String(repeating: "[", count: 60) + String(repeating: "]", count: 60) + "\n"
            + "y: \"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"\n"
            + "z: '{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{'\n"
            + "# [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n"
        let errors = ConfigTest.errors(text, file: "ok.yaml")
        #expect(!errors.contains { $0.message.contains("nested") }, "\(errors)")
        ConfigTest.expectError(errors, containing: "unknown key 'x'", line: 1, column: 1)
    }

    @Test func bracketsInABlockScalarAreNotNesting() throws {
        let text =
            "master: >-\n  " + String(repeating: "[", count: 100) + "\n"
            + "clusters: {a.example.org: [n1]}\nparameters: {a.example.org: {best_hosts: 1, metric: minino}}\n"
        let loaded = try ConfigTest.load(text, file: "block.yaml")
        #expect(loaded.configuration.ha.master == String(repeating: "[", count: 100))
    }

    @Test func exactly64LevelsAreAcceptedAnd65Refused() {
        func nested(_ levels: Int) -> String {
            // The root mapping is the first level.
            "x: " + String(repeating: "[", count: levels - 1) + String(repeating: "]", count: levels - 1)
                + "\n"
        }
        let accepted = ConfigTest.errors(nested(64), file: "deep.yaml")
        #expect(!accepted.contains { $0.message.contains("nested") }, "\(accepted)")
        ConfigTest.expectError(accepted, containing: "unknown key 'x'", line: 1, column: 1)
        let refused = ConfigTest.errors(nested(65), file: "deep.yaml")
        ConfigTest.expectError(refused, containing: "nested more than 64 levels", line: 1, column: 67)
    }

    @Test func billionLaughsWithListsStaysSmall() {
        var text = "l0: &l0 [n1, n1, n1, n1, n1, n1, n1, n1, n1, n1]\n"
        for level in 1...9 {
            text +=
                "l\(level): &l\(level) ["
                + Array(repeating: "*l\(level - 1)", count: 10).joined(separator: ", ") + "]\n"
        }
        let asMembers =
            "version: 1\naliases:\n  a.example.org:\n    members: &l0 [n1, n1, n1, n1, n1, n1, n1, n1, n1, n1]\n"
            + (1...9).map { level in
                "  a\(level).example.org:\n    members: &l\(level) ["
                    + Array(repeating: "*l\(level - 1)", count: 10).joined(separator: ", ") + "]\n"
            }.joined()
        let start = ContinuousClock.now
        ConfigTest.expectLoadsOrFails(text, file: "laughs.yaml")
        ConfigTest.expectLoadsOrFails(asMembers, file: "laughs.yaml")
        ConfigTest.expectLoadsOrFails(text, file: "laughs.yaml", format: .golbdYAML)
        #expect(ContinuousClock.now - start < .seconds(20))
    }

    @Test func billionLaughsWithMergeKeysIsRefusedQuickly() {
        var text = "version: 1\naliases:\n  d0.example.org: &d0 {members: [n1], ttl: 61}\n"
        for level in 1...9 {
            text +=
                "  d\(level).example.org: &d\(level) {<<: ["
                + Array(repeating: "*d\(level - 1)", count: 9).joined(separator: ", ") + "]}\n"
        }
        let start = ContinuousClock.now
        let errors = ConfigTest.errors(text, file: "laughs.yaml")
        #expect(ContinuousClock.now - start < .seconds(20))
        #expect(errors.count == 1, "\(errors)")
        #expect(errors.first?.message.contains("repeat more values than the file holds") == true, "\(errors)")
        // The same at the top level, and in a golbd file.
        var top = "b0: &b0 {version: 1}\n"
        for level in 1...12 {
            top +=
                "b\(level): &b\(level) {<<: ["
                + Array(repeating: "*b\(level - 1)", count: 8).joined(separator: ", ")
                + "]}\n"
        }
        top += "<<: *b12\n"
        ConfigTest.expectLoadsOrFails(top, file: "laughs.yaml")
        ConfigTest.expectLoadsOrFails(top, file: "laughs.yaml", format: .golbdYAML)
        #expect(ContinuousClock.now - start < .seconds(30))
    }

    @Test func anAliasedListRepeatedManyTimesIsRefusedQuickly() {
        // 500 aliases sharing one 20000-member list: 10 million members from a 100 kB file.
        let members = (0..<20_000).map { "n\($0 % 50)" }.joined(separator: ", ")
        let text =
            "version: 1\naliases:\n  a.example.org: &l [\(members)]\n"
            + (0..<500).map { "  b\($0).example.org: *l\n" }.joined()
        let golbd =
            "clusters:\n  a.example.org: &l [\(members)]\n"
            + (0..<500).map { "  b\($0).example.org: *l\n" }.joined()
        let start = ContinuousClock.now
        let errors = ConfigTest.errors(text, file: "repeat.yaml")
        ConfigTest.expectError(errors, containing: "repeat more values than the file holds", line: 3)
        ConfigTest.expectLoadsOrFails(golbd, file: "repeat.yaml")
        #expect(ContinuousClock.now - start < .seconds(30))
    }

    @Test func nestingThatFoolsTheScanIsRefusedEvenOnASmallStack() {
        // Quoted scalars spanning lines hide the brackets from the scan; libyaml takes 990
        // levels, and the composer recurses once per level.
        let text =
            "x: [" + String(repeating: "\"q\n ]\", [", count: 990) + String(repeating: "]", count: 991) + "\n"
        final class Outcome: @unchecked Sendable {
            var errors: [ConfigurationIssue] = []
            var loaded = false
        }
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            do throws(ConfigurationError) {
                _ = try ConfigurationLoader.parse(text, file: "deep.yaml")
                outcome.loaded = true
            } catch {
                outcome.errors = error.errors
            }
            done.signal()
        }
        thread.stackSize = 256 << 10
        thread.start()
        done.wait()
        #expect(!outcome.loaded)
        ConfigTest.expectError(outcome.errors, containing: "nested more than 64 levels", line: 64, column: 6)
    }

    @Test func aFewMergesAreFine() throws {
        let loaded = try ConfigTest.load(
            """
            defaults: &base {ttl: 120}
            aliases:
              a.example.org: &a
                <<: *base
                members: [n1]
              b.example.org:
                <<: [*a, {external: yes}]
                best_hosts: 1
            """, file: "merge.yaml")
        #expect(loaded.configuration.alias(named: "b.example.org")?.parameters.ttl == 120)
        #expect(loaded.configuration.alias(named: "b.example.org")?.parameters.external == true)
        #expect(loaded.configuration.alias(named: "a.example.org")?.parameters.ttl == 120)
    }

    @Test func hugeNumbersAreErrorsNotTraps() throws {
        let huge = [
            "99999999999999999999999999", "-99999999999999999999999999", "9223372036854775807",
            "-9223372036854775808",
            "9223372036854775808", "1e400", "-1e400", "1e308", ".inf", "nan", "0x7fffffffffffffff", "1e9",
            "999999999.5",
            "4294967296",
        ]
        for value in huge {
            for key in ["best_hosts", "ttl", "polling_interval"] {
                ConfigTest.expectLoadsOrFails(
                    "aliases:\n  a.example.org:\n    members: [n1]\n    \(key): \(value)\n", file: "huge.yaml"
                )
                ConfigTest.expectLoadsOrFails(
                    "parameters a.example.org = metric#minimum \(key)#\(value)\nclusters a.example.org = n1\n",
                    file: "huge.conf")
            }
            for (section, key) in [
                ("dns", "timeout"), ("dns", "retries"), ("dns", "max_concurrent_updates"), ("snmp", "port"),
                ("snmp", "timeout"), ("snmp", "concurrency"), ("ha", "takeover_after"), ("http", "listen"),
            ] {
                ConfigTest.expectLoadsOrFails("\(section):\n  \(key): \(value)\n", file: "huge.yaml")
            }
            ConfigTest.expectLoadsOrFails("dns:\n  server: '192.0.2.1:\(value)'\n", file: "huge.yaml")
            ConfigTest.expectLoadsOrFails("dns_manager = 192.0.2.1:\(value)\n", file: "huge.conf")
        }
        let errors = ConfigTest.errors(
            "parameters a.example.org = metric#minimum best_hosts#99999999999999999999999999\nclusters a.example.org = n1\n",
            file: "huge.conf")
        ConfigTest.expectError(errors, containing: "best_hosts must be an integer", line: 1, column: 43)
        #expect(
            try ConfigTest.load(
                "aliases:\n  a.example.org:\n    members: [n1]\n    best_hosts: 9223372036854775807\n",
                file: "h.yaml"
            )
            .configuration.aliases.first?.parameters.bestHosts == .count(Int.max))
    }

    @Test func nulBytesAreRefusedWithTheirLine() {
        let lines = ConfigTest.errors(
            "dns_manager = 192.0.2.1\nmaster = lbd\u{0}1.example.org\n", file: "nul.conf", format: .golbdLines
        )
        ConfigTest.expectError(lines, containing: "control character", line: 2, column: 10)
        let yaml = ConfigTest.errors(
            "aliases:\n  a.example.org: [n1]\nha:\n  master: a\u{0}b\n", file: "nul.yaml")
        ConfigTest.expectError(yaml, containing: "control characters", line: 4, column: 12)
        let escaped = ConfigTest.errors(
            "aliases:\n  a.example.org: [n1]\nha:\n  master: \"a\\0b\"\n", file: "nul.yaml")
        ConfigTest.expectError(escaped, containing: "control character", line: 4, column: 11)
    }

    @Test func manyBadLinesGiveABoundedReport() {
        let text = String(repeating: "nonsense\n", count: 200_000)
        let start = ContinuousClock.now
        let failure = ConfigTest.failure(text, file: "junk.conf", format: .golbdLines)
        #expect(ContinuousClock.now - start < .seconds(60))
        #expect(failure.errors.count == Diagnostics.maximumErrors + 1)
        #expect(failure.issues.count <= 2 * (Diagnostics.maximumErrors + 1))
        #expect(failure.issues.contains { $0.message.contains("… and 199900 more errors (200000 in all)") })
        #expect(failure.issues.first?.line == 1)
        #expect(failure.issues.first?.message.contains("unknown line starting with 'nonsense'") == true)
    }

    // MARK: - Files

    @Test func invalidUTF8IsAClearError() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for (name, bytes) in [
            ("latin1.conf", Array("master = caf".utf8) + [0xE9, 0x0A]),
            ("truncated.yaml", Array("aliases:\n  a.example.org: [n1]\n".utf8) + [0xE2, 0x82]),
            ("overlong.yaml", [0xC0, 0xAF]),
            ("surrogate.conf", [0xED, 0xA0, 0x80]),
        ] {
            let path = directory.appendingPathComponent(name).path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let error = Self.loadError(path: path)
            #expect(error?.errors.first?.message == "is not UTF-8 text")
            #expect(error?.errors.first?.description.hasPrefix("\(path): error: ") == true)
        }
    }

    @Test func aMissingFileIsAClearError() {
        let path = "/nonexistent-\(UUID().uuidString)/lbd.yaml"
        let error = Self.loadError(path: path)
        #expect(error?.errors.count == 1)
        #expect(error?.description == "\(path): error: no such file")
    }

    @Test func aDirectoryIsAClearError() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let error = Self.loadError(path: directory.path)
        #expect(error?.errors.first?.message.contains("is a directory") == true)
    }

    @Test func aFileOver16MiBIsRefusedBeforeItIsParsed() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("huge.yaml").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data("version: 1\n".utf8)))
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.truncate(atOffset: UInt64(ConfigurationLoader.maximumFileSize) + 1)
        try handle.close()
        let start = ContinuousClock.now
        let error = Self.loadError(path: path)
        #expect(ContinuousClock.now - start < .seconds(30))
        #expect(error?.errors.first?.message.contains("larger than 16 MiB") == true)
        // Exactly 16 MiB is read (and refused for its NUL bytes, not its size).
        let exact = directory.appendingPathComponent("exact.conf").path
        #expect(FileManager.default.createFile(atPath: exact, contents: Data("master = m\n".utf8)))
        let exactHandle = try #require(FileHandle(forWritingAtPath: exact))
        try exactHandle.truncate(atOffset: UInt64(ConfigurationLoader.maximumFileSize))
        try exactHandle.close()
        let exactError = Self.loadError(path: exact)
        #expect(exactError?.errors.contains { $0.message.contains("larger than") } == false)
    }

    @Test(.enabled(if: getuid() != 0, "root reads any file"))
    func anUnreadableFileIsAClearError() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("secret.yaml").path
        #expect(
            FileManager.default.createFile(
                atPath: path, contents: Data("version: 1\n".utf8), attributes: [.posixPermissions: 0]))
        #expect(Self.loadError(path: path)?.errors.first?.message.contains("cannot be read") == true)
    }

    // MARK: - Helpers

    static func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "lbd-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    static func loadError(path: String, sourceLocation: Testing.SourceLocation = #_sourceLocation)
        -> ConfigurationError?
    {
        do {
            _ = try ConfigurationLoader.load(path: path)
            Issue.record("\(path) loaded", sourceLocation: sourceLocation)
            return nil
        } catch {
            #expect(!error.errors.isEmpty, sourceLocation: sourceLocation)
            #expect(error.issues.allSatisfy { $0.file == path }, sourceLocation: sourceLocation)
            return error
        }
    }

    static func expectLoadOrFail(path: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        do {
            _ = try ConfigurationLoader.load(path: path)
        } catch {
            #expect(!error.errors.isEmpty, sourceLocation: sourceLocation)
        }
    }
}
