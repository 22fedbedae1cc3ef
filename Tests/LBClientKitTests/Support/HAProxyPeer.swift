import Foundation
import LBTestSupport

/// A real HAProxy started by a test, in its own directory, with a stats socket at admin level.
final class HAProxyPeer {
    let directory: URL
    let process: PeerProcess
    var socketPath: String { directory.appendingPathComponent("admin.sock").path }

    /// Starts `haproxy -db` with `global` (after the stats socket line) and the rest of the
    /// configuration in `sections`.
    init(global: String = "", sections: String) throws {
        directory = try Peers.temporaryDirectory("haproxy")
        let config = """
            global
                stats socket \(directory.path)/admin.sock level admin
                nbthread 1
            \(global)
            defaults
                mode tcp
                timeout connect 1s
                timeout client 5s
                timeout server 5s

            \(sections)

            """
        let path = directory.appendingPathComponent("haproxy.cfg").path
        try config.write(toFile: path, atomically: true, encoding: .utf8)
        let check = try Peers.run(Peers.haproxy!, ["-c", "-f", path])
        guard check.status == 0 else { throw PeerError("haproxy -c refused the config:\n\(check.errors)") }
        process = try PeerProcess(Peers.haproxy!, ["-db", "-f", path])
    }

    func stop() {
        process.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Waits (at most 10 s) until the stats socket accepts a command.
    func waitUntilReady() throws {
        for _ in 0..<100 {
            if (try? command("show info")).map({ $0.contains("Name:") }) == true { return }
            guard process.isRunning else { throw PeerError("haproxy exited: \(process.errorOutput)") }
            usleep(100_000)
        }
        throw PeerError("haproxy's stats socket did not answer: \(process.errorOutput)")
    }

    /// One runtime API command's whole answer.
    func command(_ line: String) throws -> String {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw PeerError("socket(AF_UNIX) failed") }
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let path = Array(socketPath.utf8)
        guard path.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw PeerError("socket path too long: \(socketPath)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.enumerated() { raw[index] = byte }
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else { throw PeerError("cannot connect to \(socketPath)") }
        let request = Array((line + "\n").utf8)
        _ = request.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, 0) }
        return LoopbackTCP.readAll(descriptor, seconds: 5)
    }

    /// `show stat` for the servers of `backend`: each server's fields by column name.
    func serverStats(backend: String) throws -> [String: [String: String]] {
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
    func serversState(backend: String) throws -> [String: [String: String]] {
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
}
