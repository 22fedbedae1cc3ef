import ArgumentParser
import Foundation
import ProcessSpawning

/// `lbbench lbclient`: how long one `lbclient` run takes for a typical node configuration, and
/// how fast `lbclient --pass-persist` answers snmpd.
struct LBClientBenchmarkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lbclient",
        abstract: "Wall and CPU time of one lbclient run, and pass_persist latency.")

    @Option(help: "The lbclient to measure (default: the one built next to lbbench).")
    var lbclient: String?

    @Option(help: "Number of one-shot runs per configuration (of each program with --compare).")
    var runs = 50

    @Option(
        help:
            "Also run this lbclient-compatible program (e.g. golbclient) on the same one-shot command lines and files, interleaved with ours, and print the ratios (default: none)."
    )
    var compare: String?

    @Option(help: "Number of pass_persist GETs.")
    var requests = 20_000

    @Flag(
        help:
            "Instead, compare `lbclient agent` with snmpd's `pass` cache: v2c and v3 authPriv, one GET at a time and --agent-in-flight at once."
    )
    var agent = false

    @Option(help: "GETs per --agent run.")
    var agentRequests = 20_000

    @Option(help: "Requests outstanding at once in the --agent runs that are not one at a time.")
    var agentInFlight = 100

    @Flag(
        inversion: .prefixedNo,
        help: "Run the --agent load on one event loop thread, so the client's own cost is as low as it goes.")
    var agentPinned = true

    @Flag(
        help:
            "Put the --agent load with the SNMP library's NIO client (as `lbbench snmp`) instead of the lean load (a plain socket, datagrams built beforehand).")
    var agentNioLoad = false

    @Flag(
        inversion: .prefixedNo,
        help: "In the lean --agent load one request at a time, wait for each answer polling the socket rather than asleep.")
    var agentBusyPoll = false

    func validate() throws {
        guard (1...10_000).contains(runs) else { throw ValidationError("--runs must be 1...10000") }
        guard (1...1_000_000).contains(requests) else {
            throw ValidationError("--requests must be 1...1000000")
        }
        guard (1...10_000_000).contains(agentRequests), (2...10_000).contains(agentInFlight) else {
            throw ValidationError("--agent-requests must be 1...10000000, --agent-in-flight 2...10000")
        }
    }

    func run() throws {
        let executable =
            lbclient
            ?? URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("lbclient").path
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw BenchmarkError(
                "lbclient is not built at \(executable): swift build -c release --product lbclient")
        }
        let node = try BenchmarkNode()
        defer { node.remove() }
        let arguments = node.arguments
        if agent {
            // Each side gets its own cache time: snmpd's 30 s, and the same for the agent.
            var nodeArguments = arguments
            if let option = nodeArguments.firstIndex(of: "--cache-time") {
                nodeArguments.removeSubrange(option...option + 1)
            }
            let cores = ProcessInfo.processInfo.activeProcessorCount
            print("# lbbench lbclient --agent on \(cores) cores: \(executable)")
            try LBClientAgentBenchmark(
                lbclient: executable, nodeArguments: nodeArguments, directory: node.root,
                requests: agentRequests, inFlight: agentInFlight, pinned: agentPinned, lean: !agentNioLoad,
                busyPoll: agentBusyPoll
            ).run()
            return
        }
        print("# lbbench lbclient on \(ProcessInfo.processInfo.activeProcessorCount) cores: \(executable)")

        // One-shot runs, as snmpd's `pass` starts lbclient for every request.
        try LBClientOneShotBenchmark(lbclient: executable, compare: compare, runs: runs).run()

        // pass_persist: one long-running lbclient, GETs answered from its cache.
        let latencies = try passPersist(executable, arguments)
        let total = latencies.reduce(0, +)
        let sorted = latencies.sorted()
        print(
            String(
                format:
                    "pass_persist: %.0f GETs/s one at a time, p50 %.1f µs, p99 %.1f µs, max %.1f µs (%d GETs)",
                Double(latencies.count) / (total / 1e6), percentile(sorted, 0.5), percentile(sorted, 0.99),
                sorted.last ?? 0, latencies.count))
    }

    private func runOnce(_ executable: String, _ arguments: [String]) throws -> (
        status: Int32, output: String
    ) {
        switch try CapturedRun.run(executable, arguments: arguments, timeout: .seconds(300)) {
        case .finished(let termination, let output, _):
            return (termination.shellStatus, String(decoding: output, as: UTF8.self))
        case .timedOut, .cancelled:
            throw BenchmarkError("\(executable) did not finish within 300 s and was killed")
        }
    }

    /// Latencies in microseconds of `requests` GETs sent one after another, as snmpd does.
    private func passPersist(_ executable: String, _ arguments: [String]) throws -> [Double] {
        let input = try ProcessPipe(for: executable)
        let output = try ProcessPipe(for: executable)
        let child: ChildProcess
        do {
            child = try ChildProcess(
                executable, arguments: arguments + ["--pass-persist"],
                standardInput: .descriptor(input.readEnd), standardOutput: .descriptor(output.writeEnd))
        } catch {
            for end in [input.readEnd, input.writeEnd, output.readEnd, output.writeEnd] { close(end) }
            throw error
        }
        close(input.readEnd)
        close(output.writeEnd)
        let writer = FileHandle(fileDescriptor: input.writeEnd, closeOnDealloc: false)
        defer {
            // End of input stops lbclient --pass-persist.
            close(input.writeEnd)
            child.waitUntilExit()
            close(output.readEnd)
        }
        let reader = LineReader(output.readEnd)
        writer.write(Data("PING\n".utf8))
        guard reader.next() == "PONG" else {
            throw BenchmarkError("lbclient --pass-persist did not answer PING")
        }
        let request = Data("get\n.1.3.6.1.4.1.96.255.1\n".utf8)
        // The first GET waits for the first evaluation; it is not counted.
        writer.write(request)
        for _ in 0..<3 { _ = reader.next() }
        var latencies: [Double] = []
        latencies.reserveCapacity(requests)
        for _ in 0..<requests {
            let started = DispatchTime.now()
            writer.write(request)
            guard reader.next() != nil, reader.next() != nil, reader.next() != nil else {
                throw BenchmarkError("lbclient --pass-persist stopped answering")
            }
            latencies.append(Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e3)
        }
        return latencies
    }
}

/// A node's files under a temporary root: configuration, /proc/net fixtures with the three
/// daemons listening, a /tmp, and a fake collectdctl.
private struct BenchmarkNode {
    let root: URL

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("lbbench-lbclient-\(UUID())")
        let files: [String: String] = [
            "etc/lbclient/lbclient.conf": """
            check nologin
            check sshdaemon
            check webdaemon
            check daemon {"port": 443, "protocol": "tcp"}
            check tmpfull
            check command test -d /
            check collectd [load/load:shortterm] < 20 && [memory/memory-free] > 1e6
            load constant 100

            """,
            "etc/lbclient/lbaliases": "lbalias=www.example.org\n",
            "proc/net/tcp": """
              sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1001 1 0000000000000000 100 0 0 10 0
               1: 00000000:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1002 1 0000000000000000 100 0 0 10 0
               2: 00000000:01BB 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1003 1 0000000000000000 100 0 0 10 0

            """,
            "proc/net/tcp6":
                "  sl  local_address                         remote_address                        st\n",
            "proc/net/udp": "  sl  local_address rem_address   st\n",
            "proc/net/udp6":
                "  sl  local_address                         remote_address                        st\n",
            "proc/loadavg": "0.50 0.40 0.30 1/100 1234\n",
            "tmp/.keep": "",
            "bin/collectdctl": """
            #!/bin/sh
            case "$2" in
            load/load) printf 'shortterm=5.000000e-01\\nmidterm=4.000000e-01\\nlongterm=3.000000e-01\\n' ;;
            memory/memory-free) printf 'value=8.000000e+09\\n' ;;
            *) exit 1 ;;
            esac

            """,
        ]
        for (path, contents) in files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try contents.write(to: url, atomically: true, encoding: .utf8)
        }
        try FileManager.default.setAttributes(
            [.posixPermissions: 0o755], ofItemAtPath: root.appendingPathComponent("bin/collectdctl").path)
    }

    var arguments: [String] {
        [
            "--cm", root.appendingPathComponent("etc/lbclient").path,
            "--ca", root.appendingPathComponent("etc/lbclient/lbaliases").path,
            "--root", root.path,
            "--collectdctl", root.appendingPathComponent("bin/collectdctl").path,
            "--collectd-socket", root.appendingPathComponent("none").path,
            "--cache-time", "1s",
        ]
    }

    func remove() { try? FileManager.default.removeItem(at: root) }
}

/// Reads lines from a descriptor with a private buffer (FileHandle has no line reading).
private final class LineReader {
    private let descriptor: Int32
    private var buffer: [UInt8] = []
    private var start = 0

    init(_ descriptor: Int32) { self.descriptor = descriptor }

    func next() -> String? {
        while true {
            if let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[start..<newline], as: UTF8.self)
                start = newline + 1
                if start > 65_536 {
                    buffer.removeFirst(start)
                    start = 0
                }
                return line
            }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else { return nil }
            buffer += chunk[0..<count]
        }
    }
}

private func percentile(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return 0 }
    return sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
}

/// User plus system CPU time of the children this process has waited for.
private func childrenCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_CHILDREN.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        + Double(usage.ru_stime.tv_sec)
        + Double(usage.ru_stime.tv_usec) / 1e6
}
