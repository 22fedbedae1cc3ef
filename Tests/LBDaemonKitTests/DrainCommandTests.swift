import DNS
import Foundation
import LBTestSupport
import NIOCore
import Testing

@testable import LBDaemonKit

/// `lbd drain`, `lbd undrain` and `lbd drains` as an operator runs them, on a state directory of
/// their own, and against an `lbd run` that picks the drain up within seconds although its alias
/// is polled every 300 s.
@Suite(.serialized) struct DrainCommandTests {
    private let cli = LBDCommandLineTests()

    @Test func drainListAndUndrainOnAStateDirectory() throws {
        let directory = try Peers.temporaryDirectory("lbd-drain-cli")
        defer { try? FileManager.default.removeItem(at: directory) }
        let state = directory.appendingPathComponent("state").path
        let config = directory.appendingPathComponent("lbd.yaml")
        try "aliases:\n  www.example.org: [n1, n2]\n".write(to: config, atomically: true, encoding: .utf8)

        let drained = try cli.lbd([
            "drain", "n1", "--for", "2h30m", "--reason", "kernel upgrade", "--by", "alice", "--state-dir",
            state,
            "--config", config.path,
        ])
        #expect(drained.status == 0, "\(drained.stderr)")
        #expect(drained.stdout.contains("drained n1 in all aliases until"), "\(drained.stdout)")
        #expect(drained.stdout.contains("drained by alice: kernel upgrade"))
        #expect(drained.stderr.isEmpty, "\(drained.stderr)")
        // Not a member: a warning, and the drain is still made.
        let typo = try cli.lbd([
            "drain", "n9", "--alias", "www.example.org", "--reason", "typo?", "--state-dir", state,
            "--config",
            config.path,
        ])
        #expect(typo.status == 0)
        #expect(
            typo.stderr.contains("warning: n9 is not a member of any alias in \(config.path)"),
            "\(typo.stderr)")

        let listed = try cli.lbd(["drains", "--state-dir", state])
        #expect(listed.status == 0)
        #expect(listed.stdout.contains("all aliases"), "\(listed.stdout)")
        #expect(listed.stdout.contains("2h 30m") || listed.stdout.contains("2h 29m"), "\(listed.stdout)")
        #expect(listed.stdout.contains("www.example.org"))
        let json = try cli.lbd(["drains", "--json", "--state-dir", state])
        let document = try InstanceStatus.makeDecoder().decode(
            DrainListing.Document.self, from: Data(json.stdout.utf8))
        #expect(document.drains.map(\.node) == ["n1", "n9"])
        #expect(document.drains[0].by == "alice")
        #expect((9_000 - 5...9_000).contains(document.drains[0].remaining ?? 0))
        // Who: SUDO_USER or the login name when --by is not given.
        #expect(document.drains[1].by == (ProcessInfo.processInfo.environment["SUDO_USER"] ?? NSUserName()))

        let undrained = try cli.lbd(["undrain", "n1", "--state-dir", state])
        #expect(undrained.status == 0)
        #expect(undrained.stdout.contains("undrained n1 in all aliases"), "\(undrained.stdout)")
        let again = try cli.lbd(["undrain", "n1", "--state-dir", state])
        #expect(again.status == 0)
        #expect(again.stderr.contains("n1 is not drained"))
        let audit = try String(contentsOfFile: "\(state)/drains.log", encoding: .utf8)
        #expect(audit.split(separator: "\n").count == 3, "\(audit)")
        #expect(audit.contains("\"action\":\"undrain\""))
    }

    @Test func mistakesAreRefusedWithAMessageSayingWhatToDo() throws {
        let directory = try Peers.temporaryDirectory("lbd-drain-cli")
        defer { try? FileManager.default.removeItem(at: directory) }
        let state = directory.path
        let noReason = try cli.lbd(["drain", "n1", "--state-dir", state])
        #expect(noReason.status != 0)
        #expect(noReason.stderr.contains("--reason"), "\(noReason.stderr)")
        let badFor = try cli.lbd(["drain", "n1", "--for", "soon", "--reason", "r", "--state-dir", state])
        #expect(badFor.status != 0)
        #expect(badFor.stderr.contains("30m, 1h, 2h30m or 1d"), "\(badFor.stderr)")
        try "garbage".write(toFile: "\(state)/drains.json", atomically: true, encoding: .utf8)
        for arguments in [["drains"], ["drain", "n1", "--reason", "r"], ["undrain", "n1"]] {
            let run = try cli.lbd(arguments + ["--state-dir", state])
            #expect(run.status == 1, "\(arguments)")
            #expect(run.stderr.contains("\(state)/drains.json"), "\(run.stderr)")
            #expect(run.stderr.contains("move it away"), "\(run.stderr)")
        }
        #expect(try String(contentsOfFile: "\(state)/drains.json", encoding: .utf8) == "garbage")
    }

    @Test func drainsAtOnceFromManyProcessesLoseNothing() async throws {
        let directory = try Peers.temporaryDirectory("lbd-drain-cli")
        defer { try? FileManager.default.removeItem(at: directory) }
        let state = directory.path
        let executable = try LBDCommandLineTests.executable()
        let runs = try await withThrowingTaskGroup(of: Int32.self) { group in
            for index in 0..<12 {
                group.addTask {
                    try await offThePool {
                        try Peers.run(
                            executable,
                            ["drain", "n\(index)", "--reason", "r\(index)", "--state-dir", state], timeout: 60
                        ).status
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(runs.allSatisfy { $0 == 0 })
        #expect(try DrainBook(stateDirectory: state).load().count == 12)
    }

    @Test func aRunningLBDTakesTheDrainOutOfDNSWithinSecondsAndBackAtUndrain() async throws {
        let (agents, snmpPort) = try await LoopbackAgents.start([5, 7, 9])
        defer { Task { for agent in agents { await agent.stop() } } }
        let dnsPort = try Peers.freeUDPAndTCPPort()
        let directory = try Peers.temporaryDirectory("lbd-drain-run")
        defer { try? FileManager.default.removeItem(at: directory) }
        let state = directory.appendingPathComponent("state").path
        let file = directory.appendingPathComponent("lbd.yaml")
        try """
        version: 1
        aliases:
          www.example.org:
            members: [127.0.0.2, 127.0.0.3, 127.0.0.4]
            best_hosts: 2
            polling_interval: 300
        snmp:
          version: v2c
          community: public
          port: \(snmpPort)
          timeout: 500ms
          retries: 0
        dns:
          embedded:
            listen: 127.0.0.1:\(dnsPort)
            zone: example.org

        """.write(to: file, atomically: true, encoding: .utf8)
        let lbd = try PeerProcess(
            try LBDCommandLineTests.executable(),
            ["run", "--config", file.path, "--log-format", "json", "--state-dir", state])
        defer { lbd.stop() }
        let first = try await Self.waitFor(["127.0.0.2", "127.0.0.3"], port: dnsPort)
        #expect(first == ["127.0.0.2", "127.0.0.3"], "\(lbd.errorOutput.suffix(3000))")

        let drain = try await offThePool {
            try LBDCommandLineTests().lbd([
                "drain", "127.0.0.2", "--reason", "kernel upgrade", "--by", "alice", "--state-dir", state,
            ])
        }
        #expect(drain.status == 0, "\(drain.stderr)")
        let drained = try await Self.waitFor(["127.0.0.3", "127.0.0.4"], port: dnsPort)
        #expect(drained == ["127.0.0.3", "127.0.0.4"], "\(lbd.errorOutput.suffix(3000))")
        #expect(lbd.errorOutput.contains("\"action\":\"drain\""), "\(lbd.errorOutput.suffix(3000))")

        let undrain = try await offThePool {
            try LBDCommandLineTests().lbd(["undrain", "127.0.0.2", "--state-dir", state])
        }
        #expect(undrain.status == 0, "\(undrain.stderr)")
        let back = try await Self.waitFor(["127.0.0.2", "127.0.0.3"], port: dnsPort)
        #expect(back == ["127.0.0.2", "127.0.0.3"], "\(lbd.errorOutput.suffix(3000))")
        #expect(lbd.errorOutput.contains("\"action\":\"undrain\""))
    }

    @Test func evaluateAppliesTheDrainsOfItsStateDirectoryAndExplainsThem() async throws {
        let (agents, snmpPort) = try await LoopbackAgents.start([5, 7, 9])
        defer { Task { for agent in agents { await agent.stop() } } }
        let directory = try Peers.temporaryDirectory("lbd-drain-evaluate")
        defer { try? FileManager.default.removeItem(at: directory) }
        let state = directory.appendingPathComponent("state").path
        let file = directory.appendingPathComponent("lbd.yaml")
        try """
        aliases:
          www.example.org: {members: [127.0.0.2, 127.0.0.3, 127.0.0.4], best_hosts: 2}
        snmp: {version: v2c, port: \(snmpPort), timeout: 500ms, retries: 0}

        """.write(to: file, atomically: true, encoding: .utf8)
        let drain = try cli.lbd([
            "drain", "127.0.0.2", "--for", "1h", "--reason", "kernel upgrade", "--by", "alice", "--state-dir",
            state,
        ])
        #expect(drain.status == 0, "\(drain.stderr)")
        let path = file.path
        let evaluated = try await offThePool {
            try LBDCommandLineTests().lbd([
                "evaluate", "--once", "--dry-run", "--config", path, "--state-dir", state,
            ])
        }
        #expect(
            evaluated.stdout.contains("drained by alice: kernel upgrade (until "),
            "\(evaluated.stdout)\(evaluated.stderr)")
        #expect(evaluated.stdout.contains("127.0.0.3 127.0.0.4"), "\(evaluated.stdout)")
    }

    /// The A records of `www.example.org` once they equal `expected` (sorted), asking for at
    /// most 10 s; the last answer otherwise.
    static func waitFor(_ expected: [String], port: Int) async throws -> [String] {
        let server = try SocketAddress(ipAddress: "127.0.0.1", port: port)
        let client = DNSClient(options: DNSClient.Options(timeout: .milliseconds(300), retries: 0))
        var last: [String] = []
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if let answer = try? await client.query(
                try DomainName(parsing: "www.example.org."), type: .a, server: server)
            {
                last = answer.message.answers.compactMap { record in
                    if case .a(let address) = record.data { return "\(address)" }
                    return nil
                }.sorted()
                if last == expected { return last }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        return last
    }
}
