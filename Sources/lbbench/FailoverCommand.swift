import ArgumentParser
import Foundation
import LBCore
import SNMP

/// `lbbench failover`: how long a pair of `lbd run`s takes to fail over, measured from outside
/// as an operator sees it: the active instance is killed with SIGKILL, and the clock stops when
/// BIND's answer for the alias becomes what the standby publishes (its first UPDATE accepted).
struct FailoverCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "failover",
        abstract: "Failover time of an HA pair: active killed -> standby's first UPDATE accepted by BIND.",
        discussion: """
            Starts, on 127.0.0.0/8 in a temporary directory: two SNMP nodes of ours (127.77.0.1, \
            load 10, and 127.77.0.2, load 20, one free port), a BIND taking signed UPDATEs for the \
            alias's zone, for --mode lease a PostgreSQL cluster, and two `lbd run`s (lbd-a, lbd-b, \
            the lbd next to this lbbench). lbd-a's alias has the first node as its member and \
            lbd-b's the second, so that BIND's answer shows who published. Each run waits a random \
            part of the standby's check interval, kills the active with SIGKILL, polls BIND \
            every 50 ms until it answers the standby's node, then restarts the killed instance: in heartbeat mode lbd-a (the master) publishes again \
            and lbd-b hands back after --hold-down; in lease mode the restarted instance is the \
            new standby and the next run kills the other one.
            """
    )

    enum Mode: String, ExpressibleByArgument, CaseIterable {
        case heartbeat
        case lease
    }

    static let alias = "failover.bench.test"
    static let nodes = ["127.77.0.1", "127.77.0.2"]

    @Option(help: "heartbeat (golbd's, ha.master lbd-a) or lease (PostgreSQL, fenced).") var mode: Mode
    @Option(help: "Failovers to measure.") var runs = 10
    @Option(help: "Heartbeat mode: ha.takeover_after in seconds.") var takeoverAfter = 30
    @Option(help: "Heartbeat mode: ha.hold_down in seconds (how long lbd-b waits to hand back).")
    var holdDown = 5
    @Option(help: "Lease mode: ha.lease.ttl in seconds.") var ttl = 10
    @Option(help: "defaults.polling_interval in seconds (one evaluation cycle).") var pollingInterval = 1
    @Option(help: "Seed of the random pause before each kill.") var seed: UInt64 = 2026
    @Flag(help: "Keep the temporary directory (lbd's files and JSON logs) and print where it is.")
    var keep = false

    func validate() throws {
        guard (1...100).contains(runs), (1...600).contains(takeoverAfter), (1...600).contains(holdDown),
            (3...600).contains(ttl), (1...60).contains(pollingInterval)
        else {
            throw ValidationError(
                "--runs 1...100, --takeover-after 1...600, --hold-down 1...600, --ttl 3...600, "
                    + "--polling-interval 1...60")
        }
    }

    /// The failover this configuration aims at, in seconds: what a run is bounded by (twice it,
    /// plus 30 s) before it counts as a timeout.
    var expected: Int {
        switch mode {
        case .heartbeat: takeoverAfter + pollingInterval
        case .lease: ttl + pollingInterval
        }
    }

    /// How often the standby looks: a heartbeat check every min(10 s, takeover_after / 3), a
    /// lease attempt every ttl / 3. Each kill waits a random part of it, so that the kills do not
    /// all fall at the same point of the standby's cycle (right after the wait for a hand-back).
    var checkInterval: Double {
        switch mode {
        case .heartbeat: min(10, Double(takeoverAfter) / 3)
        case .lease: Double(ttl) / 3
        }
    }

    func run() async throws {
        let lbd = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("lbd").path
        guard FileManager.default.isExecutableFile(atPath: lbd) else {
            throw BenchmarkError("\(lbd) not found: build lbd too (swift build --product lbd)")
        }
        let settings =
            switch mode {
            case .heartbeat: "takeover_after \(takeoverAfter) s, hold_down \(holdDown) s"
            case .lease: "lease ttl \(ttl) s (renewed every \(String(format: "%.1f", Double(ttl) / 3)) s)"
            }
        print(
            "# lbbench failover --mode \(mode.rawValue): \(settings), polling_interval \(pollingInterval) s, "
                + "BIND polled every 50 ms, \(runs) runs, each bounded to \(2 * expected + 30) s, "
                + "killed after a random pause of up to \(String(format: "%.1f", checkInterval)) s (seed \(seed))"
        )

        try await BenchmarkDirectory.with(prefix: "lbbench-failover", keep: keep) { directory in
            let (agents, snmpPort) = try await Self.startNodes()
            do {
                try await measure(in: directory, lbd: lbd, snmpPort: snmpPort)
            } catch {
                for agent in agents { await agent.stop() }
                throw error
            }
            for agent in agents { await agent.stop() }
        }
    }

    /// Everything after the nodes: BIND, PostgreSQL, the pair, the runs.
    private func measure(in directory: URL, lbd: String, snmpPort: Int) async throws {
        let named = try await FailoverNamed.start(alias: Self.alias)
        defer { named.stop() }
        let postgres = mode == .lease ? try FailoverPostgres() : nil
        defer { postgres?.stop() }
        let pair = try ["lbd-a", "lbd-b"].map {
            try FailoverInstance(name: $0, in: directory, executable: lbd)
        }
        defer { for instance in pair { instance.stop() } }
        let httpPorts = try pair.map { _ in try LoopbackPort.bound(SOCK_STREAM, port: 0) }
        for (index, instance) in pair.enumerated() {
            let ha =
                switch mode {
                case .heartbeat:
                    """
                      mode: heartbeat
                      master: lbd-a
                      heartbeat_directory: \(instance.heartbeatDirectory)
                      heartbeat_file: heartbeat
                      heartbeat_url: http://127.0.0.1:\(httpPorts[0])/load-balancing/heartbeat
                      takeover_after: \(takeoverAfter)s
                      hold_down: \(holdDown)s
                    """
                case .lease:
                    """
                      mode: lease
                      lease: {url: "\(postgres!.url)", ttl: \(ttl)s}
                    """
                }
            try instance.writeConfiguration(
                """
                version: 1
                defaults:
                  polling_interval: \(pollingInterval)s
                aliases:
                  \(Self.alias):
                    members: [\(Self.nodes[index])]
                    best_hosts: 1
                snmp:
                  version: v2c
                  community: \(BenchmarkCredentials.community)
                  port: \(snmpPort)
                  timeout: 500ms
                  retries: 0
                \(named.dnsSection)
                ha:
                \(ha)
                http:
                  listen: 127.0.0.1:\(httpPorts[index])

                """)
        }

        // lbd-a publishes first, lbd-b is its standby.
        try pair[0].start()
        try await waitUntil(seconds: 30, "lbd-a to publish", pair) {
            (try? await named.addresses()) == [Self.nodes[0]]
        }
        try pair[1].start()
        let standbyStarted = ContinuousClock.now
        try await waitUntil(seconds: 30, "lbd-b to be standby", pair) {
            pair[1].actions(alias: Self.alias).contains("standby")
        }
        if mode == .heartbeat {
            // A standby that has not yet seen the master's heartbeat fresh does not take over in
            // its first takeover_after: that start-up grace is not what a failover costs.
            try await Task.sleep(until: standbyStarted + .seconds(takeoverAfter + 1))
        }

        var random = SeededRandomNumberGenerator(seed: seed)
        var active = 0
        var times: [Double?] = []
        for run in 1...runs {
            let standby = 1 - active
            let handbacks = pair[1].actions(alias: Self.alias).count { $0 == "handback" }
            let bound = Double(2 * expected + 30)
            try await Task.sleep(
                for: .milliseconds(Int64(Double.random(in: 0..<checkInterval, using: &random) * 1000)))
            let killed = ContinuousClock.now
            pair[active].kill9()
            var took: Double?
            while (ContinuousClock.now - killed).seconds < bound {
                if (try? await named.addresses()) == [Self.nodes[standby]] {
                    took = (ContinuousClock.now - killed).seconds
                    break
                }
                try await Task.sleep(for: .milliseconds(50))
            }
            times.append(took)
            print(
                "run \(run): \(pair[active].name) killed -> \(pair[standby].name)'s answer in BIND after "
                    + (took.map { String(format: "%.2f s", $0) } ?? "(timeout after \(Int(bound)) s)"))
            guard took != nil else { break }
            try pair[active].start()
            if run == runs { break }
            switch mode {
            case .heartbeat:
                // The master publishes at once; lbd-b hands back once its heartbeat was fresh for hold_down.
                try await waitUntil(seconds: Double(holdDown + 30), "lbd-b to hand back", pair) {
                    () async -> Bool in
                    let actions = pair[1].actions(alias: Self.alias)
                    let answer = try? await named.addresses()
                    return actions.count { $0 == "handback" } > handbacks && actions.last == "standby"
                        && answer == [Self.nodes[0]]
                }
            case .lease:
                try await waitUntil(seconds: 30, "\(pair[active].name) to be standby", pair) {
                    pair[active].actions(alias: Self.alias).contains("standby")
                }
                active = standby
            }
        }
        summarise(times)
    }

    private func summarise(_ times: [Double?]) {
        let measured = times.compactMap { $0 }.sorted()
        let timeouts = times.count - measured.count
        guard let first = measured.first, let last = measured.last else {
            print("no failover measured (\(timeouts) timeout)")
            return
        }
        let middle = measured.count / 2
        let median =
            measured.count % 2 == 1 ? measured[middle] : (measured[middle - 1] + measured[middle]) / 2
        print(
            String(
                format: "failover over %d runs: min %.2f s, median %.2f s, max %.2f s; %d timeout(s)",
                measured.count, first, median, last, timeouts))
    }

    /// Checks `condition` every 100 ms for at most `seconds`; throws with the logs if it never held.
    private func waitUntil(
        seconds: Double, _ what: String, _ pair: [FailoverInstance], _ condition: () async throws -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw BenchmarkError(
            "timed out after \(Int(seconds)) s waiting for \(what)\n\(pair.map(\.tail).joined(separator: "\n"))"
        )
    }

    /// The two nodes: SNMP agents of ours answering v2c `public` with a constant load, on one
    /// port free on both addresses.
    private static func startNodes() async throws -> ([SNMPAgent], Int) {
        var lastError: (any Error)?
        for _ in 0..<10 {
            let port = try LoopbackPort.freeUDP()
            var agents: [SNMPAgent] = []
            do {
                for (index, host) in nodes.enumerated() {
                    let agent = SNMPAgent(
                        configuration: SNMPAgentConfiguration(
                            host: host, port: port, communities: [BenchmarkCredentials.community]),
                        keyCache: USMKeyCache())
                    agent.register(
                        OID(BenchmarkCredentials.loadOID)!, value: .integer(Int32(10 * (index + 1))))
                    try await agent.start()
                    agents.append(agent)
                }
                return (agents, port)
            } catch {
                lastError = error
                for agent in agents { await agent.stop() }
            }
        }
        throw BenchmarkError("cannot start the SNMP nodes: \(lastError.map { "\($0)" } ?? "")")
    }
}
