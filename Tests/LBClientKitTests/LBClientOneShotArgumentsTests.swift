import Foundation
import LBTestSupport
import Testing

/// lbclient reads its common one-shot command lines without swift-argument-parser; every other
/// command line goes through the parser. Each pair here gives the same request once in a form
/// the short path reads and once repeating an option, which only the parser accepts (the last
/// value wins), and both must print, log and exit the same.
@Suite("lbclient one-shot command lines", .serialized)
struct LBClientOneShotArgumentsTests {
    private func lbclient(_ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
        try Peers.run(LBClientBinary.path, arguments, timeout: 30)
    }

    private func node(_ scratch: Scratch) throws -> [String] {
        try scratch.write("etc/lbclient.conf", "check nologin\nload constant 250\n")
        try scratch.write("etc/lbaliases", "lbalias=a.example.org\n")
        return [
            "--cm", scratch.path + "/etc", "--ca", scratch.path + "/etc/lbaliases", "--root", scratch.path,
        ]
    }

    @Test func theShortPathAnswersAsTheParserDoes() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let options = try node(scratch)
        let logFile = scratch.path + "/lbclient.log"
        for extra in [
            [], ["-g", ".1.3.6.1.4.1.96.255.1"], ["-n", ".1.3.6.1.4.1.96.255.1"],
            ["--exec.timeout", "2s", "--deadline=3s"], ["-c", "lbclient.conf", "--cache-time", "1s"],
            ["--collectdctl", "/bin/false", "--lemon-cli", "/bin/false", "--eosxd", "/bin/false"],
            ["-d", "info", "--log-file", logFile],
        ] {
            let short = try lbclient(options + extra)
            let parsed = try lbclient(options + extra + ["--root", scratch.path])
            #expect(short.status == 0, "\(extra): \(short.errors)")
            #expect(short.output == ".1.3.6.1.4.1.96.255.1\ninteger\n250\n", "\(extra)")
            #expect(parsed.status == short.status && parsed.output == short.output, "\(extra)")
            #expect(parsed.errors == short.errors, "\(extra)")
        }
        // Both runs with --log-file logged the same report.
        let log = try String(contentsOfFile: logFile, encoding: .utf8)
        #expect(log.components(separatedBy: "a.example.org report 250").count == 3)

        try scratch.write("etc/nologin", "")
        let short = try lbclient(options + ["-d", "debug", "--log-stderr"])
        let parsed = try lbclient(options + ["-d", "debug", "--log-stderr", "-d", "debug"])
        #expect(short.output == ".1.3.6.1.4.1.96.255.1\ninteger\n-1\n")
        #expect(parsed.output == short.output)
        #expect(short.errors.contains("a.example.org report -1"))
        #expect(parsed.errors.contains("a.example.org report -1"))
    }

    @Test func theShortPathFailsAsTheParserDoes() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let missing = scratch.path + "/missing"
        for (short, parsed) in [
            // Evaluation fails: no alias list.
            (
                ["--cm", scratch.path, "--ca", missing],
                ["--cm", scratch.path, "--ca", missing, "--ca", missing]
            ),
            // The log file cannot be opened.
            (
                ["--cm", scratch.path, "--log-file", missing + "/x.log"],
                ["--cm", scratch.path, "--log-file", missing + "/x.log", "--cm", scratch.path]
            ),
        ] {
            let shortRun = try lbclient(short)
            let parsedRun = try lbclient(parsed)
            #expect(shortRun.status == 1, "\(short): \(shortRun.errors)")
            #expect(shortRun.output.isEmpty)
            #expect(parsedRun.status == shortRun.status && parsedRun.output == shortRun.output)
            #expect(parsedRun.errors == shortRun.errors, "\(short)")
        }
    }

    @Test func versionAndWhatTheShortPathLeavesToTheParser() throws {
        let version = try lbclient(["--version"])
        #expect(version.status == 0)
        #expect(version.output.hasPrefix("lbclient version "))
        #expect(try lbclient(["-v"]).output == version.output)
        #expect(try lbclient(["-v", "-d", "info", "-d", "info"]).output == version.output)
        // Invalid values are the parser's to report, with its usage line and status 64.
        for arguments in [
            ["-d", "loud"], ["--timeout", "0s"], ["--cache-time", "soon"], ["-g"], ["extra"],
        ] {
            let run = try lbclient(arguments)
            #expect(run.status == 64, "\(arguments)")
            #expect(run.errors.contains("Error:"), "\(arguments)")
            #expect(run.output.isEmpty, "\(arguments)")
        }
    }
}
