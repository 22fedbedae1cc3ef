import Foundation
import NIOCore
import ProcessSpawning
import SNMP

/// `lbbench lbclient --agent`: the same SNMP load against net-snmp's snmpd answering through
/// `pass` (whose output snmpd keeps for 30 s, so every GET but the first is answered from that
/// cache) and against `lbclient agent`, both on the same node files on 127.0.0.1.
///
/// Each load (v2c and v3 authPriv, one request at a time and `inFlight` at once) runs against
/// snmpd, then against the agent, and prints both with the ratio. Server CPU is the server's user
/// + system time, its children's included, from /proc/PID/stat.
struct LBClientAgentBenchmark {
    /// snmpd keeps a `pass` program's output this long (net-snmp's EXCACHETIME); the agent is
    /// given the same cache time so both evaluate the node as often.
    static let cacheTime = "30s"

    let lbclient: String
    /// lbclient's options naming the node's files, without `--cache-time`.
    let nodeArguments: [String]
    let directory: URL
    let requests: Int
    let inFlight: Int
    /// Whether the load runs on one event loop thread (``SNMPLoad/pinned``).
    let pinned: Bool
    /// Whether the load is ``LeanSNMPLoad`` (a plain socket on this thread, datagrams built
    /// beforehand) rather than the SNMP library's NIO client (``SNMPLoad``).
    var lean = true
    /// Whether the lean load waits for each answer awake (``LeanSNMPLoad/busyPoll``).
    var busyPoll = false

    /// Runs the comparison from synchronous code: the lean load on this thread, the NIO load in
    /// a task.
    func run() throws {
        if lean { return try measureLean() }
        let outcome = BlockingOutcome()
        Task.detached {
            do {
                try await measureAll()
                outcome.finish(nil)
            } catch {
                outcome.finish(error)
            }
        }
        if let error = outcome.wait() { throw error }
    }

    private func measureAll() async throws {
        let command = ([lbclient] + nodeArguments).joined(separator: " ")
        guard !command.contains(where: \.isNewline) else { throw BenchmarkError("bad lbclient path") }
        let snmpd = try SnmpdProcess.start(directive: "pass \(BenchmarkCredentials.loadOID) \(command)")
        defer { snmpd.stop() }
        let agent = try AgentProcess(lbclient: lbclient, nodeArguments: nodeArguments, directory: directory)
        defer { agent.stop() }
        let servers: [(name: String, port: Int, pid: pid_t)] = [
            ("snmpd pass", snmpd.port, snmpd.pid), ("lbclient agent", agent.port, agent.pid),
        ]
        for server in servers {
            try await waitUntilAnswering(port: server.port, name: server.name)
        }
        print(
            "# agent: \(requests) GETs per run, snmpd `pass` (30 s cache) vs "
                + "`lbclient agent --cache-time \(Self.cacheTime)`, load \(pinned ? "on one thread" : "unpinned")"
        )
        print(
            "| load | server | GETs/s | p50 µs | p99 µs | server CPU µs/GET | client CPU µs/GET | failed |")
        print("|---|---|---|---|---|---|---|---|")
        var summary: [String] = []
        for credentials in [
            ("v2c", SNMPCredentials.community(BenchmarkCredentials.community)),
            ("v3 authPriv", SNMPCredentials.user(BenchmarkCredentials.user)),
        ] {
            for concurrency in [1, inFlight] {
                let label =
                    "\(credentials.0), \(concurrency == 1 ? "one at a time" : "\(concurrency) in flight")"
                var rates: [Double] = []
                for server in servers {
                    let address = try SocketAddress(ipAddress: "127.0.0.1", port: server.port)
                    let cpuBefore = Self.cpuSeconds(of: server.pid)
                    let result = try await SNMPLoad(inFlight: concurrency, maxSeconds: 60, pinned: pinned)
                        .measure(
                            addresses: [address], credentials: credentials.1, requests: requests)
                    let serverCPU = Self.cpuSeconds(of: server.pid) - cpuBefore
                    let completed = Double(max(result.completed, 1))
                    let rate = Double(result.completed) / result.seconds
                    rates.append(rate)
                    print(
                        String(
                            format: "| %@ | %@ | %.0f | %.0f | %.0f | %.1f | %.1f | %d |", label, server.name,
                            rate, result.percentile(0.5), result.percentile(0.99),
                            serverCPU * 1e6 / completed,
                            result.cpuSeconds * 1e6 / completed, result.failed))
                }
                summary.append(String(format: "%@: agent/snmpd %.2f×", label, rates[1] / rates[0]))
            }
        }
        for line in summary { print(line) }
    }

    private func startServers() throws -> (SnmpdProcess, AgentProcess) {
        let command = ([lbclient] + nodeArguments).joined(separator: " ")
        guard !command.contains(where: \.isNewline) else { throw BenchmarkError("bad lbclient path") }
        let snmpd = try SnmpdProcess.start(directive: "pass \(BenchmarkCredentials.loadOID) \(command)")
        do {
            return (
                snmpd,
                try AgentProcess(lbclient: lbclient, nodeArguments: nodeArguments, directory: directory)
            )
        } catch {
            snmpd.stop()
            throw error
        }
    }

    /// The comparison with ``LeanSNMPLoad``, the same for both servers.
    private func measureLean() throws {
        let (snmpd, agent) = try startServers()
        defer {
            snmpd.stop()
            agent.stop()
        }
        let servers: [(name: String, port: Int, pid: pid_t)] = [
            ("snmpd pass", snmpd.port, snmpd.pid), ("lbclient agent", agent.port, agent.pid),
        ]
        for server in servers {
            try waitUntilAnsweringLean(port: server.port, name: server.name)
        }
        print(
            "# agent: \(requests) GETs per run, snmpd `pass` (30 s cache) vs "
                + "`lbclient agent --cache-time \(Self.cacheTime)`, lean load (one socket, one thread, "
                + "datagrams built beforehand\(busyPoll ? "; one at a time waits awake, polling its socket" : "")"
        )
        print("| load | server | GETs/s | p50 µs | p99 µs | server CPU µs/GET | client CPU µs/GET | failed |")
        print("|---|---|---|---|---|---|---|---|")
        var summary: [String] = []
        for credentials in [
            ("v2c", SNMPCredentials.community(BenchmarkCredentials.community)),
            ("v3 authPriv", SNMPCredentials.user(BenchmarkCredentials.user)),
        ] {
            for concurrency in [1, inFlight] {
                let label =
                    "\(credentials.0), \(concurrency == 1 ? "one at a time" : "\(concurrency) in flight")"
                var rates: [Double] = []
                var cpus: [Double] = []
                for server in servers {
                    let cpuBefore = Self.cpuSeconds(of: server.pid)
                    let result = try LeanSNMPLoad(inFlight: concurrency, maxSeconds: 60, busyPoll: busyPoll)
                        .measure(port: server.port, credentials: credentials.1, requests: requests)
                    let serverCPU = Self.cpuSeconds(of: server.pid) - cpuBefore
                    let completed = Double(max(result.completed, 1))
                    rates.append(Double(result.completed) / result.seconds)
                    cpus.append(serverCPU * 1e6 / completed)
                    print(
                        String(
                            format: "| %@ | %@ | %.0f | %.0f | %.0f | %.1f | %.1f | %d |", label, server.name,
                            rates.last!, result.percentile(0.5), result.percentile(0.99), cpus.last!,
                            result.cpuSeconds * 1e6 / completed, result.failed))
                }
                summary.append(
                    String(
                        format: "%@: agent/snmpd GETs/s %.2f×, snmpd/agent CPU per GET %.2f×", label,
                        rates[1] / rates[0], cpus[0] / max(cpus[1], 0.001)))
            }
        }
        for line in summary { print(line) }
    }

    /// Polls until `port` answers the load OID with a value, as the lean load's own check does.
    private func waitUntilAnsweringLean(port: Int, name: String) throws {
        for _ in 0..<50 {
            if (try? LeanSNMPLoad(inFlight: 1, maxSeconds: 1).measure(
                port: port, credentials: .community(BenchmarkCredentials.community), requests: 1))?.completed
                == 1
            {
                return
            }
            usleep(100_000)
        }
        throw BenchmarkError("\(name) does not answer the load OID on 127.0.0.1:\(port)")
    }

    /// Polls with the load's client until `port` answers the load OID (snmpd starts lbclient for
    /// the first GET; the agent evaluates the node first).
    private func waitUntilAnswering(port: Int, name: String) async throws {
        let client = try await SNMPClient.start(maximumInFlight: 1)
        defer { Task { await client.shutdown() } }
        let address = try SocketAddress(ipAddress: "127.0.0.1", port: port)
        for _ in 0..<50 {
            let answer = try? await client.get(
                [OID(BenchmarkCredentials.loadOID)!], from: address,
                credentials: .community(BenchmarkCredentials.community), timeout: .milliseconds(200),
                retries: 0)
            if let value = answer?.first?.value, !value.isException { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw BenchmarkError("\(name) does not answer the load OID on 127.0.0.1:\(port)")
    }

    /// User plus system CPU seconds of `pid` and of the children it has waited for.
    static func cpuSeconds(of pid: pid_t) -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return 0 }
        // After "pid (comm)": utime, stime, cutime and cstime are fields 14 to 17.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 14 else { return 0 }
        let ticks = fields[11...14].compactMap { Double($0) }.reduce(0, +)
        return ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}

/// `lbclient agent` on a free port of 127.0.0.1, serving the benchmark's community and user.
private final class AgentProcess {
    private let child: ChildProcess
    let port: Int

    var pid: pid_t { child.pid }

    init(lbclient: String, nodeArguments: [String], directory: URL) throws {
        let user = BenchmarkCredentials.user
        let config = directory.appendingPathComponent("agent-snmp.conf")
        try """
        rocommunity \(BenchmarkCredentials.community) 127.0.0.1
        createUser \(user.name) SHA-256 "\(user.authentication!.password)" AES "\(user.privacy!.password)"
        rouser \(user.name) priv

        """.write(to: config, atomically: true, encoding: .utf8)
        port = try LoopbackPort.freeUDP()
        child = try ChildProcess(
            lbclient,
            arguments: ["agent", "--listen", "127.0.0.1:\(port)", "--snmp-config", config.path]
                + nodeArguments
                + ["--cache-time", LBClientAgentBenchmark.cacheTime])
    }

    func stop() {
        child.stop(grace: .seconds(5))
    }
}

/// The error, or its absence, of work another thread finishes.
private final class BlockingOutcome: @unchecked Sendable {
    // Guarded by `done`: written once before the signal, read after the wait.
    private var error: (any Error)?
    private let done = DispatchSemaphore(value: 0)

    func finish(_ error: (any Error)?) {
        self.error = error
        done.signal()
    }

    func wait() -> (any Error)? {
        done.wait()
        return error
    }
}
