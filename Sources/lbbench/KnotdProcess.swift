import DNS
import Foundation
import NIOCore
import ProcessSpawning

/// A Knot DNS `knotd` serving one zone on 127.0.0.1, for comparison: started in the foreground
/// in its own temporary directory, stopped by pid (SIGTERM, then SIGKILL), the directory removed.
final class KnotdProcess {
    static let path = "/usr/sbin/knotd"

    private let child: ChildProcess
    let port: Int
    let directory: URL

    var pid: pid_t { child.pid }

    /// Starts knotd on a free port with `zoneFile` as the zone at `origin` and waits until it
    /// answers a SOA query; throws if it exits or is still silent after `timeout`.
    static func start(origin: DomainName, zoneFile: String, timeout: Duration = .seconds(15)) async throws
        -> KnotdProcess
    {
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw BenchmarkError("\(path) is not installed (apt-get install knot)")
        }
        let knotd = try KnotdProcess(origin: origin, zoneFile: zoneFile)
        do {
            try await knotd.waitUntilServing(origin, timeout: timeout)
        } catch {
            knotd.stop()
            throw error
        }
        return knotd
    }

    private init(origin: DomainName, zoneFile: String) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("lbbench-knotd-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        port = try LoopbackPort.freeForUDPAndTCP()
        let zonePath = directory.appendingPathComponent("zone").path
        try zoneFile.write(toFile: zonePath, atomically: true, encoding: .utf8)
        let configuration = directory.appendingPathComponent("knot.conf").path
        try Self.configuration(directory: directory.path, port: port, origin: origin, zonePath: zonePath)
            .write(toFile: configuration, atomically: true, encoding: .utf8)
        do {
            child = try ChildProcess(
                Self.path, arguments: ["-c", configuration],
                standardError: .file(directory.appendingPathComponent("stderr").path))
        } catch {
            throw BenchmarkError("\(error)")
        }
    }

    /// The knot.conf of the interop tests without the key and ACL: no updates, no zone file
    /// flush, warnings only on stderr.
    static func configuration(directory: String, port: Int, origin: DomainName, zonePath: String) -> String {
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

    /// User plus system CPU seconds knotd has used so far, from /proc/PID/stat.
    var cpuSeconds: Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return 0 }
        // After "pid (comm)": state is field 3; utime and stime are fields 14 and 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else {
            return 0
        }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// What knotd wrote on stderr, for error messages.
    var errorOutput: String {
        (try? String(contentsOf: directory.appendingPathComponent("stderr"), encoding: .utf8)) ?? ""
    }

    var isRunning: Bool { child.isRunning }

    private func waitUntilServing(_ origin: DomainName, timeout: Duration) async throws {
        let server = try SocketAddress(ipAddress: "127.0.0.1", port: port)
        let client = DNSClient(options: DNSClient.Options(timeout: .milliseconds(200), retries: 0))
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard isRunning else { throw BenchmarkError("knotd exited: \(errorOutput.suffix(2000))") }
            if (try? await client.query(origin, type: .soa, server: server)) != nil { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw BenchmarkError("knotd does not answer on port \(port): \(errorOutput.suffix(2000))")
    }

    /// SIGTERM, then SIGKILL after five seconds; waits for the exit and removes the directory.
    func stop() {
        child.stop(grace: .seconds(5))
        try? FileManager.default.removeItem(at: directory)
    }
}
