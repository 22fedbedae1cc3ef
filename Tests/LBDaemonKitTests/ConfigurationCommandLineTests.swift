import Foundation
import LBCore
import LBTestSupport
import Testing

/// What the binaries tell an operator about configurations and themselves: warnings for settings
/// not implemented yet, a printed configuration with its HTTP address, the
/// limits of a dry run, one version, and defaults in every help.
@Suite struct ConfigurationCommandLineTests {
    let cli = LBDCommandLineTests()

    /// The `lbclient` built next to `lbd`.
    static func lbclient() throws -> String {
        let path = URL(fileURLWithPath: try LBDCommandLineTests.executable()).deletingLastPathComponent()
            .appendingPathComponent("lbclient").path
        try #require(FileManager.default.isExecutableFile(atPath: path), "lbclient is not built at \(path)")
        return path
    }

    @Test func golbdsMasterLineIsHeartbeatModeWithoutAWarning() throws {
        for fixture in ["cli/golbd.conf", "cli/golbd.yaml"] {
            let run = try cli.lbd("check-config", fixturePath(fixture))
            #expect(run.status == 0)
            #expect(!run.stderr.contains("not implemented"), "\(run.stderr)")
            let printed = try cli.lbd("check-config", "--print", fixturePath(fixture))
            #expect(
                printed.stdout.contains("ha:\n  mode: heartbeat\n  master: lbdxyz.cern.ch\n"),
                "\(printed.stdout)")
        }
    }

    @Test func checkConfigNoLongerWarnsAboutAnHTTPAddress() throws {
        let directory = try Peers.temporaryDirectory("lbd-cli")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("http.yaml")
        try "aliases:\n  a.example.org: [n1]\nhttp:\n  listen: 127.0.0.1:8080\n".write(
            to: file, atomically: true, encoding: .utf8)
        let run = try cli.lbd("check-config", file.path)
        #expect(run.status == 0)
        #expect(!run.stderr.contains("http.listen"), "\(run.stderr)")
        #expect(!run.stderr.contains("not implemented"), "\(run.stderr)")
    }

    @Test func printWritesTheHTTPListenAndTheReloadShare() throws {
        let printed = try cli.lbd("check-config", "--print", fixturePath("cli/golbd.conf"))
        #expect(printed.status == 0)
        #expect(printed.stdout.contains("http:\n  listen: 127.0.0.1:8080\n"), "\(printed.stdout)")
        #expect(printed.stdout.contains("reload:\n  max_withdrawn_share: 50%\n"))
    }

    @Test func aTaggedFileIsRefusedWithItsPosition() throws {
        let directory = try Peers.temporaryDirectory("lbd-cli")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("tag.yaml")
        try "aliases:\n  a.example.org: !!python/object/apply:os.system [\"true\"]\n".write(
            to: file, atomically: true, encoding: .utf8)
        let run = try cli.lbd("check-config", file.path)
        #expect(run.status == 1)
        #expect(
            run.stderr.contains(
                "\(file.path):2:18: error: YAML tag '!!python/object/apply:os.system' is not supported"),
            "\(run.stderr)")
    }

    @Test func lbdAndLbclientHaveOneVersion() throws {
        let lbd = try cli.lbd("--version")
        #expect(lbd.status == 0)
        #expect(lbd.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == ProductVersion.current)
        for flag in ["-v", "--version"] {
            let lbclient = try Peers.run(try Self.lbclient(), [flag], timeout: 30)
            #expect(lbclient.status == 0)
            #expect(lbclient.output == "lbclient version \(ProductVersion.current)\n")
        }
    }

    @Test func aDryRunSaysItCannotCheckUpdatePermission() throws {
        let help = try cli.lbd("evaluate", "--help")
        let words = help.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(words.contains("Cannot check that the server would accept an UPDATE"))
        // One member that does not answer (nothing listens on the port), so the run is short.
        let port = try Peers.freeUDPPort()
        let directory = try Peers.temporaryDirectory("lbd-cli")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("dry.yaml")
        try """
        aliases:
          a.example.org: [127.0.0.1]
        snmp:
          version: v2c
          port: \(port)
          timeout: 200ms
          retries: 0

        """.write(to: file, atomically: true, encoding: .utf8)
        let text = try cli.lbd("evaluate", "--once", "--dry-run", "--config", file.path)
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("dry run: nothing was published; UPDATE permission was not checked"))
        let json = try cli.lbd("evaluate", "--once", "--dry-run", "--json", "--config", file.path)
        #expect(json.status == 0, "\(json.stderr)")
        #expect(json.stderr.contains("UPDATE permission was not checked"))
        #expect((try? JSONSerialization.jsonObject(with: Data(json.stdout.utf8))) != nil, "\(json.stdout)")
    }

    // MARK: - Defaults in every help

    /// The options of a help text that take a value, are not required, and say no default.
    static func optionsWithoutDefault(_ help: String, required: Set<String>) -> [String] {
        guard let start = help.range(of: "OPTIONS:") else { return ["no OPTIONS section"] }
        var entries: [String] = []
        let lines = help[start.upperBound...].split(separator: "\n", omittingEmptySubsequences: false)
        for line in lines.dropFirst() {  // the rest of the OPTIONS: line
            if line.hasPrefix("  -") {
                entries.append(String(line))
            } else if line.hasPrefix("    "), !entries.isEmpty {
                entries[entries.count - 1] += " " + line.trimmingCharacters(in: .whitespaces)
            } else if !line.hasPrefix(" ") {
                break  // the next section
            }
        }
        return entries.filter { entry in
            let name =
                entry.split(separator: " ").first(where: { $0.hasPrefix("--") }).map(String.init) ?? entry
            let takesValue = entry.contains("<")
            return takesValue && !required.contains(name) && !entry.lowercased().contains("default")
        }
    }

    @Test(
        arguments: [
            (["check-config"], Set<String>()),
            (["evaluate"], ["--config"]),
            (["simulate"], ["--config", "--reports"]),
            (["demo"], []),
            (["explain"], []),
        ] as [([String], Set<String>)])
    func everyLbdHelpShowsItsDefaults(command: [String], required: Set<String>) throws {
        let help = try cli.lbd(command + ["--help"])
        #expect(help.status == 0)
        #expect(Self.optionsWithoutDefault(help.stdout, required: required).isEmpty, "\(help.stdout)")
    }

    @Test(
        arguments: [
            ([], Set<String>()),
            (["agent"], ["--snmp-config"]),
            (["snmpd-conf"], []),
            (["check-config"], []),
        ] as [([String], Set<String>)])
    func everyLbclientHelpShowsItsDefaults(command: [String], required: Set<String>) throws {
        let help = try Peers.run(try Self.lbclient(), command + ["--help"], timeout: 30)
        #expect(help.status == 0)
        #expect(Self.optionsWithoutDefault(help.output, required: required).isEmpty, "\(help.output)")
    }

    @Test func theHelpCheckerFindsAnOptionWithoutDefault() {
        let help = """
            OPTIONS:
              --a <a>                 Has one. (default: 1)
              --b <b>                 Says nothing
                                      on two lines.
              --flag                  A flag.
              --c <c>                 Required.

            """
        #expect(
            Self.optionsWithoutDefault(help, required: ["--c"]) == [
                "  --b <b>                 Says nothing on two lines."
            ])
    }
}
