import DNS
import Foundation
import NIOCore

/// A Knot DNS `knotd` serving one zone on 127.0.0.1, for comparison: started in the foreground
/// in its own temporary directory, stopped by pid (SIGTERM, then SIGKILL), the directory removed.
///
/// knotd is started with posix_spawn and reaped with waitpid on its own pid rather than with
/// Foundation's `Process`, which `lbbench dns` keeps for dnsperf, one child at a time.
final class KnotdProcess {
    static let path = "/usr/sbin/knotd"

    let pid: pid_t
    let port: Int
    let directory: URL
    private var exitStatus: Int32?

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
        pid = try Self.spawn(
            [Self.path, "-c", configuration], errors: directory.appendingPathComponent("stderr").path)
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

    var isRunning: Bool { poll() == nil }

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
        if isRunning {
            kill(pid, SIGTERM)
            if !waitForExit(seconds: 5) {
                kill(pid, SIGKILL)
                _ = waitForExit(seconds: 5)
            }
        }
        try? FileManager.default.removeItem(at: directory)
    }

    private func waitForExit(seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while isRunning {
            if Date() >= deadline { return false }
            usleep(10_000)
        }
        return true
    }

    /// The exit status once knotd ended, reaping it; nil while it runs.
    private func poll() -> Int32? {
        if let exitStatus { return exitStatus }
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        if result == pid || result == -1 { exitStatus = result == -1 ? -1 : status }
        return exitStatus
    }

    /// Starts `arguments` with stdin and stdout on /dev/null and stderr on `errors`.
    private static func spawn(_ arguments: [String], errors: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, errors, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv = arguments.map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, arguments[0], &actions, nil, argv, environ)
        guard result == 0 else {
            throw BenchmarkError("cannot start \(arguments[0]): \(String(cString: strerror(result)))")
        }
        return pid
    }
}
