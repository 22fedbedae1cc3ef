import Foundation
import LBCore
import Testing

/// Real peer programs (net-snmp's snmpd, snmpget...) for interop tests.
///
/// A missing program skips the test, or fails it when `LB_REQUIRE_PEERS=1` (CI sets it), so a
/// CI machine without the Debian packages cannot pass silently.
public enum Peers {
    public static var required: Bool { ProcessInfo.processInfo.environment["LB_REQUIRE_PEERS"] == "1" }

    /// The path of `program` in the usual directories, or `nil`.
    public static func find(_ program: String) -> String? {
        let directories =
            (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
            + ["/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/sbin", "/usr/local/bin"]
        return directories.map { "\($0)/\(program)" }.first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }

    /// Whether the tests that need `programs` can run: `true` if all are installed. Otherwise an
    /// issue is recorded when peers are required, and the caller returns early.
    public static func available(_ programs: String...) -> Bool {
        let missing = programs.filter { find($0) == nil }
        if missing.isEmpty { return true }
        if required {
            Issue.record(
                "peer program(s) missing: \(missing.joined(separator: ", ")); scripts/test installs them")
        }
        return false
    }

    /// A UDP port on 127.0.0.1 that was free a moment ago (bound, read back, released).
    public static func freeUDPPort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard descriptor >= 0 else { throw PeerError("socket() failed") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else { throw PeerError("bind() failed") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// A port on 127.0.0.1 free for UDP (per `freeUDPPort`) and also for TCP, since DNS servers
    /// listen on both with the same number.
    public static func freeUDPAndTCPPort() throws -> Int {
        for _ in 0..<20 {
            let port = try freeUDPPort()
            if tcpPortIsFree(port) { return port }
        }
        throw PeerError("no port free for both UDP and TCP")
    }

    private static func tcpPortIsFree(_ port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        } == 0
    }

    /// The `options` and `controls` statements every test's BIND `named` runs with: no rndc, no
    /// recursion, no NOTIFY of its own, every file under `directory`, listening on 127.0.0.1 at
    /// `port` only; then `extra` inside `options`.
    public static func namedOptions(directory: String, port: Int, extra: String = "") -> String {
        """
        options {
            directory "\(directory)";
            listen-on port \(port) { 127.0.0.1; };
            listen-on-v6 { none; };
            pid-file none;
            session-keyfile none;
            managed-keys-directory "\(directory)";
            recursion no;
            dnssec-validation no;
            notify no;
            \(extra)
        };
        controls { };

        """
    }

    /// A new private temporary directory.
    public static func temporaryDirectory(_ prefix: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Runs a program to completion (killed after `timeout` seconds) and returns its status and
    /// output. A status of -1 means the program was killed at the timeout.
    public static func run(_ path: String, _ arguments: [String], timeout: Double = 20, input: String? = nil)
        throws -> (
            status: Int32, output: String, errors: String
        )
    {
        let directory = try temporaryDirectory("run")
        defer { try? FileManager.default.removeItem(at: directory) }
        let outputFile = directory.appendingPathComponent("stdout").path
        let errorFile = directory.appendingPathComponent("stderr").path
        var inputFile = "/dev/null"
        if let input {
            inputFile = directory.appendingPathComponent("stdin").path
            try input.write(toFile: inputFile, atomically: false, encoding: .utf8)
        }
        let child = try SpawnedProcess(
            path, arguments, input: inputFile, output: outputFile, errors: errorFile)
        let status =
            child.wait(timeout: timeout)
            ?? {
                child.kill(SIGKILL)
                _ = child.wait(timeout: 5)
                return -1
            }()
        let output = (try? String(contentsOfFile: outputFile, encoding: .utf8)) ?? ""
        let errors = (try? String(contentsOfFile: errorFile, encoding: .utf8)) ?? ""
        return (status, output, errors)
    }
}

public struct PeerError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// A peer daemon started by a test and stopped by pid when the test is done.
///
/// Processes are started with posix_spawn and reaped with waitpid on their own pid. Foundation's
/// `Process` is avoided: it watches children through an inherited socket, and daemons such as
/// snmpd close inherited descriptors, after which Foundation blocks in waitpid on the daemon and
/// every other `Process` of the test run hangs.
public final class PeerProcess: @unchecked Sendable {
    private let child: SpawnedProcess
    private let directory: URL

    public init(_ path: String, _ arguments: [String], environment: [String: String]? = nil) throws {
        directory = try Peers.temporaryDirectory("peer")
        child = try SpawnedProcess(
            path, arguments, input: "/dev/null", output: "/dev/null",
            errors: directory.appendingPathComponent("stderr").path, environment: environment)
    }

    public var pid: Int32 { child.pid }

    public var isRunning: Bool { child.isRunning }

    /// What the daemon wrote on stderr so far.
    public var errorOutput: String {
        (try? String(contentsOf: directory.appendingPathComponent("stderr"), encoding: .utf8)) ?? ""
    }

    /// Waits up to `timeout` seconds for the process to end; its exit status, or nil.
    public func waitForExit(timeout: Double) -> Int32? { child.wait(timeout: timeout) }

    /// Stops the daemon (SIGTERM, then SIGKILL after two seconds) and waits for it.
    public func stop() {
        guard child.isRunning else { return }
        child.kill(SIGTERM)
        if child.wait(timeout: 2) == nil {
            child.kill(SIGKILL)
            _ = child.wait(timeout: 10)
        }
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }
}

/// A child process in its own process group, with its standard streams on files.
final class SpawnedProcess: @unchecked Sendable {
    let pid: pid_t
    private var exitStatus: Int32?
    private let lock = NSLock()

    init(
        _ path: String, _ arguments: [String], input: String, output: String, errors: String,
        environment: [String: String]? = nil
    ) throws {
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attributes)
        defer {
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attributes)
        }
        posix_spawn_file_actions_addopen(&actions, 0, input, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, errors, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        // A daemon must not keep the test's sockets (say a server's port) open after the test
        // closed them.
        InheritedDescriptors.closeAll(in: &actions)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGCHLD] { sigaddset(&defaults, signal) }
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        let merged = ProcessInfo.processInfo.environment.merging(environment ?? [:]) { $1 }
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        guard result == 0 else {
            throw PeerError("cannot start \(path): \(String(cString: strerror(result)))")
        }
        self.pid = pid
    }

    var isRunning: Bool { poll() == nil }

    /// The exit status (or 128 + signal) once the process ended, reaping it; nil while it runs.
    private func poll() -> Int32? {
        lock.lock()
        defer { lock.unlock() }
        if let exitStatus { return exitStatus }
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        if result == pid {
            let signal = status & 0x7f
            exitStatus = signal == 0 ? (status >> 8) & 0xff : 128 + signal
        } else if result == -1 {
            exitStatus = -1
        }
        return exitStatus
    }

    func wait(timeout: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let status = poll() { return status }
            if Date() >= deadline { return nil }
            usleep(5_000)
        }
    }

    /// Signals the whole process group, so helpers the program started go too.
    func kill(_ signal: Int32) {
        Foundation.kill(-pid, signal)
        Foundation.kill(pid, signal)
    }
}
