import Foundation
import LBTestSupport
import Testing

/// The `lbd` executable as an operator runs it: exit codes, stdout and stderr.
@Suite struct LBDCommandLineTests {
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    func lbd(_ arguments: String...) throws -> Run {
        try lbd(arguments)
    }

    /// Runs the `lbd` built next to this test bundle.
    func lbd(_ arguments: [String]) throws -> Run {
        let run = try Peers.run(try Self.executable(), arguments, timeout: 60)
        return Run(status: run.status, stdout: run.output, stderr: run.errors)
    }

    /// The path of the `lbd` built next to this test bundle.
    static func executable() throws -> String {
        let products = Bundle.module.bundleURL.deletingLastPathComponent()
        let executable = products.appendingPathComponent("lbd")
        try #require(
            FileManager.default.isExecutableFile(atPath: executable.path),
            "lbd is not built at \(executable.path): run swift build --build-tests")
        return executable.path
    }

    /// The summary without its first line, which names the file and format.
    private func aliasLines(_ summary: String) -> [Substring] {
        Array(summary.split(separator: "\n").dropFirst())
    }

    @Test func bothGolbdFormatsGiveTheSameAliasesAndMembers() throws {
        let lines = try lbd("check-config", fixturePath("cli/golbd.conf"))
        let yaml = try lbd("check-config", fixturePath("cli/golbd.yaml"))
        #expect(lines.status == 0)
        #expect(yaml.status == 0)
        #expect(lines.stdout.contains("OK (golbd line format)"))
        #expect(yaml.stdout.contains("OK (golbd YAML format)"))
        #expect(lines.stdout.contains("members: ermis19.cern.ch ermis20.cern.ch"))
        #expect(aliasLines(lines.stdout) == aliasLines(yaml.stdout))
    }

    @Test func aBrokenFileListsEveryErrorWithItsLineAndExitsOne() throws {
        let path = fixturePath("cli/broken.conf")
        let run = try lbd("check-config", path)
        #expect(run.status == 1)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.contains("\(path):2:28: error: best_hosts must be at least 1"))
        #expect(run.stderr.contains("\(path):4:41: error: unknown metric 'fastest'"))
        #expect(run.stderr.contains("\(path):6:1: error: unknown line"))
        #expect(run.stderr.contains("\(path): 3 errors"))
    }

    @Test func printConvertsAGolbdFileToAnEquivalentNativeFile() throws {
        let printed = try lbd("check-config", "--print", fixturePath("cli/golbd.conf"))
        #expect(printed.status == 0)
        let converted = FileManager.default.temporaryDirectory.appendingPathComponent("lbd-\(UUID()).yaml")
        try printed.stdout.write(to: converted, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: converted) }
        let native = try lbd("check-config", converted.path)
        let original = try lbd("check-config", fixturePath("cli/golbd.conf"))
        #expect(native.status == 0)
        #expect(native.stdout.contains("OK (lbd YAML format)"))
        #expect(aliasLines(native.stdout) == aliasLines(original.stdout))
    }

    @Test func simulateWithASeedIsReproducibleAndExplainsEachAlias() throws {
        let arguments = [
            "simulate", "--config", fixturePath("simulate/selection.conf"), "--reports",
            fixturePath("simulate/selection-reports.json"), "--json", "--seed", "42",
        ]
        let first = try lbd(arguments)
        let second = try lbd(arguments)
        #expect(first.status == 0)
        #expect(first.stdout == second.stdout)
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any])
        let aliases = try #require(document["aliases"] as? [String: [String: Any]])
        #expect(aliases["keep.example.org"]?["publish"] is NSNull)
        #expect(aliases["empty.example.org"]?["publish"] as? [String] == [])
        #expect(
            aliases["all.example.org"]?["publish"] as? [String] == ["192.0.2.1", "192.0.2.2", "2001:db8::1"])

        let table = try lbd(Array(arguments.dropLast(3)) + ["--seed", "42"])
        #expect(table.status == 0)
        #expect(table.stdout.contains("keep.example.org: leave DNS unchanged"))
    }

    @Test func simulateRefusesABadReportsFile() throws {
        let bad = FileManager.default.temporaryDirectory.appendingPathComponent("reports-\(UUID()).json")
        try Data(#"{"nodes": {"a": {"999.1.1.1": 5}}}"#.utf8).write(to: bad)
        defer { try? FileManager.default.removeItem(at: bad) }
        let run = try lbd(
            "simulate", "--config", fixturePath("simulate/selection.conf"), "--reports", bad.path)
        #expect(run.status == 1)
        #expect(run.stderr.contains("'999.1.1.1' is not an IPv4 or IPv6 address"))
    }
}
