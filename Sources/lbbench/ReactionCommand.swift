import ArgumentParser
import Foundation
import LBCore
import NIOCore
import ProcessSpawning

/// `lbbench reaction`: how long a drained node stays in DNS, measured from outside as an
/// operator sees it: the clock starts at `touch nologin` on the node and stops when the alias's
/// answer no longer holds the node's address, on lbd's embedded server and on a BIND lbd updates
/// by RFC 2136. Once with the push path (the node's `lbclient agent --notify`, lbd's
/// `snmp.notifications` and a polling interval of 300 s, so that only the push can be fast), once
/// by polling alone at `--poll-interval`.
struct ReactionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reaction",
        abstract:
            "Time from `touch nologin` on a node to the alias's new answer in DNS, with and without push.",
        discussion: """
            Starts, on 127.0.0.0/8 in a temporary directory: --nodes `lbclient agent`s \
            (127.79.0.1 upwards, one free port, SNMPv3 authPriv, `check nologin` and loads 10, 20, \
            30... under their own --root), a BIND taking signed UPDATEs for the alias's zone, and \
            an `lbd run` (the lbd and lbclient next to this lbbench) with one alias, best_hosts 1, \
            its embedded DNS server and BIND as dns.server. Each drain waits a random pause, \
            creates the published node's nologin, polls both servers every 5 ms until the node \
            is gone, removes nologin and polls until it is back. Push mode: polling_interval \
            300 s, snmp.notifications (per_node_interval 1 s), agents with --notify; the pause is \
            1 to 2 s, past the node's per_node_interval. Poll mode: polling_interval \
            --poll-interval, no notifications; the pause is up to one interval, so drains fall \
            at random points of the cycle. Every wait is bounded to twice the mode's interval \
            plus 5 s (the push mode's interval is per_node_interval) and counts as a timeout.
            """
    )

    /// `snmp.notifications.per_node_interval` in the push mode, seconds.
    static let perNodeInterval = 1.0

    @Option(help: "Drains measured in each mode.") var drains = 50
    @Option(help: "Nodes (lbclient agents) in the alias.") var nodes = 3
    @Option(help: "polling_interval of the poll-only mode, in seconds.") var pollInterval = 5
    @Option(help: "The agents' --notify-interval in the push mode (their background re-evaluation).")
    var notifyInterval = "1s"
    @Flag(help: "Skip the push mode.") var noPush = false
    @Flag(help: "Skip the poll-only mode.") var noPoll = false
    @Flag(help: "No BIND: the embedded server only.") var noBind = false
    @Option(help: "Seed of the random pause before each drain.") var seed: UInt64 = 2026
    @Option(help: "The lbd to measure (default: the one next to lbbench).") var lbd: String?
    @Option(help: "The lbclient the nodes run (default: the one next to lbbench).") var lbclient: String?
    @Flag(
        help: "Keep the temporary directory (configurations, lbd's JSON log, agents' logs) and print where.")
    var keep = false

    func validate() throws {
        guard (1...1000).contains(drains), (2...50).contains(nodes), (1...600).contains(pollInterval) else {
            throw ValidationError("--drains 1...1000, --nodes 2...50, --poll-interval 1...600")
        }
        guard !(noPush && noPoll) else {
            throw ValidationError("--no-push and --no-poll leave nothing to measure")
        }
    }

    private enum Mode {
        case push
        case poll(seconds: Int)

        var label: String {
            switch self {
            case .push: "push (polling_interval 300s)"
            case .poll(let seconds): "poll only (polling_interval \(seconds)s)"
            }
        }

        /// How long one wait may last before it counts as a timeout.
        var bound: Duration {
            switch self {
            case .push: .milliseconds(Int64((2 * ReactionCommand.perNodeInterval + 5) * 1000))
            case .poll(let seconds): .seconds(2 * seconds + 5)
            }
        }
    }

    /// A DNS server the answers are read from.
    private struct Server: Sendable {
        var name: String
        var address: SocketAddress
    }

    func run() async throws {
        let here = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
            .deletingLastPathComponent()
        let lbd = self.lbd ?? here.appendingPathComponent("lbd").path
        let lbclient = self.lbclient ?? here.appendingPathComponent("lbclient").path
        for program in [lbd, lbclient] where !FileManager.default.isExecutableFile(atPath: program) {
            throw BenchmarkError(
                "\(program) not found: swift build -c release --product lbd and --product lbclient")
        }
        try await BenchmarkDirectory.with(prefix: "lbbench-reaction", keep: keep) { directory in
            try await measureModes(in: directory, lbd: lbd, lbclient: lbclient)
        }
    }

    /// The modes asked for (push when lbd and lbclient have it) and the table.
    private func measureModes(in directory: URL, lbd: String, lbclient: String) async throws {
        var modes: [Mode] = []
        if !noPush {
            if let missing = Self.missingPushSupport(lbd: lbd, lbclient: lbclient, in: directory) {
                print("# push mode skipped: \(missing)")
            } else {
                modes.append(.push)
            }
        }
        if !noPoll { modes.append(.poll(seconds: pollInterval)) }
        guard !modes.isEmpty else { throw BenchmarkError("nothing to measure") }
        print(
            "# lbbench reaction on \(ProcessInfo.processInfo.activeProcessorCount) cores: \(nodes) lbclient agents "
                + "(SNMPv3 authPriv, --cache-time 0s), best_hosts 1, \(drains) drains per mode, "
                + "DNS polled every 5 ms; push: per_node_interval \(Int(Self.perNodeInterval))s, "
                + "--notify-interval \(notifyInterval); seed \(seed)")

        let named = noBind ? nil : try await FailoverNamed.start(alias: ReactionNodes.alias)
        defer { named?.stop() }

        var random = SeededRandomNumberGenerator(seed: seed)
        var summaries: [ReactionSummary] = []
        for (index, mode) in modes.enumerated() {
            summaries += try await measure(
                mode, in: directory.appendingPathComponent("mode\(index)"), lbd: lbd, lbclient: lbclient,
                named: named, random: &random)
        }
        print(ReactionSummary.header)
        for summary in summaries { print(summary.row) }
    }

    /// What keeps the push mode from running, when the programs lack it; nil when both have it.
    private static func missingPushSupport(lbd: String, lbclient: String, in directory: URL) -> String? {
        func run(_ program: String, _ arguments: [String]) -> (ok: Bool, output: String) {
            guard
                case .finished(let termination, let output, let errors)? = try? CapturedRun.run(
                    program, arguments: arguments, timeout: .seconds(10))
            else { return (false, "") }
            return (termination.shellStatus == 0, String(decoding: output + errors, as: UTF8.self))
        }
        var missing: [String] = []
        if !run(lbclient, ["agent", "--help"]).output.contains("--notify") {
            missing.append("\(lbclient) agent has no --notify (the node's sender)")
        }
        let probe = directory.appendingPathComponent("probe.yaml")
        try? """
        aliases:
          probe.bench.test: [127.0.0.1]
        snmp:
          notifications: {listen: 127.0.0.1:1162, per_node_interval: 1s, max_per_second: 50}

        """.write(to: probe, atomically: true, encoding: .utf8)
        let check = run(lbd, ["check-config", probe.path])
        if !check.ok {
            missing.append(
                "\(lbd) does not accept snmp.notifications (the listener): \(check.output.prefix(300))")
        }
        return missing.isEmpty ? nil : missing.joined(separator: "; ")
    }

    /// One `lbd run` and its agents, `drains` drains; the summary of each server.
    private func measure(
        _ mode: Mode, in directory: URL, lbd: String, lbclient: String, named: FailoverNamed?,
        random: inout SeededRandomNumberGenerator
    ) async throws -> [ReactionSummary] {
        let listener: Int? = if case .push = mode { try LoopbackPort.freeUDP() } else { nil }
        let agents = try ReactionNodes.start(
            count: nodes, lbclient: lbclient, in: directory,
            push: listener.map { .init(listener: "127.0.0.1:\($0)", interval: notifyInterval) })
        defer { agents.stop() }
        let instance = try FailoverInstance(name: "lbd", in: directory, executable: lbd)
        defer { instance.stop() }
        let embeddedPort = try LoopbackPort.freeForUDPAndTCP()
        try instance.writeConfiguration(
            Self.configuration(
                mode, agents: agents, embeddedPort: embeddedPort, named: named, listener: listener))
        try instance.start()

        var servers = [
            Server(name: "embedded", address: try SocketAddress(ipAddress: "127.0.0.1", port: embeddedPort))
        ]
        if let named { servers.append(Server(name: "BIND", address: named.server)) }
        var summaries = servers.map { ReactionSummary(mode: mode.label, server: $0.name) }
        print("## \(mode.label)")
        for drain in 1...drains {
            let published = try await publishedNode(servers, agents: agents, instance: instance)
            let pause: Double =
                switch mode {
                case .push: Double.random(in: Self.perNodeInterval..<Self.perNodeInterval + 1, using: &random)
                case .poll(let seconds): Double.random(in: 0..<Double(seconds), using: &random)
                }
            try await Task.sleep(for: .milliseconds(Int64(pause * 1000)))

            let drained = ContinuousClock.now
            try agents.drain(published)
            let removals = await Self.watch(servers, from: drained, bound: mode.bound) {
                !$0.contains(published)
            }
            let restored = ContinuousClock.now
            try agents.restore(published)
            let restores = await Self.watch(servers, from: restored, bound: mode.bound) {
                $0.contains(published)
            }
            for index in servers.indices {
                summaries[index].removals.append(removals[index])
                summaries[index].restores.append(restores[index])
            }
            print(
                "drain \(drain) of \(published): gone "
                    + zip(servers, removals).map { "\($0.name) \(Self.format($1))" }.joined(separator: ", ")
                    + "; back "
                    + zip(servers, restores).map { "\($0.name) \(Self.format($1))" }.joined(separator: ", "))
            guard instance.isRunning else { throw BenchmarkError("lbd exited\n\(instance.tail)") }
        }
        return summaries
    }

    private static func format(_ seconds: Double?) -> String {
        seconds.map { String(format: "%.0f ms", $0 * 1000) } ?? "timeout"
    }

    /// The node every server publishes, once they agree on one of ours (bounded: lbd's first
    /// round, or a restore that timed out and is caught up by a later poll).
    private func publishedNode(_ servers: [Server], agents: ReactionNodes, instance: FailoverInstance)
        async throws -> String
    {
        let deadline = ContinuousClock.now + .seconds(30 + 2 * pollInterval)
        while ContinuousClock.now < deadline {
            var answers: [[String]] = []
            for server in servers {
                answers.append(
                    (try? await AliasAddresses.query(ReactionNodes.alias, server: server.address)) ?? [])
            }
            if let first = answers.first, first.count == 1, agents.addresses.contains(first[0]),
                answers.allSatisfy({ $0 == first })
            {
                return first[0]
            }
            guard instance.isRunning else { throw BenchmarkError("lbd exited\n\(instance.tail)") }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw BenchmarkError(
            "the servers did not agree on one node within \(30 + 2 * pollInterval) s\n\(instance.tail)")
    }

    /// Seconds from `start` until each server's answer satisfies `done`, asking every 5 ms the
    /// servers not yet done; nil for a server that did not within `bound`.
    private static func watch(
        _ servers: [Server], from start: ContinuousClock.Instant, bound: Duration,
        until done: @escaping @Sendable ([String]) -> Bool
    ) async -> [Double?] {
        var times = [Double?](repeating: nil, count: servers.count)
        let deadline = start + bound
        while ContinuousClock.now < deadline, times.contains(where: { $0 == nil }) {
            let pending = times.indices.filter { times[$0] == nil }
            let seen = await withTaskGroup(of: (Int, ContinuousClock.Instant)?.self) { group in
                for index in pending {
                    group.addTask {
                        guard
                            let answer = try? await AliasAddresses.query(
                                ReactionNodes.alias, server: servers[index].address),
                            done(answer)
                        else { return nil }
                        return (index, ContinuousClock.now)
                    }
                }
                var seen: [(Int, ContinuousClock.Instant)] = []
                for await result in group { if let result { seen.append(result) } }
                return seen
            }
            for (index, at) in seen where at < deadline { times[index] = (at - start).seconds }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return times
    }

    /// lbd's file: one alias over the agents, its embedded server, BIND when there is one, and
    /// the notification listener in the push mode.
    private static func configuration(
        _ mode: Mode, agents: ReactionNodes, embeddedPort: Int, named: FailoverNamed?, listener: Int?
    ) -> String {
        let user = BenchmarkCredentials.user
        let interval =
            switch mode {
            case .push: 300
            case .poll(let seconds): seconds
            }
        let notifications =
            listener.map {
                """

                  notifications:
                    listen: 127.0.0.1:\($0)
                    per_node_interval: \(Int(perNodeInterval))s
                    max_per_second: 50
                """
            } ?? ""
        let embedded = """
              embedded:
                listen: 127.0.0.1:\(embeddedPort)
            """
        let dns = named.map { $0.dnsSection + "\n" + embedded } ?? "dns:\n" + embedded
        return """
            version: 1
            defaults:
              polling_interval: \(interval)s
            aliases:
              \(ReactionNodes.alias):
                members: [\(agents.addresses.joined(separator: ", "))]
                best_hosts: 1
            snmp:
              version: v3
              port: \(agents.port)
              user: \(user.name)
              auth_protocol: sha256
              auth_password: \(user.authentication!.password)
              priv_protocol: aes
              priv_password: \(user.privacy!.password)
              timeout: 500ms
              retries: 1\(notifications)
            \(dns)
            http:
              listen: off
            history:
              store: memory

            """
    }
}
