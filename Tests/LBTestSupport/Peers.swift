import Foundation
import ProcessSpawning
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

    /// Debian's `prometheus` (2.42 on bookworm), or nil.
    public static var prometheus: String? { find("prometheus") }

    /// Debian's `haproxy` (in /usr/sbin), or nil.
    public static var haproxy: String? { find("haproxy") }

    /// Headless Chromium (Debian's `chromium`, else `chromium-browser`), or `nil` after recording
    /// an issue when peers are required.
    public static func chromium() -> String? {
        if let path = find("chromium") ?? find("chromium-browser") { return path }
        if required { Issue.record("peer program missing: chromium; scripts/test installs it") }
        return nil
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
        let child = try spawn(
            path, arguments, input: inputFile, output: outputFile, errors: errorFile, environment: nil)
        let status: Int32
        if let termination = child.wait(timeout: .milliseconds(Int64(timeout * 1000))) {
            status = termination.shellStatus
        } else {
            child.kill()
            status = -1
        }
        let output = (try? String(contentsOfFile: outputFile, encoding: .utf8)) ?? ""
        let errors = (try? String(contentsOfFile: errorFile, encoding: .utf8)) ?? ""
        return (status, output, errors)
    }

    /// Starts `path` in a process group of its own with its standard streams on files and
    /// `environment` added to ours.
    static func spawn(
        _ path: String, _ arguments: [String], input: String, output: String, errors: String,
        environment: [String: String]?
    ) throws -> ChildProcess {
        let merged = environment.map { ProcessInfo.processInfo.environment.merging($0) { $1 } }
        do {
            return try ChildProcess(
                path, arguments: arguments, environment: merged, standardInput: .file(input),
                standardOutput: .file(output), standardError: .file(errors))
        } catch {
            throw PeerError("\(error)")
        }
    }
}

public struct PeerError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// A peer daemon started by a test and stopped by pid when the test is done.
///
/// Processes are started by ``ProcessSpawning/ChildProcess`` (posix_spawn, reaped with waitpid on
/// their own pid). Foundation's `Process` is avoided: it watches children through an inherited
/// socket, and daemons such as snmpd close inherited descriptors, after which Foundation blocks
/// in waitpid on the daemon and every other `Process` of the test run hangs.
public final class PeerProcess: Sendable {
    private let child: ChildProcess
    private let directory: URL

    public init(_ path: String, _ arguments: [String], environment: [String: String]? = nil) throws {
        directory = try Peers.temporaryDirectory("peer")
        child = try Peers.spawn(
            path, arguments, input: "/dev/null", output: "/dev/null",
            errors: directory.appendingPathComponent("stderr").path, environment: environment)
    }

    public var pid: Int32 { child.pid }

    public var isRunning: Bool { child.isRunning }

    /// What the daemon wrote on stderr so far.
    public var errorOutput: String {
        (try? String(contentsOf: directory.appendingPathComponent("stderr"), encoding: .utf8)) ?? ""
    }

    /// Waits up to `timeout` seconds for the process to end; its exit status (128 + the signal
    /// when killed), or nil.
    public func waitForExit(timeout: Double) -> Int32? {
        child.wait(timeout: .milliseconds(Int64(timeout * 1000)))?.shellStatus
    }

    /// Stops the daemon (SIGTERM to its process group, then SIGKILL after two seconds) and waits
    /// for it.
    public func stop() {
        guard child.isRunning else { return }
        child.stop(grace: .seconds(2))
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }
}
