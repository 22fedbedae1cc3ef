import DNS
import Foundation
import NIOCore
import ProcessSpawning

/// Knot DNS's `knotd` or NSD serving one zone on 127.0.0.1, for comparison: started in the
/// foreground in its own temporary directory, stopped by pid (SIGTERM, then SIGKILL), the
/// directory removed.
final class PeerDNSServer {
    enum Kind: String, CaseIterable {
        case knot, nsd

        var path: String {
            switch self {
            case .knot: return "/usr/sbin/knotd"
            case .nsd: return "/usr/sbin/nsd"
            }
        }

        var package: String {
            switch self {
            case .knot: return "knot"
            case .nsd: return "nsd"
            }
        }
    }

    let kind: Kind
    private let child: ChildProcess
    let port: Int
    let directory: URL

    var pid: pid_t { child.pid }

    /// Starts the server on a free port with `zoneFile` as the zone at `origin` and waits until
    /// it answers a SOA query; throws if it exits or is still silent after `timeout`.
    static func start(
        _ kind: Kind, origin: DomainName, zoneFile: String, workers: Int = 2, timeout: Duration = .seconds(15)
    ) async throws -> PeerDNSServer {
        guard FileManager.default.isExecutableFile(atPath: kind.path) else {
            throw BenchmarkError("\(kind.path) is not installed (apt-get install \(kind.package))")
        }
        let server = try PeerDNSServer(kind, origin: origin, zoneFile: zoneFile, workers: workers)
        do {
            try await server.waitUntilServing(origin, timeout: timeout)
        } catch {
            server.stop()
            throw error
        }
        return server
    }

    private init(_ kind: Kind, origin: DomainName, zoneFile: String, workers: Int) throws {
        self.kind = kind
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("lbbench-\(kind)-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        port = try LoopbackPort.freeForUDPAndTCP()
        let zonePath = directory.appendingPathComponent("zone").path
        try zoneFile.write(toFile: zonePath, atomically: true, encoding: .utf8)
        let configuration = directory.appendingPathComponent("\(kind).conf").path
        let arguments: [String]
        switch kind {
        case .knot:
            try Self.knotConfiguration(
                directory: directory.path, port: port, origin: origin, zonePath: zonePath
            )
            .write(toFile: configuration, atomically: true, encoding: .utf8)
            arguments = ["-c", configuration]
        case .nsd:
            try Self.nsdConfiguration(
                directory: directory.path, port: port, origin: origin, zonePath: zonePath, workers: workers
            ).write(toFile: configuration, atomically: true, encoding: .utf8)
            arguments = ["-d", "-c", configuration]
        }
        do {
            child = try ChildProcess(
                kind.path, arguments: arguments,
                standardError: .file(directory.appendingPathComponent("stderr").path))
        } catch {
            throw BenchmarkError("\(error)")
        }
    }

    /// The knot.conf of the interop tests without the key and ACL: no updates, no zone file
    /// flush, warnings only on stderr. Knot picks its UDP workers itself (one per core).
    static func knotConfiguration(directory: String, port: Int, origin: DomainName, zonePath: String)
        -> String
    {
        """
        server:
            rundir: "\(directory)"
            listen: 127.0.0.1@\(port)
        log:
          - target: stderr
            any: warning
        database:
            storage: "\(directory)"
        template:
          - id: default
            storage: "\(directory)"
            zonefile-sync: -1
            journal-content: none
        zone:
          - domain: \(origin)
            file: "\(zonePath)"

        """
    }

    /// nsd.conf: `workers` server processes sharing the port (as Knot's workers and our
    /// sockets do), no zone database, no remote control, every file in `directory`. Response
    /// rate limiting, on by default in Debian's NSD, is off: it would answer dnsperf's stream of
    /// identical sources with a trickle, as neither Knot nor our server limit.
    static func nsdConfiguration(
        directory: String, port: Int, origin: DomainName, zonePath: String, workers: Int
    ) -> String {
        """
        server:
            ip-address: 127.0.0.1@\(port)
            server-count: \(workers)
            reuseport: yes
            username: ""
            chroot: ""
            zonesdir: "\(directory)"
            database: ""
            zonelistfile: "\(directory)/zone.list"
            xfrdfile: "\(directory)/xfrd.state"
            pidfile: "\(directory)/nsd.pid"
            logfile: "\(directory)/nsd.log"
            verbosity: 0
            rrl-ratelimit: 0
            rrl-whitelist-ratelimit: 0
        remote-control:
            control-enable: no
        zone:
            name: \(origin)
            zonefile: "\(zonePath)"

        """
    }

    /// User plus system CPU seconds the server and every process it forked (NSD's servers and
    /// xfrd) have used so far, from /proc.
    var cpuSeconds: Double {
        var total = 0.0
        for pid in [pid] + Self.descendants(of: pid) {
            guard let stat = Self.stat(pid), stat.count > 12, let user = Double(stat[11]),
                let system = Double(stat[12])
            else { continue }
            total += user + system
        }
        return total / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// The fields of /proc/PID/stat after "pid (comm)": state is [0], ppid [1], utime [11],
    /// stime [12].
    private static func stat(_ pid: pid_t) -> [Substring]? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        return stat[stat.index(after: close)...].split(separator: " ")
    }

    /// Every live process whose parent chain reaches `root`.
    private static func descendants(of root: pid_t) -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        var parent: [pid_t: pid_t] = [:]
        for entry in entries {
            guard let pid = pid_t(entry), let fields = stat(pid), fields.count > 1,
                let ppid = pid_t(fields[1])
            else { continue }
            parent[pid] = ppid
        }
        return parent.keys.filter { pid in
            var current = parent[pid]
            var hops = 0
            while let next = current, hops < 16 {
                if next == root { return true }
                current = parent[next]
                hops += 1
            }
            return false
        }
    }

    /// What the server wrote on stderr, for error messages.
    var errorOutput: String {
        (try? String(contentsOf: directory.appendingPathComponent("stderr"), encoding: .utf8)) ?? ""
    }

    var isRunning: Bool { child.isRunning }

    private func waitUntilServing(_ origin: DomainName, timeout: Duration) async throws {
        let server = try SocketAddress(ipAddress: "127.0.0.1", port: port)
        let client = DNSClient(options: DNSClient.Options(timeout: .milliseconds(200), retries: 0))
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard isRunning else { throw BenchmarkError("\(kind.path) exited: \(errorOutput.suffix(2000))") }
            if (try? await client.query(origin, type: .soa, server: server)) != nil { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw BenchmarkError("\(kind.path) does not answer on port \(port): \(errorOutput.suffix(2000))")
    }

    /// SIGTERM, then SIGKILL after five seconds; waits for the exit and removes the directory.
    /// NSD's forked servers leave with their parent.
    func stop() {
        child.stop(grace: .seconds(5))
        try? FileManager.default.removeItem(at: directory)
    }
}
