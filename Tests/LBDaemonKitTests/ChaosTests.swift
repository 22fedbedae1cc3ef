import DNS
import Foundation
import LBCore
import LBTestSupport
import NIOCore
import SNMP
import Testing

/// `lbd run`, the built binary, publishing to its own DNS server and to a real BIND, against a
/// fleet of SNMPv3 nodes that misbehave in every way a network can, while BIND is killed,
/// restarted with a wrong key, and the configuration is reloaded every second.
///
/// What must hold throughout: lbd never exits; every decision publishes exactly the healthy,
/// least loaded members (never a faulty one, never fewer because a poll was cut short); both DNS
/// servers converge to that set after each fault; and lbd logs each faulty member as unusable.
@Suite(.serialized) struct ChaosTests {
    static let password = "chaos-snmp-password"
    static let user = USMUser(name: "loadbalancing", authentication: .init(.md5, password: password))
    static let bestHosts = 2

    // MARK: - The fleet

    /// Healthy nodes and their first loads; `mutable` goes through faults and back.
    static let healthy: [String: Int32] = [
        "127.77.0.1": 10, "127.77.0.2": 20, "127.77.0.3": 30, "127.77.0.4": 40, "127.77.0.5": 50,
    ]
    static let mutable = "127.77.0.6"
    static let mutableLoad: Int32 = 5
    /// Answers a good load, many times over, among garbage: usable.
    static let flood = "127.77.0.7"
    static let floodLoad: Int32 = 15

    static let statusAlias = "status.chaos.test"
    static let usmAlias = "usm.chaos.test"
    static let typesAlias = "types.chaos.test"
    static let junkAlias = "junk.chaos.test"
    static let aliases = [statusAlias, usmAlias, typesAlias, junkAlias]

    /// The faulty nodes that never change, and the alias each belongs to.
    static let faulty: [(address: String, behaviour: ChaosBehaviour, alias: String)] = {
        var nodes: [(String, ChaosBehaviour, String)] = []
        for status in 1...18 { nodes.append(("127.77.1.\(status)", .errorStatus(status), statusAlias)) }
        let reports: [USMError] = [
            .unknownUserName, .wrongDigest, .notInTimeWindow, .unknownEngineID, .decryptionError,
            .unsupportedSecurityLevel,
        ]
        for (index, error) in reports.enumerated() {
            nodes.append(("127.77.2.\(index + 1)", .report(error), usmAlias))
        }
        let types: [SNMPValue] = [
            .gauge32(1), .timeTicks(1), .counter32(1), .objectIdentifier(OID(loadReportOID)!),
            .ipAddress(0, 0, 0, 1), .null,
        ]
        for (index, value) in types.enumerated() {
            nodes.append(("127.77.3.\(index + 1)", .value(value), typesAlias))
        }
        nodes.append(("127.77.3.7", .wrongOID, typesAlias))
        let junk: [ChaosBehaviour] = [
            .wrongMessageID, .wrongRequestID, .truncated, .garbage,
            .value(.string("\(junkAlias)=" + String(repeating: "9", count: 60_000))),
            .value(.string("\(junkAlias)=abc")), .value(.string("\(junkAlias)=1e999")), .silent, .unreachable,
        ]
        for (index, behaviour) in junk.enumerated() {
            nodes.append(("127.77.4.\(index + 1)", behaviour, junkAlias))
        }
        return nodes
    }()

    /// Every alias mixes faulty and healthy members; the mutable node is in two.
    static let members: [String: [String]] = {
        var members: [String: [String]] = [
            statusAlias: ["127.77.0.1", "127.77.0.3", "127.77.0.5", mutable],
            usmAlias: ["127.77.0.2", "127.77.0.4", mutable],
            typesAlias: ["127.77.0.3", "127.77.0.4", "127.77.0.5"],
            junkAlias: ["127.77.0.1", "127.77.0.2", flood],
        ]
        for node in faulty { members[node.alias, default: []].append(node.address) }
        return members
    }()

    /// What every node of the fleet does at the start.
    static var fleetBehaviours: [String: ChaosBehaviour] {
        var behaviours = Dictionary(uniqueKeysWithValues: faulty.map { ($0.address, $0.behaviour) })
        for (address, load) in healthy { behaviours[address] = .load(load) }
        behaviours[mutable] = .load(mutableLoad)
        behaviours[flood] = .flood(load: floodLoad)
        return behaviours
    }

    /// The nodes lbd may publish at some point: every other one must never be chosen.
    static let publishable = Set(healthy.keys).union([mutable, flood])

    // MARK: - The run

    @Test func lbdSurvivesAMisbehavingFleetAndBindFaultsAndReloads() async throws {
        guard Peers.available("named") else { return }
        let started = ContinuousClock.now
        let fleet = try await ChaosFleet.start(Self.fleetBehaviours, user: Self.user, seed: 2026)
        let secret = Self.randomSecret()
        let named: ChaosNamed
        do {
            named = try await ChaosNamed(aliases: Self.aliases, secret: secret)
        } catch {
            await fleet.stop()
            throw error
        }
        let directory = try Peers.temporaryDirectory("lbd-chaos")
        defer {
            named.stop()
            try? FileManager.default.removeItem(at: directory)
        }
        do {
            var run = try ChaosRun(fleet: fleet, named: named, directory: directory, secret: secret)
            defer { run.lbd.stop() }
            try await run.play()
        } catch {
            await fleet.stop()
            throw error
        }
        await fleet.stop()
        print("[chaos] took \(ContinuousClock.now - started)")
    }

    /// The fleet itself, seen by the SNMP library's client: each behaviour gives the answer it
    /// claims, so the run above tests lbd and not a broken fleet.
    @Test func theChaosFleetAnswersAsEachBehaviourSays() async throws {
        let behaviours = Self.fleetBehaviours
        let fleet = try await ChaosFleet.start(behaviours, user: Self.user, seed: 7)
        let client = try await SNMPClient.start()
        let results = await withTaskGroup(of: (String, Result<[VariableBinding], SNMPClientError>).self) {
            group in
            for address in behaviours.keys {
                group.addTask {
                    do {
                        let values = try await client.get(
                            [OID(loadReportOID)!],
                            from: try SocketAddress(ipAddress: address, port: fleet.port),
                            credentials: .user(Self.user), timeout: .milliseconds(300), retries: 1)
                        return (address, .success(values))
                    } catch let error as SNMPClientError {
                        return (address, .failure(error))
                    } catch {
                        return (address, .failure(.shutDown))
                    }
                }
            }
            var results: [String: Result<[VariableBinding], SNMPClientError>] = [:]
            for await (address, result) in group { results[address] = result }
            return results
        }
        await client.shutdown()
        await fleet.stop()
        for (address, behaviour) in behaviours.sorted(by: { $0.key < $1.key }) {
            let result = try #require(results[address])
            let load = [VariableBinding(oid: OID(loadReportOID)!, value: .integer(ChaosBehaviour.tempting))]
            switch (behaviour, result) {
            case (.load(let value), .success(let values)), (.flood(let value), .success(let values)):
                #expect(
                    values == [VariableBinding(oid: OID(loadReportOID)!, value: .integer(value))],
                    "\(address)")
            case (.errorStatus(let status), .failure(.errorStatus(let got, let index))):
                #expect(got.rawValue == status && index == 1, "\(address)")
            case (.report(let error), .failure(.security(let got))):
                #expect(got == error, "\(address)")
            case (.value(let value), .success(let values)):
                #expect(values == [VariableBinding(oid: OID(loadReportOID)!, value: value)], "\(address)")
            case (.wrongOID, .success(let values)):
                #expect(values.map(\.oid) == [ChaosResponder.otherOID] && values != load, "\(address)")
            case (.wrongRequestID, .failure(.malformedResponse)):
                break
            case (.wrongMessageID, .failure(.timeout)), (.truncated, .failure(.timeout)),
                (.garbage, .failure(.timeout)), (.silent, .failure(.timeout)),
                (.unreachable, .failure(.timeout)),
                (.truncated, .failure(.malformedResponse)), (.garbage, .failure(.malformedResponse)):
                break
            default:
                Issue.record("\(address) (\(behaviour)) answered \(result)")
            }
        }
        // The flood node sent its copies: the client took one answer to each request.
        #expect(fleet.received(Self.flood) >= 2)
    }

    static func randomSecret() -> String {
        Data((0..<32).map { _ in UInt8.random(in: .min ... .max) }).base64EncodedString()
    }
}

/// One run of lbd against the fleet: its configuration, the loads the test set, the phases.
private struct ChaosRun {
    let fleet: ChaosFleet
    let named: ChaosNamed
    let secret: String
    let lbd: PeerProcess
    let logFile: URL
    let configFile: URL
    let embedded: SocketAddress
    let embeddedPort: Int
    /// The behaviour of every node, as the fleet has it.
    var behaviours: [String: ChaosBehaviour]
    /// The polling interval of the status alias in the file now, in seconds; the other aliases
    /// keep the default of 1 s.
    var statusInterval = 1
    /// Reloads the test asked for so far; written in the file, so each rewrite changes it.
    var reloads = 0

    init(fleet: ChaosFleet, named: ChaosNamed, directory: URL, secret: String) throws {
        self.fleet = fleet
        self.named = named
        self.secret = secret
        embeddedPort = try Peers.freeUDPAndTCPPort()
        embedded = try SocketAddress(ipAddress: "127.0.0.1", port: embeddedPort)
        behaviours = ChaosTests.fleetBehaviours
        configFile = directory.appendingPathComponent("lbd.yaml")
        logFile = directory.appendingPathComponent("lbd.log")
        let lbdPath = try LBDCommandLineTests.executable()
        try Self.configuration(
            snmpPort: fleet.port, bindPort: named.port, embeddedPort: embeddedPort, secret: secret,
            statusInterval: statusInterval, reloads: reloads
        ).write(to: configFile, atomically: true, encoding: .utf8)
        let state = directory.appendingPathComponent("state")
        try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
        let arguments = [
            "run", "--config", configFile.path, "--state-dir", state.path, "--log-format", "json",
            "--log-level", "debug",
        ]
        // Through a shell only to send stderr to a file the test reads even when it is not UTF-8;
        // `exec` leaves lbd with the shell's pid, so signals and the exit status are lbd's.
        let command = ([lbdPath] + arguments).map(Self.quoted).joined(separator: " ")
        lbd = try PeerProcess("/bin/sh", ["-c", "exec \(command) 2>\(Self.quoted(logFile.path))"])
    }

    private static func quoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    func configuration() -> String {
        Self.configuration(
            snmpPort: fleet.port, bindPort: named.port, embeddedPort: embeddedPort, secret: secret,
            statusInterval: statusInterval, reloads: reloads)
    }

    /// lbd's configuration: short intervals and timeouts so the run converges fast.
    static func configuration(
        snmpPort: Int, bindPort: Int, embeddedPort: Int, secret: String, statusInterval: Int, reloads: Int
    ) -> String {
        let aliases = ChaosTests.aliases.map { alias in
            "  \(alias):\n    members: [\(ChaosTests.members[alias]!.joined(separator: ", "))]"
                + (alias == ChaosTests.statusAlias ? "\n    polling_interval: \(statusInterval)s" : "")
        }
        return """
            # reload \(reloads)
            version: 1
            defaults:
              best_hosts: \(ChaosTests.bestHosts)
              polling_interval: 1s
            aliases:
            \(aliases.joined(separator: "\n"))
            snmp:
              version: v3
              port: \(snmpPort)
              user: \(ChaosTests.user.name)
              auth_protocol: md5
              auth_password: \(ChaosTests.password)
              timeout: 300ms
              retries: 1
            dns:
              server: 127.0.0.1:\(bindPort)
              timeout: 500ms
              retries: 1
              views:
                internal:
                  key_name: \(ChaosNamed.keyName).
                  algorithm: hmac-sha256
                  secret: \(secret)
              embedded:
                listen: 127.0.0.1:\(embeddedPort)

            """
    }

    /// What lbd logged so far, even if some bytes are not UTF-8.
    var logText: String {
        String(decoding: (try? Data(contentsOf: logFile)) ?? Data(), as: UTF8.self)
    }

    var log: ChaosLog { ChaosLog(Substring(logText)) }

    /// Bytes lbd logged so far: a mark for `log(since:)`.
    var logSize: Int { (try? Data(contentsOf: logFile))?.count ?? 0 }

    /// What lbd logged after `mark`.
    func log(since mark: Int) -> ChaosLog {
        let data = (try? Data(contentsOf: logFile)) ?? Data()
        return ChaosLog(Substring(String(decoding: data.dropFirst(mark), as: UTF8.self)))
    }

    func tail(_ count: Int = 3000) -> String { "lbd: \(logText.suffix(count))" }

    // MARK: - Expectations

    /// The addresses each alias must publish now: the least loaded usable members.
    func expected() -> [String: [String]] {
        var result: [String: [String]] = [:]
        for alias in ChaosTests.aliases {
            let usable = ChaosTests.members[alias]!.compactMap { address -> (String, Int)? in
                guard let load = behaviours[address]?.usableLoad else { return nil }
                return (address, load)
            }
            result[alias] = usable.sorted { ($0.1, $0.0) < ($1.1, $1.0) }.prefix(ChaosTests.bestHosts).map(
                \.0
            )
            .sorted()
        }
        return result
    }

    mutating func set(_ address: String, _ behaviour: ChaosBehaviour) {
        behaviours[address] = behaviour
        fleet.set(address, behaviour)
    }

    /// Waits until every server in `servers` answers the expected set for every alias, for at
    /// most `seconds`; returns what still differs.
    func converge(_ servers: [(name: String, address: SocketAddress)], within seconds: Int = 10) async
        -> [String]
    {
        let wanted = expected()
        let deadline = ContinuousClock.now + .seconds(seconds)
        var differences: [String] = []
        repeat {
            differences = []
            for server in servers {
                for alias in ChaosTests.aliases {
                    let answer =
                        (try? await ChaosDNS.addresses(alias, at: server.address)).map { "\($0)" }
                        ?? "no answer"
                    if answer != "\(wanted[alias]!)" {
                        differences.append(
                            "\(alias) on \(server.name): \(answer), expected \(wanted[alias]!)")
                    }
                }
            }
            if differences.isEmpty { return [] }
            if !lbd.isRunning { return differences + ["lbd is not running"] }
            try? await Task.sleep(for: .milliseconds(200))
        } while ContinuousClock.now < deadline
        return differences
    }

    var bothServers: [(name: String, address: SocketAddress)] {
        [("lbd", embedded), ("BIND", named.address)]
    }

    func expectRunning(_ phase: String) {
        #expect(lbd.isRunning, "lbd exited during \(phase). \(tail())")
    }

    // MARK: - Phases

    mutating func play() async throws {
        let converged = await converge(bothServers, within: 20)
        #expect(converged.isEmpty, "first convergence: \(converged). \(tail())")
        expectRunning("the start")

        await faultCycle()
        try await bindKilled()
        try await wrongKey()
        try await reloadStorm()
        try await finish()
    }

    /// The mutable node, chosen in two aliases, goes through faults; each time it must leave DNS,
    /// and come back once healthy.
    mutating func faultCycle() async {
        let faults: [ChaosBehaviour] = [
            .errorStatus(5), .report(.wrongDigest), .value(.timeTicks(UInt32(ChaosTests.mutableLoad))),
            .silent,
        ]
        for fault in faults {
            set(ChaosTests.mutable, fault)
            var left = await converge(bothServers)
            #expect(left.isEmpty, "the mutable node answering \(fault) must leave DNS: \(left). \(tail())")
            set(ChaosTests.mutable, .load(ChaosTests.mutableLoad))
            left = await converge(bothServers)
            #expect(left.isEmpty, "the mutable node healthy again after \(fault): \(left). \(tail())")
            expectRunning("\(fault)")
        }
    }

    /// BIND is killed, the loads change, BIND comes back without lbd's records: lbd keeps serving
    /// its own zone, then puts BIND right.
    mutating func bindKilled() async throws {
        named.kill()
        set("127.77.0.1", .load(60))
        var left = await converge([("lbd", embedded)])
        #expect(left.isEmpty, "the embedded server follows while BIND is dead: \(left). \(tail())")
        try await Task.sleep(for: .seconds(2))
        expectRunning("BIND's death")
        try await named.start(secret: secret, freshZones: true)
        left = await converge(bothServers)
        #expect(left.isEmpty, "BIND restarted without the records is put right: \(left). \(tail())")
    }

    /// BIND comes back knowing the key by another secret: lbd cannot publish there, says so, and
    /// keeps serving its own zone; with the right key again, BIND catches up.
    mutating func wrongKey() async throws {
        let before = expected()
        named.stop()
        try await named.start(secret: ChaosTests.randomSecret(), freshZones: false)
        let mark = logSize
        set("127.77.0.1", .load(10))
        var left = await converge([("lbd", embedded)])
        #expect(left.isEmpty, "the embedded server follows while BIND refuses the key: \(left). \(tail())")
        try await Task.sleep(for: .seconds(3))
        for alias in ChaosTests.aliases {
            let answer = try? await named.addresses(alias)
            #expect(answer == before[alias], "BIND must keep what it had under a wrong key: \(alias)")
        }
        let failures = log(since: mark).objects.filter {
            $0["level"] == "warning" || $0["level"] == "error"
        }.filter { $0["message"]?.contains("publish") == true || $0["action"] == "failed" }
        #expect(!failures.isEmpty, "a publication refused for its key is logged. \(tail())")
        expectRunning("the wrong key")
        named.stop()
        try await named.start(secret: secret, freshZones: false)
        left = await converge(bothServers)
        #expect(left.isEmpty, "BIND with the right key again catches up: \(left). \(tail())")
    }

    /// The configuration is rewritten and lbd sent SIGHUP every second (each rewrite also reloads
    /// through the file watch). Each rewrite redefines the status alias (its polling interval,
    /// 1 s and 2 s in turn) and changes only a comment for the others. No decision in that
    /// stretch may differ from the expected set, and the aliases that did not change must go on
    /// being decided.
    mutating func reloadStorm() async throws {
        let wanted = expected()
        let mark = logSize
        let rewrites = 10
        for _ in 0..<rewrites {
            reloads += 1
            statusInterval = statusInterval == 1 ? 2 : 1
            try configuration().write(to: configFile, atomically: true, encoding: .utf8)
            kill(lbd.pid, SIGHUP)
            try await Task.sleep(for: .seconds(1))
        }
        expectRunning("the reloads")
        let stretch = log(since: mark)
        #expect(stretch.count(messageContaining: "reloaded") >= rewrites, "\(tail())")
        let decisions = stretch.decisions
        for decision in decisions where decision.chosen != wanted[decision.alias] {
            Issue.record(
                "a decision during the reloads differs from \(wanted[decision.alias] ?? []): \(decision.line)"
            )
        }
        for alias in ChaosTests.aliases where alias != ChaosTests.statusAlias {
            let count = decisions.filter { $0.alias == alias }.count
            #expect(
                count >= 2, "\(alias), unchanged, is decided during the reloads (\(count) times). \(tail())")
        }
        set("127.77.0.3", .load(70))
        let left = await converge(bothServers)
        #expect(left.isEmpty, "DNS follows a load change after the reloads: \(left). \(tail())")
    }

    /// A clean stop in the middle of a poll, then every decision of the run and every faulty
    /// member's log. `LB_CHAOS_LOG=FILE` keeps lbd's log there.
    func finish() async throws {
        expectRunning("the run")
        // SIGTERM just after the silent node was asked: the junk alias's poll is in flight (the
        // node makes it last two timeouts), and must finish and be decided, not be cut short.
        let silent = ChaosTests.faulty.first { $0.behaviour == .silent }!.address
        let asked = fleet.received(silent)
        let deadline = ContinuousClock.now + .seconds(10)
        while fleet.received(silent) == asked, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        let mark = logSize
        kill(lbd.pid, SIGTERM)
        #expect(lbd.waitForExit(timeout: 15) == 0, "lbd stops cleanly on SIGTERM. \(tail())")
        let afterStop = log(since: mark).decisions
        #expect(
            afterStop.contains { $0.alias == ChaosTests.junkAlias },
            "the evaluation in flight at SIGTERM is finished and decided. \(tail())")
        let log = self.log
        let decisions = log.decisions
        #expect(decisions.count > 20, "\(tail())")
        for decision in decisions {
            let faulty = decision.chosen.filter { !ChaosTests.publishable.contains($0) }
            if !faulty.isEmpty {
                Issue.record("faulty member(s) \(faulty) chosen: \(decision.line)")
            }
            if decision.chosen.count != ChaosTests.bestHosts {
                Issue.record(
                    "a decision without \(ChaosTests.bestHosts) addresses (a healthy member dropped): \(decision.line)"
                )
            }
        }
        var uncaused: [String] = []
        for node in ChaosTests.faulty {
            let lines = log.lines(mentioning: node.address)
            let unusable = lines.contains { line in
                ["unusable", "not usable"].contains { line.localizedCaseInsensitiveContains($0) }
            }
            #expect(unusable, "\(node.address) (\(node.behaviour)) is logged as not usable")
            if !lines.contains(where: { line in
                Self.causeWords(node.behaviour).contains { line.localizedCaseInsensitiveContains($0) }
            }) {
                uncaused.append("\(node.address) \(node.behaviour)")
            }
        }
        // Every faulty member's log names its cause, not only that it is unusable.
        #expect(uncaused.isEmpty, "members logged without their cause: \(uncaused.joined(separator: "; "))")
        if let keep = ProcessInfo.processInfo.environment["LB_CHAOS_LOG"] {
            try? FileManager.default.copyItem(at: logFile, to: URL(fileURLWithPath: keep))
        }
        print(
            "[chaos] \(decisions.count) decisions, \(reloads) reloads; fleet received \(fleet.received(ChaosTests.flood)) datagrams at the flood node"
        )
    }

    /// Words one of which the log line of a member should hold to name its fault.
    static func causeWords(_ behaviour: ChaosBehaviour) -> [String] {
        switch behaviour {
        case .errorStatus(let status):
            return [SNMPErrorStatus(rawValue: status)?.description ?? "error-status"]
        case .report(let error):
            let counter = error.description.split(separator: "(").last?.split(separator: ")").first
            return counter.map { [String($0)] } ?? ["usmStats"]
        case .value(.octetString): return ["malformed"]
        case .value(let value): return [value.typeName, "wrong_type"]
        case .wrongOID: return ["wrong_oid", "another OID"]
        case .wrongRequestID: return ["malformed", "does not match"]
        case .wrongMessageID, .truncated, .garbage, .silent, .unreachable:
            return ["timeout", "no answer", "no_answer"]
        case .load, .flood: return []
        }
    }
}
