import DNS
import Foundation
import LBTestSupport
import NIOCore
import SNMP
import Synchronization
import Testing

/// `lbd run --state-dir` restarted while a BIND and a Knot secondary follow its embedded server
/// and a client queries all three without a pause: no alias ever answers NXDOMAIN or empty,
/// no serial goes back, a `keep` alias whose only member is drained keeps its address across
/// the restart everywhere, and the change made while lbd was down reaches the secondaries by
/// NOTIFY once the first round is complete.
@Suite(.serialized) struct RestartInteropTests {
    static let zone = "lb.example"
    static let www = "www.lb.example"
    static let keep = "keep.lb.example"
    static let loadOID = OID(".1.3.6.1.4.1.96.255.1")!

    static func configuration(snmpPort: Int, dnsPort: Int, secondaries: [Int]) -> String {
        """
        version: 1
        defaults:
          polling_interval: 1s
          when_none_usable: keep
        aliases:
          \(www):
            members: [127.0.0.2, 127.0.0.3]
            best_hosts: 1
          \(keep):
            members: [127.0.0.4]
        snmp:
          version: v2c
          community: public
          port: \(snmpPort)
          timeout: 500ms
          retries: 0
        dns:
          embedded:
            listen: 127.0.0.1:\(dnsPort)
            zone: \(zone)
            nameserver: ns.\(zone).
            mailbox: hostmaster.\(zone).
            notify: [\(secondaries.map { "\"127.0.0.1:\($0)\"" }.joined(separator: ", "))]
            transfer_from: [127.0.0.1]

        """
    }

    /// What one query got.
    enum Answer: Equatable, CustomStringConvertible {
        case addresses([String])
        case negative(String)
        case noAnswer

        var description: String {
            switch self {
            case .addresses(let list): return list.joined(separator: " ")
            case .negative(let what): return what
            case .noAnswer: return "no answer"
            }
        }
    }

    static let client = DNSClient(options: DNSClient.Options(timeout: .milliseconds(300), retries: 0))

    static func query(_ alias: String, at server: SocketAddress) async -> Answer {
        let response: DNSResponse
        do {
            response = try await client.query(try! DomainName(parsing: alias + "."), type: .a, server: server)
        } catch let error as DNSClientError {
            // The client returns NOERROR answers only: any other RCODE is an answer too.
            return error.responseCode.map { .negative("\($0)") } ?? .noAnswer
        } catch {
            return .noAnswer
        }
        let message = response.message
        guard message.responseCode == .noError else { return .negative("\(message.responseCode)") }
        let addresses = message.answers.compactMap { record -> String? in
            guard case .a(let address) = record.data else { return nil }
            return "\(address)"
        }
        return addresses.isEmpty ? .negative("NODATA") : .addresses(addresses.sorted())
    }

    static func serial(at server: SocketAddress) async -> UInt32? {
        guard
            let response = try? await client.query(
                try! DomainName(parsing: zone + "."), type: .soa, server: server),
            case .soa(let soa)? = response.message.answers.first?.data
        else { return nil }
        return soa.serial
    }

    /// Queries every alias on every server in a loop until stopped, and keeps what went wrong.
    final class Watch: Sendable {
        struct State {
            var failures: [String] = []
            var queries = 0
            var lastSerial: [String: UInt32] = [:]
            var serialsSeen: [String: Set<UInt32>] = [:]
        }
        let state = Mutex(State())
        let stopped = Atomic(false)

        /// Silence from the primary is no failure (it is restarting, and then resolvers ask
        /// the secondaries); any answer but the addresses is, and a secondary must answer.
        func run(servers: [(String, SocketAddress)], aliases: [String]) async {
            let deadline = ContinuousClock.now + .seconds(120)
            while !stopped.load(ordering: .relaxed), ContinuousClock.now < deadline {
                for (name, server) in servers {
                    for alias in aliases {
                        let answer = await RestartInteropTests.query(alias, at: server)
                        state.withLock { state in
                            state.queries += 1
                            switch answer {
                            case .addresses: break
                            case .noAnswer where name == "lbd": break
                            default: state.failures.append("\(name) \(alias): \(answer)")
                            }
                        }
                    }
                    if let serial = await RestartInteropTests.serial(at: server) {
                        state.withLock { state in
                            if let last = state.lastSerial[name], SerialNumber.isGreater(last, than: serial) {
                                state.failures.append("\(name) serial went back from \(last) to \(serial)")
                            }
                            state.lastSerial[name] = serial
                            state.serialsSeen[name, default: []].insert(serial)
                        }
                    }
                }
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
    }

    /// Polls until every server answers `expected` for `alias`, for at most `seconds`; the
    /// answers of the last round otherwise.
    static func waitFor(
        _ alias: String, _ expected: [String], at servers: [(String, SocketAddress)], seconds: Int = 30
    ) async -> [String: Answer] {
        let deadline = ContinuousClock.now + .seconds(seconds)
        var answers: [String: Answer] = [:]
        while ContinuousClock.now < deadline {
            for (name, server) in servers { answers[name] = await query(alias, at: server) }
            if answers.values.allSatisfy({ $0 == .addresses(expected) }) { return answers }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return answers
    }

    static func startLBD(config: String, stateDirectory: String) throws -> PeerProcess {
        try PeerProcess(
            try LBDCommandLineTests.executable(),
            ["run", "--config", config, "--state-dir", stateDirectory, "--log-format", "json"])
    }

    @Test func aRestartServesTheLastStateEverywhereAndKeepsKeepAliases() async throws {
        guard Peers.available("named", "knotd", "dig") else { return }
        // www's best is .2 (load 10); keep's only member is .4.
        let (agents, snmpPort) = try await LoopbackAgents.start([10, 20, 30])
        let dnsPort = try Peers.freeUDPAndTCPPort()
        let bind = try ZoneSecondary.named(zone: Self.zone, primaryPort: dnsPort)
        defer { bind.stop() }
        let knot = try ZoneSecondary.knot(zone: Self.zone, primaryPort: dnsPort)
        defer { knot.stop() }
        let directory = try Peers.temporaryDirectory("lbd-restart")
        defer { try? FileManager.default.removeItem(at: directory) }
        let stateDirectory = directory.appendingPathComponent("state").path
        let config = directory.appendingPathComponent("lbd.yaml")
        try Self.configuration(snmpPort: snmpPort, dnsPort: dnsPort, secondaries: [bind.port, knot.port])
            .write(to: config, atomically: true, encoding: .utf8)
        let primary = try SocketAddress(ipAddress: "127.0.0.1", port: dnsPort)
        let servers = [("lbd", primary), ("bind", bind.address), ("knot", knot.address)]

        // First start: no state file.
        var lbd = try Self.startLBD(config: config.path, stateDirectory: stateDirectory)
        defer { lbd.stop() }
        let logs = {
            "lbd: \(lbd.errorOutput.suffix(3000))\nbind: \(bind.process.errorOutput.suffix(1500))\nknot: \(knot.process.errorOutput.suffix(1500))"
        }
        #expect(
            await Self.waitFor(Self.www, ["127.0.0.2"], at: servers).values.allSatisfy {
                $0 == .addresses(["127.0.0.2"])
            }, "\(logs())")
        #expect(
            await Self.waitFor(Self.keep, ["127.0.0.4"], at: servers).values.allSatisfy {
                $0 == .addresses(["127.0.0.4"])
            }, "\(logs())")
        #expect(lbd.errorOutput.contains("first start"))
        #expect(lbd.errorOutput.contains("first round complete"))

        // keep's only member is drained (lbclient's code for a nologin file): kept as it is.
        agents[2].register(Self.loadOID, value: .integer(-14))
        let watch = Watch()
        let watching = Task { await watch.run(servers: servers, aliases: [Self.www, Self.keep]) }
        try await Task.sleep(for: .seconds(3))
        #expect(await Self.query(Self.keep, at: primary) == .addresses(["127.0.0.4"]))
        let serialBefore = try #require(await Self.serial(at: primary))

        // Stop lbd; while it is down, www's best member changes (.2 drained).
        kill(lbd.pid, SIGTERM)
        #expect(lbd.waitForExit(timeout: 15) == 0)
        let state = try #require(try StateFileProbe.read(stateDirectory))
        #expect(state.contains("\"version\" : 1") && state.contains("127.0.0.4"))
        agents[0].register(Self.loadOID, value: .integer(-14))
        try await Task.sleep(for: .seconds(1))

        lbd = try Self.startLBD(config: config.path, stateDirectory: stateDirectory)
        // The change made while lbd was down reaches the secondaries (by NOTIFY: their SOA
        // refresh is an hour away) once the first round is complete.
        let followed = await Self.waitFor(Self.www, ["127.0.0.3"], at: servers)
        #expect(followed.values.allSatisfy { $0 == .addresses(["127.0.0.3"]) }, "\(followed) \(logs())")
        try await Task.sleep(for: .seconds(2))
        watch.stopped.store(true, ordering: .relaxed)
        await watching.value

        let watched = watch.state.withLock { $0 }
        #expect(watched.failures.isEmpty, "\(watched.failures.prefix(20)) \(logs())")
        #expect(watched.queries > 50)
        #expect(lbd.errorOutput.contains("loaded the published state"), "\(logs())")
        #expect(lbd.errorOutput.contains("first round complete"))
        // The keep alias kept its address on lbd and both secondaries after the restart.
        for (name, server) in servers {
            #expect(await Self.query(Self.keep, at: server) == .addresses(["127.0.0.4"]), "\(name)")
        }
        // The serial went on from the one before the restart, on all three.
        let serialAfter = try #require(await Self.serial(at: primary))
        #expect(SerialNumber.isGreater(serialAfter, than: serialBefore))
        for (_, server) in servers.dropFirst() {
            #expect(await Self.serial(at: server) == serialAfter)
        }
        kill(lbd.pid, SIGTERM)
        #expect(lbd.waitForExit(timeout: 15) == 0)
        for agent in agents { await agent.stop() }
    }
}

/// Reads the state file as text.
enum StateFileProbe {
    static func read(_ directory: String) throws -> String? {
        try? String(contentsOfFile: directory + "/published-state.json", encoding: .utf8)
    }
}
