import ArgumentParser
import Foundation
import LBCore
import ProcessSpawning

/// `lbbench haproxy`: how long after a node fails HAProxy stops sending it traffic.
///
/// Measured from outside, as a client sees it: requests go through HAProxy one after another,
/// each answered by the backend's name; a run touches node A's nologin file, and its time is
/// from that moment to the start of the first request after the last one A answered.
struct HAProxyBenchmarkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "haproxy",
        abstract: "Failure to no traffic: a node's nologin created -> HAProxy sends it no more requests.",
        discussion: """
            Starts, on 127.0.0.1 in a temporary directory: two TCP backends (A and B, each answering \
            its name), a Debian haproxy (mode tcp, roundrobin) in front of them, and in --mode agent \
            one `lbclient agent --haproxy-agent` per node (the lbclient next to this lbbench, \
            `check nologin` + `load constant 100`), polled with `agent-check agent-inter`. Each run \
            brings A back, waits until it answers again, pauses a random part of the agent \
            interval, creates A's nologin and sends requests through HAProxy until A has answered \
            none for max(2 s, 5 intervals).
            """
    )

    enum Mode: String, ExpressibleByArgument, CaseIterable {
        case agent
        case lbd
    }

    @Option(help: "agent (HAProxy polls lbclient agent-check) or lbd (lbd drives HAProxy's runtime API).")
    var mode: Mode = .agent
    @Option(help: "Failures to measure.") var runs = 20
    @Option(help: "Agent mode: HAProxy's agent-inter, in milliseconds.") var agentInter = 500
    @Option(help: "Agent mode: lbclient's --cache-time, in milliseconds (0: evaluate per check).")
    var cacheTime = 0
    @Option(help: "lbd mode: defaults.polling_interval in seconds.") var pollingInterval = 1
    @Option(help: "Seed of the random pause before each failure.") var seed: UInt64 = 2026

    func validate() throws {
        guard (1...200).contains(runs), (50...10_000).contains(agentInter),
            (1...60).contains(pollingInterval), (0...60_000).contains(cacheTime)
        else {
            throw ValidationError(
                "--runs 1...200, --agent-inter 50...10000, --polling-interval 1...60, --cache-time 0...60000")
        }
    }

    /// Silence from A that ends a run, and the bound on one run before it counts as a timeout.
    var quiet: Duration {
        .milliseconds(max(2000, 5 * (mode == .agent ? agentInter : 1000 * pollingInterval)))
    }
    var bound: Duration { .milliseconds(30_000 + 4 * agentInter + 4000 * pollingInterval + 2 * cacheTime) }

    func run() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "lbbench-haproxy-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let frontend = try LoopbackPort.bound(SOCK_STREAM, port: 0)
        var nodes: [BenchNode] = []
        let haproxy: HAProxyProcess
        var lbd: ChildProcess?
        do {
            switch mode {
            case .agent:
                print(
                    "# lbbench haproxy --mode agent: agent-inter \(agentInter) ms, lbclient --cache-time \(cacheTime) ms, "
                        + "\(runs) runs, each ended by \(quiet) without a request to A, bounded to \(bound); "
                        + "\(ProcessInfo.processInfo.activeProcessorCount) cores, seed \(seed)")
                for name in ["A", "B"] {
                    nodes.append(
                        try await BenchNode(
                            name: name, directory: directory, lbclient: try sibling("lbclient"),
                            cacheTime: cacheTime,
                            role: .haproxyAgent))
                }
                haproxy = try HAProxyProcess(
                    sections: frontendSection(
                        frontend,
                        servers: nodes.map {
                            "    server \($0.name) 127.0.0.1:\($0.backend.port) weight 100 agent-check agent-port \($0.agentPort) agent-inter \(agentInter)ms agent-send \"\\n\""
                        }))
            case .lbd:
                print(
                    "# lbbench haproxy --mode lbd: polling_interval \(pollingInterval) s, SNMP v2c, lbclient --cache-time \(cacheTime) ms, "
                        + "\(runs) runs, each ended by \(quiet) without a request to A, bounded to \(bound); "
                        + "\(ProcessInfo.processInfo.activeProcessorCount) cores, seed \(seed)")
                let snmpPort = try LoopbackPort.bound(SOCK_DGRAM, port: 0)
                let backendPort = try LoopbackPort.bound(SOCK_STREAM, port: 0)
                let access = directory.appendingPathComponent("snmp.conf").path
                try "rocommunity \(BenchmarkCredentials.community) 127.0.0.0/8\n".write(
                    toFile: access, atomically: true, encoding: .utf8)
                for (index, name) in ["A", "B"].enumerated() {
                    nodes.append(
                        try await BenchNode(
                            name: name, directory: directory, lbclient: try sibling("lbclient"),
                            cacheTime: cacheTime,
                            role: .snmp(
                                address: "127.0.0.\(index + 2)", snmpPort: snmpPort, backendPort: backendPort,
                                accessFile: access)))
                }
                haproxy = try HAProxyProcess(sections: frontendSection(frontend, servers: []))
                lbd = try startLBD(
                    in: directory, socket: haproxy.socketPath, snmpPort: snmpPort, backendPort: backendPort)
            }
        } catch {
            for node in nodes { await node.stop() }
            throw error
        }
        defer { _ = lbd?.stop(grace: .seconds(5)) }
        defer { haproxy.stop() }
        do {
            try await measure(nodes: nodes, frontend: frontend, haproxy: haproxy)
        } catch {
            for node in nodes { await node.stop() }
            throw error
        }
        for node in nodes { await node.stop() }
    }

    /// The executable `name` next to this lbbench.
    private func sibling(_ name: String) throws -> String {
        let path = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
            .deletingLastPathComponent()
            .appendingPathComponent(name).path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw BenchmarkError("\(path) not found: build it too (swift build --product \(name))")
        }
        return path
    }

    private func frontendSection(_ port: Int, servers: [String]) -> String {
        """
        frontend web
            bind 127.0.0.1:\(port)
            default_backend nodes
        backend nodes
            balance roundrobin
        \(servers.joined(separator: "\n"))
        """
    }

    /// `lbd run` driving the `nodes` backend through `socket`, polling both nodes every
    /// `pollingInterval`.
    private func startLBD(in directory: URL, socket: String, snmpPort: Int, backendPort: Int) throws
        -> ChildProcess
    {
        let configuration = directory.appendingPathComponent("lbd.yaml").path
        try """
        version: 1
        defaults:
          polling_interval: \(pollingInterval)s
        aliases:
          bench.example.org:
            members: [127.0.0.2, 127.0.0.3]
            best_hosts: -1
            haproxy:
              socket: \(socket)
              backend: nodes
              server_port: \(backendPort)
        snmp: {version: v2c, community: \(BenchmarkCredentials.community), port: \(snmpPort), timeout: 500ms, retries: 0}

        """.write(toFile: configuration, atomically: true, encoding: .utf8)
        do {
            return try ChildProcess(
                try sibling("lbd"),
                arguments: [
                    "run", "--config", configuration, "--state-dir",
                    directory.appendingPathComponent("state").path,
                    "--log-format", "json",
                ], standardError: .file(directory.appendingPathComponent("lbd.log").path))
        } catch let error as BenchmarkError {
            throw error
        } catch {
            throw BenchmarkError("cannot start lbd: \(error)")
        }
    }

    /// The runs: A back, A served, a random pause, A fails, time until A gets nothing.
    private func measure(nodes: [BenchNode], frontend: Int, haproxy: HAProxyProcess) async throws {
        let interval = mode == .agent ? agentInter : pollingInterval * 1000
        var random = SeededRandomNumberGenerator(seed: seed)
        var times: [Double?] = []
        for index in 1...runs {
            let failed = nodes[0]
            failed.openLogins()
            guard try await waitUntilServed(by: failed.name, frontend: frontend, haproxy: haproxy) else {
                throw BenchmarkError(
                    "node A never got traffic through HAProxy within 30 s: \(haproxy.errorOutput)")
            }
            let pause = Double(random.next() % 1000) / 1000 * Double(interval)
            try await Task.sleep(for: .milliseconds(Int(pause)))
            let time = measure(failing: failed, frontend: frontend)
            times.append(time)
            print("run \(index): " + (time.map { String(format: "%.0f ms", $0 * 1000) } ?? "timeout"))
        }
        summarise(times)
    }

    /// Sends requests until `name` answers one (30 s at most).
    private func waitUntilServed(by name: String, frontend: Int, haproxy: HAProxyProcess) async throws -> Bool
    {
        let until = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < until {
            guard haproxy.isRunning else { throw BenchmarkError("haproxy exited: \(haproxy.errorOutput)") }
            if FrontendRequest.send(port: frontend) == name { return true }
            try await Task.sleep(for: .milliseconds(5))
        }
        return false
    }

    /// Creates `node`'s nologin and returns the seconds until HAProxy sent it no more requests,
    /// or nil when it still got some at the bound.
    private func measure(failing node: BenchNode, frontend: Int) -> Double? {
        let clock = ContinuousClock()
        let start = clock.now
        node.closeLogins()
        // The start of the first request after the last one the node answered.
        var noTrafficSince: ContinuousClock.Instant?
        var lastServedByNode = start
        while clock.now - start < bound {
            let sent = clock.now
            if FrontendRequest.send(port: frontend) == node.name {
                lastServedByNode = sent
                noTrafficSince = nil
            } else if noTrafficSince == nil {
                noTrafficSince = sent
            }
            if let noTrafficSince, clock.now - lastServedByNode > quiet {
                return (noTrafficSince - start) / .seconds(1)
            }
        }
        return nil
    }

    private func summarise(_ times: [Double?]) {
        let measured = times.compactMap { $0 }.sorted()
        let timeouts = times.count - measured.count
        guard !measured.isEmpty else {
            print("no run finished; \(timeouts) timeout(s)")
            return
        }
        func percentile(_ p: Double) -> Double {
            measured[min(measured.count - 1, Int((Double(measured.count) * p).rounded(.up)) - 1)]
        }
        print(
            String(
                format:
                    "failure to no traffic over %d runs: p50 %.0f ms, p99 %.0f ms, min %.0f ms, max %.0f ms; %d timeout(s)",
                measured.count, percentile(0.5) * 1000, percentile(0.99) * 1000, measured[0] * 1000,
                measured[measured.count - 1] * 1000, timeouts))
    }
}

/// One benchmark node: a named backend and its `lbclient agent`, answering HAProxy's agent
/// checks (agent mode) or lbd's SNMP GETs (lbd mode).
final class BenchNode {
    /// What the node's lbclient answers, and where its backend listens.
    enum Role {
        case haproxyAgent
        case snmp(address: String, snmpPort: Int, backendPort: Int, accessFile: String)
    }

    let name: String
    let root: URL
    let backend: NamedBackend
    let agentPort: Int
    private let agent: ChildProcess

    init(name: String, directory: URL, lbclient: String, cacheTime: Int, role: Role) async throws {
        self.name = name
        root = directory.appendingPathComponent(name)
        let etc = root.appendingPathComponent("etc")
        try FileManager.default.createDirectory(at: etc, withIntermediateDirectories: true)
        try "check nologin\nload constant 100\n".write(
            to: etc.appendingPathComponent("lbclient.conf"), atomically: true, encoding: .utf8)
        try "lbalias=bench.example.org\n".write(
            to: etc.appendingPathComponent("lbaliases"), atomically: true, encoding: .utf8)
        var listen: [String]
        switch role {
        case .haproxyAgent:
            backend = try await NamedBackend(name: name, host: "127.0.0.1", port: 0)
            agentPort = try LoopbackPort.bound(SOCK_STREAM, port: 0)
            listen = ["--haproxy-agent", "127.0.0.1:\(agentPort)"]
        case .snmp(let address, let snmpPort, let backendPort, let accessFile):
            backend = try await NamedBackend(name: name, host: address, port: backendPort)
            agentPort = snmpPort
            listen = ["--listen", "\(address):\(snmpPort)", "--snmp-config", accessFile]
        }
        do {
            agent = try ChildProcess(
                lbclient,
                arguments: ["agent"] + listen + [
                    "--cache-time", "\(cacheTime)ms",
                    "--cm", etc.path, "--ca", etc.appendingPathComponent("lbaliases").path, "--root",
                    root.path,
                    "--log-file", root.appendingPathComponent("agent.log").path,
                ],
                standardError: .file(root.appendingPathComponent("stderr").path))
        } catch {
            await backend.stop()
            throw BenchmarkError("\(error)")
        }
    }

    func closeLogins() {
        FileManager.default.createFile(
            atPath: root.appendingPathComponent("etc/nologin").path, contents: Data())
    }

    func openLogins() { try? FileManager.default.removeItem(at: root.appendingPathComponent("etc/nologin")) }

    func stop() async {
        _ = agent.stop(grace: .seconds(2))
        await backend.stop()
    }
}

/// One request through HAProxy's frontend: the name of the backend that answered, or nil.
enum FrontendRequest {
    static func send(port: Int) -> String? {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { return nil }
        var bytes = [UInt8](repeating: 0, count: 64)
        let count = bytes.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        return String(decoding: bytes[0..<count], as: UTF8.self).trimmingCharacters(
            in: .whitespacesAndNewlines)
    }
}
