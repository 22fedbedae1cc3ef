import ArgumentParser
import DNS
import Foundation
import NIOCore
import ProcessSpawning

/// `lbbench dns`: queries per second, latency and CPU per query of our authoritative server,
/// Knot DNS and NSD answering the same zone, all measured with the same dnsperf command.
struct DNSBenchmarkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dns",
        abstract:
            "Queries per second and CPU per query of our DNS server against Knot DNS and NSD, measured with dnsperf.",
        discussion: """
            Builds lb.example. with --aliases aliases (two A and one AAAA record each) and a \
            dnsperf query file of A and AAAA questions over all of them with one in twenty for \
            a missing name, then runs dnsperf for --seconds against our DNSServer, started in \
            this process, and against knotd and nsd serving the same zone file, on 127.0.0.1.
            """
    )

    enum Server: String, ExpressibleByArgument, CaseIterable {
        case ours, knot, nsd
    }

    @Option(help: "Aliases in the zone.") var aliases = 1000
    @Option(help: "Length of each dnsperf run, in seconds.") var seconds = 10
    @Option(help: "dnsperf clients (-c): sockets it sends from.") var clients = 4
    @Option(help: "dnsperf queries outstanding at most (-q).") var outstanding = 200
    @Option(help: "Lines of the query file; dnsperf goes round it as often as it can.") var queries = 100_000
    @Option(
        help:
            "UDP sockets our server reads (SO_REUSEPORT), each on its own event loop; the server's default is one per core."
    )
    var udpSockets = DNSServerConfiguration().udpSockets
    @Option(help: "Run against one server only.") var only: Server?
    @Option(help: "NSD server processes (server-count), sharing the port as Knot's workers do.")
    var nsdWorkers = 2
    @Option(help: "The dnsperf to run.") var dnsperf = "/usr/bin/dnsperf"
    @Flag(
        help:
            "Instead of dnsperf: the server CPU per crafted query (issue 12's 1,321 questions in 8 KB) against a plain one, and the plain-query answer rate under a crafted flood."
    )
    var attack = false
    @Option(help: "With --attack: queries of each kind in the CPU bursts.") var attackQueries = 10_000
    @Option(help: "With --attack: plain queries per second during each flood run.") var plainRate = 2_000
    @Option(help: "With --attack: length of each flood run, in seconds.") var attackSeconds = 3
    @Option(help: "With --attack: crafted queries per second of each flood run, comma-separated.")
    var floodRates = "0,200,2000,10000"

    func validate() throws {
        if attack {
            guard (1...1_000_000).contains(attackQueries), (1...100_000).contains(plainRate),
                (1...600).contains(attackSeconds), parsedFloodRates != nil
            else {
                throw ValidationError(
                    "--attack-queries 1...1000000, --plain-rate 1...100000, --attack-seconds 1...600, "
                        + "--flood-rates a comma-separated list of 0...1000000")
            }
        }
        guard (1...65_535).contains(aliases), (1...3600).contains(seconds), (1...256).contains(clients),
            (1...100_000).contains(outstanding), (1...10_000_000).contains(queries),
            (1...64).contains(udpSockets), (1...64).contains(nsdWorkers)
        else {
            throw ValidationError(
                "--aliases 1...65535, --seconds 1...3600, --clients 1...256, --outstanding 1...100000, "
                    + "--queries 1...10000000, --udp-sockets 1...64, --nsd-workers 1...64")
        }
    }

    /// The crafted rates of `--flood-rates`, or nil when one is not a number in range.
    private var parsedFloodRates: [Int]? {
        let rates = floodRates.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !rates.isEmpty, rates.allSatisfy({ $0.map { (0...1_000_000).contains($0) } ?? false }) else {
            return nil
        }
        return rates.compactMap { $0 }
    }

    func run() async throws {
        if attack {
            try await DNSAttackBenchmark(
                aliases: aliases, queries: attackQueries, plainRate: plainRate, seconds: attackSeconds,
                floodRates: parsedFloodRates ?? [0]
            ).run()
            return
        }
        guard FileManager.default.isExecutableFile(atPath: dnsperf) else {
            throw BenchmarkError("\(dnsperf) is not installed (apt-get install dnsperf)")
        }
        let zone = try DNSBenchmarkZone(aliases: aliases)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lbbench-dns-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let queryFile = directory.appendingPathComponent("queries").path
        try (zone.queryLines(count: queries, seed: 2026).joined(separator: "\n") + "\n")
            .write(toFile: queryFile, atomically: true, encoding: .utf8)
        print(
            "# lbbench dns on \(ProcessInfo.processInfo.activeProcessorCount) cores: \(aliases) aliases, "
                + "\(queries) query lines, dnsperf -l \(seconds) -c \(clients) -q \(outstanding), "
                + "our UDP sockets \(udpSockets)")

        var results: [(String, DNSPerfResult)] = []
        for server in Server.allCases where only == nil || only == server {
            let result: DNSPerfResult
            switch server {
            case .ours: result = try await measureOurs(zone: zone, queryFile: queryFile)
            case .knot: result = try await measurePeer(.knot, zone: zone, queryFile: queryFile)
            case .nsd: result = try await measurePeer(.nsd, zone: zone, queryFile: queryFile)
            }
            results.append((server.rawValue, result))
            print(result.line(label: server.rawValue))
        }
        print()
        printTable(results)
    }

    /// Our `DNSServer` in this process; its CPU time is this process's, since dnsperf is a child.
    private func measureOurs(zone: DNSBenchmarkZone, queryFile: String) async throws -> DNSPerfResult {
        let store = ZoneStore()
        store.replace(zone.zone)
        let server = DNSServer(
            configuration: DNSServerConfiguration(host: "127.0.0.1", port: 0, udpSockets: udpSockets),
            store: store)
        let address = try await server.start()
        do {
            let cpuBefore = processCPUSeconds()
            var result = try runDNSPerf(port: address.port!, queryFile: queryFile)
            result.serverCPUSeconds = processCPUSeconds() - cpuBefore
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }

    private func measurePeer(_ kind: PeerDNSServer.Kind, zone: DNSBenchmarkZone, queryFile: String)
        async throws
        -> DNSPerfResult
    {
        let server = try await PeerDNSServer.start(
            kind, origin: DNSBenchmarkZone.origin, zoneFile: zone.zoneFile, workers: nsdWorkers)
        defer { server.stop() }
        let cpuBefore = server.cpuSeconds
        var result = try runDNSPerf(port: server.port, queryFile: queryFile)
        result.serverCPUSeconds = server.cpuSeconds - cpuBefore
        return result
    }

    /// Runs dnsperf against 127.0.0.1:`port` and reads its statistics; killed if it runs well
    /// past `--seconds` plus its own 5-second query timeout.
    private func runDNSPerf(port: Int, queryFile: String) throws -> DNSPerfResult {
        let arguments = [
            "-s", "127.0.0.1", "-p", String(port), "-d", queryFile, "-l", String(seconds), "-c",
            String(clients),
            "-q", String(outstanding), "-t", "5",
        ]
        let outcome = try CapturedRun.run(
            dnsperf, arguments: arguments, timeout: .seconds(seconds + 30), outputLimit: 16 << 20)
        guard case .finished(let termination, let output, let errors) = outcome else {
            throw BenchmarkError("dnsperf did not finish within \(seconds + 30) s and was killed")
        }
        let text = String(decoding: output + errors, as: UTF8.self)
        guard termination == .exited(0), let result = DNSPerfResult(parsing: text) else {
            throw BenchmarkError("dnsperf failed (\(termination)): \(text.suffix(2000))")
        }
        return result
    }

    private func printTable(_ results: [(String, DNSPerfResult)]) {
        print("| server | qps | completed | lost | avg latency | server CPU | CPU per query |")
        print("|---|---|---|---|---|---|---|")
        for (label, result) in results {
            print(
                String(
                    format: "| %@ | %.0f | %d | %d | %.3f ms | %.2f s | %.1f µs |", label,
                    result.queriesPerSecond, result.completed, result.lost, result.averageLatency * 1000,
                    result.serverCPUSeconds, result.serverCPUSeconds * 1e6 / Double(max(1, result.completed)))
            )
        }
        guard let ours = results.first(where: { $0.0 == "ours" })?.1, ours.completed > 0 else { return }
        let oursCPU = ours.serverCPUSeconds / Double(ours.completed)
        print()
        for (label, peer) in results where label != "ours" && peer.queriesPerSecond > 0 && peer.completed > 0
        {
            let peerCPU = peer.serverCPUSeconds / Double(peer.completed)
            print(
                String(
                    format: "ours/%@: %.2f× the queries per second, %.2f× the CPU per query", label,
                    ours.queriesPerSecond / peer.queriesPerSecond, peerCPU > 0 ? oursCPU / peerCPU : 0))
        }
    }
}

/// The statistics dnsperf prints at the end of a run.
struct DNSPerfResult {
    var sent: Int
    var completed: Int
    var lost: Int
    var queriesPerSecond: Double
    /// In seconds.
    var averageLatency: Double
    /// The response codes line, e.g. `NOERROR 95000 (95.00%), NXDOMAIN 5000 (5.00%)`.
    var responseCodes: String
    /// CPU seconds the server used during the run, filled in by the caller.
    var serverCPUSeconds = 0.0

    /// Reads `Queries sent:`, `Queries completed:`, `Queries lost:`, `Queries per second:` and
    /// `Average Latency (s):`; nil when one of them is missing.
    init?(parsing output: String) {
        var values: [String: String] = [:]
        for line in output.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon].trimmingCharacters(in: .whitespaces)
            values[key] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        func number(_ key: String) -> Double? {
            values[key].flatMap { $0.split(separator: " ").first }.flatMap { Double($0) }
        }
        guard let sent = number("Queries sent"), let completed = number("Queries completed"),
            let lost = number("Queries lost"), let rate = number("Queries per second"),
            let latency = number("Average Latency (s)")
        else { return nil }
        self.sent = Int(sent)
        self.completed = Int(completed)
        self.lost = Int(lost)
        self.queriesPerSecond = rate
        self.averageLatency = latency
        self.responseCodes = values["Response codes"] ?? ""
    }

    func line(label: String) -> String {
        String(
            format:
                "%@: %.0f queries/s, %d sent, %d completed, %d lost, avg latency %.3f ms, server CPU %.2f s; %@",
            label, queriesPerSecond, sent, completed, lost, averageLatency * 1000, serverCPUSeconds,
            responseCodes)
    }
}
