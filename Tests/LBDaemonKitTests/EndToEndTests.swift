import DNS
import Foundation
import LBTestSupport
import Testing

/// lbd with every real component: five nodes on 127.0.0.2-6, each a net-snmp `snmpd` running
/// `lbclient` through `pass_persist`, and `lbd run` publishing to BIND by TSIG-signed UPDATE (from
/// a golbd line-format file) or from its own DNS server (from a native file). The test drains
/// nodes, stops one, and reads DNS with `dig`.
@Suite(.serialized) struct EndToEndTests {
    static var available: Bool { Peers.available("snmpd", "snmpget", "named", "dig") }

    static let password = "lbd-e2e-snmp-password"
    static let pollingInterval = 2

    static let www = "www.lb.example"
    static let frontier = "frontier.lb.example"
    static let minino = "minino.lb.example"
    static let aliases = [www, frontier, minino]

    /// The node loads: www's two best are .3 and .4, minino's best is .5. Node .6 gives frontier
    /// a load of its own (its answer is then a string, `frontier.lb.example=5,...`), which makes
    /// it frontier's best.
    static let loads = [
        "127.0.0.2": 50, "127.0.0.3": 10, "127.0.0.4": 20, "127.0.0.5": 30, "127.0.0.6": 40,
    ]
    static let ownLoads = ["127.0.0.6": [frontier: 5]]
    static let wwwMembers = ["127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5", "127.0.0.6"]
    static let pairMembers = ["127.0.0.5", "127.0.0.6"]

    /// The five nodes, all on one SNMP port.
    private func startNodes() throws -> (nodes: [String: SnmpdNode], port: Int) {
        let port = try Peers.freeUDPPort()
        var nodes: [String: SnmpdNode] = [:]
        do {
            for (address, load) in Self.loads.sorted(by: { $0.key < $1.key }) {
                nodes[address] = try SnmpdNode(
                    address: address, port: port, load: load, ownLoads: Self.ownLoads[address] ?? [:],
                    aliases: Self.aliases, password: Self.password)
            }
        } catch {
            nodes.values.forEach { $0.stop() }
            throw error
        }
        return (nodes, port)
    }

    /// golbd's own file for the three aliases: MD5 TSIG keys `lb-internal.`/`lb-external.`, the
    /// SNMPv3 password, and BIND as the DNS manager.
    private func golbdConfiguration(dnsPort: Int, internalSecret: String, externalSecret: String) -> String {
        let interval = Self.pollingInterval
        return """
            tsig_key_prefix = lb-
            tsig_internal_key = \(internalSecret)
            tsig_external_key = \(externalSecret)
            snmpd_password = \(Self.password)
            dns_manager = 127.0.0.1:\(dnsPort)
            parameters \(Self.www) = behaviour#mindless best_hosts#2 external#yes metric#minino polling_interval#\(interval) statistics#long ttl#60
            clusters \(Self.www) = \(Self.wwwMembers.joined(separator: " "))
            parameters \(Self.frontier) = best_hosts#1 external#no metric#cmsfrontier polling_interval#\(interval) ttl#60
            clusters \(Self.frontier) = \(Self.pairMembers.joined(separator: " "))
            parameters \(Self.minino) = best_hosts#1 external#no metric#minino polling_interval#\(interval) ttl#60
            clusters \(Self.minino) = \(Self.pairMembers.joined(separator: " "))

            """
    }

    /// The same aliases in lbd's format, served by lbd's own DNS server (a zone per alias).
    private func nativeConfiguration(snmpPort: Int, dnsPort: Int) -> String {
        func members(_ list: [String]) -> String { "[\(list.joined(separator: ", "))]" }
        return """
            version: 1
            defaults:
              polling_interval: \(Self.pollingInterval)s
            aliases:
              \(Self.www):
                members: \(members(Self.wwwMembers))
                best_hosts: 2
                metric: minino
              \(Self.frontier):
                members: \(members(Self.pairMembers))
                metric: cmsfrontier
              \(Self.minino):
                members: \(members(Self.pairMembers))
                metric: minino
            snmp:
              version: v3
              port: \(snmpPort)
              user: loadbalancing
              auth_protocol: md5
              auth_password: \(Self.password)
              timeout: 1s
              retries: 1
            dns:
              embedded:
                listen: 127.0.0.1:\(dnsPort)
                nameserver: ns.lb.example.
                mailbox: hostmaster.lb.example.

            """
    }

    /// Calls `read` until it returns `expected` or `seconds` passed; the last answer (`nil` when
    /// every read failed) and how long it took.
    private func waitFor(
        _ expected: [String], within seconds: Int, _ read: () throws -> [String]
    ) async throws -> (answer: [String]?, elapsed: Duration) {
        let start = ContinuousClock.now
        var last: [String]?
        while ContinuousClock.now < start + .seconds(seconds) {
            if let answer = try? read() {
                last = answer
                if answer == expected { break }
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        return (last, ContinuousClock.now - start)
    }

    /// What the test changes on the nodes, and what DNS must show after each change: the
    /// least loaded first, a drained node and a silent node dropped, a restarted node back, and
    /// when every member of frontier and minino fails, frontier kept and minino emptied.
    private func followTheNodes(
        _ nodes: [String: SnmpdNode], lbd: PeerProcess, read: (String) throws -> [String]
    ) async throws {
        let log = { "lbd: \(lbd.errorOutput.suffix(3000))" }
        // A change on a node reaches DNS within one polling interval: lbclient runs with
        // --cache-time 0, so the next poll evaluates afresh; the interval moves by up to a tenth
        // (jitter), and polling, deciding and the UPDATE take a moment more.
        let followWithin = Self.pollingInterval + 2

        var step = try await waitFor(["127.0.0.3", "127.0.0.4"], within: 20) { try read(Self.www) }
        #expect(step.answer == ["127.0.0.3", "127.0.0.4"], "\(log())")
        #expect(
            try await waitFor(["127.0.0.6"], within: 10) { try read(Self.frontier) }.answer == ["127.0.0.6"])
        #expect(
            try await waitFor(["127.0.0.5"], within: 10) { try read(Self.minino) }.answer == ["127.0.0.5"])

        try nodes["127.0.0.3"]!.drain()
        step = try await waitFor(["127.0.0.4", "127.0.0.5"], within: followWithin) { try read(Self.www) }
        #expect(step.answer == ["127.0.0.4", "127.0.0.5"], "\(log())")
        #expect(step.elapsed < .milliseconds(Self.pollingInterval * 1100 + 1000), "\(step.elapsed)")
        print("[e2e] a drained node left DNS after \(step.elapsed)")

        nodes["127.0.0.4"]!.stopSnmpd()
        step = try await waitFor(["127.0.0.5", "127.0.0.6"], within: followWithin + 8) { try read(Self.www) }
        #expect(step.answer == ["127.0.0.5", "127.0.0.6"], "\(log())")
        print("[e2e] a silent node left DNS after \(step.elapsed)")

        // Restarted, as after a reboot (SNMPv3 engine boots one more, engine time from zero).
        try nodes["127.0.0.4"]!.startSnmpd()
        step = try await waitFor(["127.0.0.4", "127.0.0.5"], within: followWithin) { try read(Self.www) }
        #expect(step.answer == ["127.0.0.4", "127.0.0.5"], "a restarted node is used again. \(log())")
        print("[e2e] a restarted node came back after \(step.elapsed)")
        nodes["127.0.0.4"]!.stopSnmpd()

        try nodes["127.0.0.5"]!.drain()
        try nodes["127.0.0.6"]!.drain()
        // minino is often due with www, whose silent member (127.0.0.4) takes its two 1 s
        // attempts: minino is decided once its own members answered, without waiting for them.
        step = try await waitFor([], within: followWithin) { try read(Self.minino) }
        #expect(step.answer == [], "minino keeps no address when no member is usable. \(log())")
        #expect(
            try await waitFor(["127.0.0.2"], within: followWithin + 8) { try read(Self.www) }.answer == [
                "127.0.0.2"
            ])
        // frontier decided to keep DNS as it was: it still shows its last member.
        let deadline = ContinuousClock.now + .seconds(followWithin)
        while !lbd.errorOutput.contains("\(Self.frontier): keep"), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(lbd.errorOutput.contains("\(Self.frontier): keep"), "\(log())")
        #expect(try read(Self.frontier) == ["127.0.0.6"], "cmsfrontier keeps DNS as it was. \(log())")
    }

    /// Sends SIGTERM while an evaluation of www is surely in flight (its silent member makes
    /// every poll last three SNMP timeouts, 6 s), and checks lbd exits 0 after letting it finish.
    private func stopDuringAnEvaluation(_ lbd: PeerProcess) async throws {
        let decisions = { lbd.errorOutput.components(separatedBy: "\"alias\":\"\(Self.www)\"").count }
        let before = decisions()
        let deadline = ContinuousClock.now + .seconds(15)
        while decisions() == before, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        // The next evaluation starts 1.8-2.2 s after this one and polls for 6 s.
        try await Task.sleep(for: .milliseconds(3500))
        kill(lbd.pid, SIGTERM)
        #expect(lbd.waitForExit(timeout: 15) == 0, "\(lbd.errorOutput.suffix(2000))")
        let afterStop = lbd.errorOutput.components(separatedBy: "finishing the evaluations in flight")
            .dropFirst().joined()
        // The evaluation in flight finished: nothing was cut short, and its decision was logged.
        #expect(!afterStop.contains("cancelled"), "\(afterStop.suffix(1000))")
        #expect(afterStop.contains("\"alias\":\"\(Self.www)\""), "\(afterStop.suffix(1000))")
    }

    @Test func aGolbdFilePublishesTheBestNodesToBindAndFollowsThem() async throws {
        guard Self.available else { return }
        let started = ContinuousClock.now
        let (nodes, snmpPort) = try startNodes()
        defer { nodes.values.forEach { $0.stop() } }
        let secrets = (0..<2).map { _ in
            Data((0..<16).map { _ in UInt8.random(in: .min ... .max) }).base64EncodedString()
        }
        let internalKey = DNS.TSIGKey(
            name: try DomainName(parsing: "lb-internal."), algorithm: .hmacMD5, base64Secret: secrets[0])!
        let externalKey = DNS.TSIGKey(
            name: try DomainName(parsing: "lb-external."), algorithm: .hmacMD5, base64Secret: secrets[1])!
        let named = try await TwoViewNamed(
            aliases: Self.aliases, internalKey: internalKey, externalKey: externalKey)
        defer { named.stop() }

        let directory = try Peers.temporaryDirectory("lbd-e2e")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("load-balancing.conf")
        try golbdConfiguration(dnsPort: named.port, internalSecret: secrets[0], externalSecret: secrets[1])
            .write(to: file, atomically: true, encoding: .utf8)
        let lbd = try PeerProcess(
            try LBDCommandLineTests.executable(),
            [
                "run", "--config", file.path, "--snmp-port", String(snmpPort), "--log-format", "json",
                "--state-dir", directory.appendingPathComponent("state").path,
            ])
        defer { lbd.stop() }

        // The internal view is what lbd reads and checks; www is external too.
        try await followTheNodes(nodes, lbd: lbd) { alias in try named.dig(alias, "A", key: internalKey) }
        #expect(try named.dig(Self.www, "A", key: externalKey) == ["127.0.0.2"])
        #expect(
            try named.dig(Self.minino, "A", key: externalKey) == ["192.0.2.1"],
            "internal aliases stay out of the external view")

        try await stopDuringAnEvaluation(lbd)
        print("[e2e] BIND test took \(ContinuousClock.now - started)")
    }

    @Test func theEmbeddedServerAnswersDigAndSurvivesABrokenReload() async throws {
        guard Self.available else { return }
        let started = ContinuousClock.now
        let (nodes, snmpPort) = try startNodes()
        defer { nodes.values.forEach { $0.stop() } }
        let dnsPort = try Peers.freeUDPAndTCPPort()
        let directory = try Peers.temporaryDirectory("lbd-e2e")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("lbd.yaml")
        try nativeConfiguration(snmpPort: snmpPort, dnsPort: dnsPort).write(
            to: file, atomically: true, encoding: .utf8)
        let lbd = try PeerProcess(
            try LBDCommandLineTests.executable(),
            ["run", "--config", file.path, "--state-dir", directory.appendingPathComponent("state").path])
        defer { lbd.stop() }
        let dig = try #require(Peers.find("dig"))
        let read = { (alias: String) throws -> [String] in
            let run = try Peers.run(
                dig,
                ["@127.0.0.1", "-p", String(dnsPort), alias + ".", "A", "+short", "+tries=1", "+time=2"],
                timeout: 10)
            guard run.status == 0 else { throw PeerError("dig failed: \(run.output) \(run.errors)") }
            return run.output.split(separator: "\n").map(String.init).sorted()
        }

        try await followTheNodes(nodes, lbd: lbd, read: read)

        // A broken file (and a SIGHUP) is reported, and the running configuration keeps serving.
        try "aliases: [unclosed".write(to: file, atomically: true, encoding: .utf8)
        kill(lbd.pid, SIGHUP)
        try await Task.sleep(for: .seconds(Self.pollingInterval + 1))
        #expect(lbd.isRunning)
        #expect(lbd.errorOutput.contains("the running one is kept"), "\(lbd.errorOutput.suffix(2000))")
        #expect(try read(Self.www) == ["127.0.0.2"])
        #expect(try read(Self.frontier) == ["127.0.0.6"])

        kill(lbd.pid, SIGTERM)
        #expect(lbd.waitForExit(timeout: 15) == 0, "\(lbd.errorOutput.suffix(2000))")
        print("[e2e] embedded server test took \(ContinuousClock.now - started)")
    }
}
