import Foundation
import Synchronization

/// A real HAProxy (Debian's 2.6) started by a test in its own temporary directory, with its
/// runtime API on `admin.sock` at level admin; stopped by pid, its directory removed.
///
/// The configuration is checked with `haproxy -c` before the start, so a mistake in a test's
/// sections fails with HAProxy's words instead of a process that exits at once.
public final class HAProxyPeer: Sendable {
    public let directory: URL
    private let path: String
    private let arguments: [String]
    private let current: Mutex<PeerProcess>

    /// The runtime API socket.
    public var socketPath: String { directory.appendingPathComponent("admin.sock").path }
    /// The running process (another one after ``startAgain()``).
    public var process: PeerProcess { current.withLock { $0 } }

    /// Starts `haproxy -db` (`-W`, master-worker, when `masterWorker`; then the socket also has
    /// `expose-fd listeners`, as for reloads) with `global` after the stats socket lines,
    /// `defaults` in `mode`, then `sections`.
    public init(global: String = "", mode: String = "tcp", sections: String, masterWorker: Bool = false)
        throws
    {
        guard let path = Peers.haproxy else { throw PeerError("haproxy is not installed") }
        self.path = path
        directory = try Peers.temporaryDirectory("haproxy")
        let exposed = masterWorker ? " expose-fd listeners" : ""
        let configuration = """
            global
                stats socket \(directory.path)/admin.sock level admin\(exposed)
                stats timeout 10s
                nbthread 1
            \(global)
            defaults
                mode \(mode)
                timeout connect 1s
                timeout client 5s
                timeout server 5s

            \(sections)

            """
        let file = directory.appendingPathComponent("haproxy.cfg").path
        try configuration.write(toFile: file, atomically: true, encoding: .utf8)
        let check = try Peers.run(path, ["-c", "-f", file])
        guard check.status == 0 else { throw PeerError("haproxy -c refused the config:\n\(check.errors)") }
        arguments = (masterWorker ? ["-W"] : []) + ["-db", "-f", file]
        current = Mutex(try PeerProcess(path, arguments))
    }

    /// Stops HAProxy and removes its directory.
    public func stop() {
        process.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// A crash: SIGKILL to the whole process group (master and worker), which leaves the
    /// socket file behind with no one listening.
    public func kill() throws {
        let old = process
        Glibc.kill(-old.pid, SIGKILL)
        guard old.waitForExit(timeout: 5) != nil else { throw PeerError("haproxy \(old.pid) did not die") }
    }

    /// A fresh HAProxy from the same configuration, after ``kill()``: it replaces the socket
    /// file and knows nothing of the runtime changes made to the old process.
    public func startAgain() throws {
        let fresh = try PeerProcess(path, arguments)
        current.withLock { $0 = fresh }
    }

    /// Waits (at most 10 s) until the runtime API answers `show info`.
    public func waitUntilReady() throws {
        for _ in 0..<100 {
            if (try? command("show info")).map({ $0.contains("Name:") }) == true { return }
            guard process.isRunning else { throw PeerError("haproxy exited: \(process.errorOutput)") }
            usleep(100_000)
        }
        throw PeerError("haproxy's stats socket did not answer: \(process.errorOutput)")
    }

    /// One runtime API command's whole answer (5 s at most).
    public func command(_ line: String) throws -> String {
        let descriptor = try LoopbackTCP.connect(unixPath: socketPath)
        defer { close(descriptor) }
        let request = Array((line + "\n").utf8)
        _ = request.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, 0) }
        return LoopbackTCP.readAll(descriptor, seconds: 5)
    }

    /// `show stat` for the servers of `backend`: each server's fields by column name.
    public func serverStats(backend: String) throws -> [String: [String: String]] {
        let lines = try command("show stat").split(separator: "\n")
        guard let header = lines.first, header.hasPrefix("# ") else { return [:] }
        let names = header.dropFirst(2).split(separator: ",", omittingEmptySubsequences: false).map(
            String.init)
        var servers: [String: [String: String]] = [:]
        for line in lines.dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard fields.count >= 2, fields[0] == backend, fields[1] != "BACKEND" else { continue }
            servers[fields[1]] = Dictionary(zip(names, fields), uniquingKeysWith: { first, _ in first })
        }
        return servers
    }

    /// `show servers state` for `backend`: each server's fields by column name.
    public func serversState(backend: String) throws -> [String: [String: String]] {
        let lines = try command("show servers state \(backend)").split(separator: "\n")
        guard let header = lines.first(where: { $0.hasPrefix("# be_id") }) else { return [:] }
        let names = header.dropFirst(2).split(separator: " ").map(String.init)
        var servers: [String: [String: String]] = [:]
        for line in lines where !line.hasPrefix("#") {
            let fields = line.split(separator: " ").map(String.init)
            guard fields.count == names.count else { continue }
            let row = Dictionary(zip(names, fields), uniquingKeysWith: { first, _ in first })
            if let name = row["srv_name"] { servers[name] = row }
        }
        return servers
    }

    deinit { stop() }
}
