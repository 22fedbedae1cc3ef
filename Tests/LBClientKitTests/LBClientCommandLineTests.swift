import Foundation
import LBTestSupport
import Testing

/// The `lbclient` executable as snmpd and operators run it.
@Suite("lbclient command line", .serialized)
struct LBClientCommandLineTests {
    private func node(_ scratch: Scratch, config: String = "check nologin\nload constant 250\n") throws
        -> [String]
    {
        try scratch.write("etc/lbclient.conf", config)
        try scratch.write("etc/lbaliases", "lbalias=a.example.org\n")
        return [
            "--cm", scratch.path + "/etc", "--ca", scratch.path + "/etc/lbaliases", "--root", scratch.path,
        ]
    }

    private func lbclient(_ arguments: [String], input: String? = nil) throws -> (
        status: Int32, output: String, errors: String
    ) {
        try Peers.run(LBClientBinary.path, arguments, timeout: 30, input: input)
    }

    @Test func printsThePassAnswerAndKeepsLogsOffStdout() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let options = try node(scratch)
        for extra in [
            [], ["-g", ".1.3.6.1.4.1.96.255.1"], ["-n", ".1.3.6.1.4.1.96.255.1"], ["-d", "debug"],
            ["-d", "DEBUG", "-m", "fluentd", "--log-stderr"],
        ] {
            let run = try lbclient(options + extra)
            #expect(run.status == 0, "\(extra): \(run.errors)")
            #expect(run.output == ".1.3.6.1.4.1.96.255.1\ninteger\n250\n", "\(extra)")
        }
        // snmpd's pass reads stderr with stdout: by default logs go to syslog, never stderr.
        try scratch.write("etc/nologin", "")
        let quiet = try lbclient(options + ["-d", "debug"])
        #expect(quiet.output == ".1.3.6.1.4.1.96.255.1\ninteger\n-1\n")
        #expect(quiet.errors.isEmpty)
        try FileManager.default.removeItem(atPath: scratch.path + "/etc/nologin")
        let debug = try lbclient(options + ["-d", "debug", "--log-stderr"])
        #expect(debug.errors.contains("a.example.org report 250"))
        let json = try lbclient(options + ["-d", "info", "-m", "fluentd", "--log-stderr"])
        let firstLine = try #require(json.errors.split(separator: "\n").first)
        let object = try JSONSerialization.jsonObject(with: Data(firstLine.utf8)) as? [String: Any]
        #expect(object?["level"] as? String == "info")
        #expect(object?["value"] as? String == "250")
    }

    @Test func logsCanGoToAFile() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let run = try lbclient(
            try node(scratch) + ["-d", "info", "--log-file", scratch.path + "/lbclient.log"])
        #expect(run.output == ".1.3.6.1.4.1.96.255.1\ninteger\n250\n")
        #expect(run.errors.isEmpty)
        let log = try String(contentsOfFile: scratch.path + "/lbclient.log", encoding: .utf8)
        #expect(log.contains("report 250"))
    }

    @Test func versionSetAndGolbclientTimeoutSpelling() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let version = try lbclient(["-v"])
        #expect(version.output.hasPrefix("lbclient version "))
        #expect(try lbclient(["-s", ".1.3.6.1.4.1.96.255.1", "integer", "5"]).output == "not-writable\n")
        let run = try lbclient(try node(scratch) + ["--exec.timeout", "2s"])
        #expect(run.status == 0)
        #expect(try lbclient(["--timeout", "soon"]).status != 0)
    }

    @Test func noConfigurationMeansNoAnswerAndExitOne() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let run = try lbclient(["--cm", scratch.path, "--ca", scratch.path + "/lbaliases"])
        #expect(run.status == 1)
        #expect(run.output.isEmpty)
        #expect(run.errors.contains("cannot read the alias list"))
    }

    @Test func checkConfigValidatesAndRunsEveryLine() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let good = try scratch.write("good.conf", "check nologin\ncheck command false\nload constant 5\n")
        let run = try lbclient(["-t", good, "--root", scratch.path])
        // The command fails, so the node would answer -14: not a passing configuration.
        #expect(run.status == 2, "\(run.errors)")
        #expect(run.output.contains("good.conf:2: check command: failed"))
        #expect(run.output.contains("good.conf:3: load constant: passed (5)"))
        #expect(run.output.contains("good.conf: the node would answer -14"))
        #expect(!run.output.contains("every check passed"))
        let bad = try scratch.write("bad.conf", "check nologin\ncheck   nologinx\nload constant five\n")
        let broken = try lbclient(["check-config", bad])
        #expect(broken.status == 1)
        #expect(broken.errors.contains("bad.conf:2:9: unknown keyword `nologinx`"))
        #expect(broken.errors.contains("bad.conf:3:"))
        let syntax = try lbclient(["check-config", "--syntax-only", good])
        #expect(syntax.status == 0)
        #expect(syntax.output.contains("3 action lines, syntax OK"))
    }

    @Test func passPersistSpeaksTheProtocolOnStdio() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let input =
            "PING\nget\n.1.3.6.1.4.1.96.255.1\ngetnext\n.1.3.6.1.4.1.96.255.1\nset\n.1.3.6.1.4.1.96.255.1\ninteger 1\n\n"
        let run = try lbclient(try node(scratch) + ["--pass-persist"], input: input)
        #expect(run.status == 0)
        #expect(run.output == "PONG\n.1.3.6.1.4.1.96.255.1\ninteger\n250\nNONE\nnot-writable\n")
    }

    @Test func snmpdConfPrintsTheLines() throws {
        let run = try lbclient([
            "snmpd-conf", "--password", "long-enough", "--command", "/usr/sbin/lbclient --cm /etc/lb",
        ])
        #expect(run.status == 0)
        #expect(
            run.output.contains(
                "pass_persist .1.3.6.1.4.1.96.255.1 /usr/sbin/lbclient --cm /etc/lb --pass-persist"))
        #expect(run.output.contains("createUser loadbalancing MD5 long-enough"))
        #expect(try lbclient(["snmpd-conf", "--password", "short"]).status != 0)
    }
}
