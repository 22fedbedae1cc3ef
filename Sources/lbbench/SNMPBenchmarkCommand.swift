import ArgumentParser
import Foundation
import NIOCore
import SNMP
import Synchronization

struct SNMPBenchmarkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snmp",
        abstract: "GETs per second, client CPU per GET and latency of the SNMP client against our agents.",
        discussion: """
            Starts --agents agents of ours in a child process on 127.0.0.1, then GETs the load OID \
            --requests times across them with at most --in-flight requests outstanding, for v2c \
            and for v3 authPriv (SHA-256 + AES-128). With snmpd installed, the same client is also \
            run against one net-snmp snmpd serving the OID through pass_persist.
            """
    )

    enum Version: String, ExpressibleByArgument, CaseIterable {
        case v2c, v3, both
    }

    @Option var agents = 10
    @Option var requests = 100_000
    @Option var version = Version.both
    @Option(name: .customLong("in-flight")) var inFlight = 256
    @Option(help: "Stop a run after this many seconds, whatever is left.") var maxSeconds = 60.0
    @Flag(help: "Skip the run against net-snmp's snmpd.") var noSnmpd = false

    func validate() throws {
        guard (1...1000).contains(agents), (1...10_000_000).contains(requests),
            (1...100_000).contains(inFlight)
        else { throw ValidationError("--agents 1...1000, --requests 1...10000000, --in-flight 1...100000") }
    }

    func run() async throws {
        print(
            "lbbench snmp: \(ProcessInfo.processInfo.activeProcessorCount) cores, \(requests) GETs, "
                + "\(agents) agents, \(inFlight) in flight")
        let child = try BenchmarkChild(["snmp-agents", "--count", String(agents)])
        defer { child.stop() }
        let addresses = try child.readyWords.compactMap { Int($0) }.map {
            try SocketAddress(ipAddress: "127.0.0.1", port: $0)
        }
        let versions: [Version] = version == .both ? [.v2c, .v3] : [version]
        var results: [(String, BenchmarkResult)] = []
        for version in versions {
            let credentials =
                version == .v2c
                ? SNMPCredentials.community(BenchmarkCredentials.community) : .user(BenchmarkCredentials.user)
            let result = try await measure(addresses: addresses, credentials: credentials, requests: requests)
            results.append(("\(version == .v2c ? "v2c" : "v3 authPriv") -> \(agents) lb agents", result))
            print(results.last!.1.line(label: results.last!.0))
        }
        if !noSnmpd {
            if let snmpd = try? SnmpdProcess.start() {
                defer { snmpd.stop() }
                let address = try SocketAddress(ipAddress: "127.0.0.1", port: snmpd.port)
                try await Task.sleep(for: .milliseconds(500))
                let count = min(requests, 20_000)
                for version in versions {
                    let credentials =
                        version == .v2c
                        ? SNMPCredentials.community(BenchmarkCredentials.community)
                        : .user(BenchmarkCredentials.user)
                    let result = try await measure(
                        addresses: [address], credentials: credentials, requests: count)
                    print(
                        result.line(
                            label:
                                "\(version == .v2c ? "v2c" : "v3 authPriv") -> 1 net-snmp snmpd (pass_persist)"
                        ))
                }
            } else {
                print("(snmpd not installed: no comparison run)")
            }
        }
    }

    private func measure(addresses: [SocketAddress], credentials: SNMPCredentials, requests: Int) async throws
        -> BenchmarkResult
    {
        try await SNMPLoad(inFlight: inFlight, maxSeconds: maxSeconds).measure(
            addresses: addresses, credentials: credentials, requests: requests)
    }
}

/// Shared by the benchmark's workers: the next request to send and the failures so far.
final class Counters: Sendable {
    let next = Atomic<Int>(0)
    let failures = Atomic<Int>(0)
}

struct BenchmarkResult {
    var completed: Int
    var failed: Int
    var seconds: Double
    var cpuSeconds: Double
    var latenciesMicroseconds: [Double]

    func percentile(_ p: Double) -> Double {
        guard !latenciesMicroseconds.isEmpty else { return 0 }
        return latenciesMicroseconds[
            min(latenciesMicroseconds.count - 1, Int(Double(latenciesMicroseconds.count) * p))]
    }

    func line(label: String) -> String {
        let rate = Double(completed) / seconds
        let cpu = completed > 0 ? cpuSeconds * 1e6 / Double(completed) : 0
        return String(
            format:
                "%@: %.0f GETs/s, client CPU %.1f µs/GET, p50 %.0f µs, p99 %.0f µs (%d ok, %d failed, %.2f s)",
            label, rate, cpu, percentile(0.5), percentile(0.99), completed, failed, seconds)
    }
}

/// User plus system CPU time of this process (the client side only: agents run in a child).
func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        + Double(usage.ru_stime.tv_sec)
        + Double(usage.ru_stime.tv_usec) / 1e6
}
