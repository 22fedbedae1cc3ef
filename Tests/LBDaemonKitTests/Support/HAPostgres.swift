import Foundation
import LBTestSupport

/// The PostgreSQL of the lease tests: a cluster of its own (initdb in a temp dir, user `lbd`,
/// database `lbd`, trust authentication) listening on the topology's service address, so that
/// both namespaces reach it. PostgreSQL refuses to run as root: as root, its programs run as the
/// `postgres` user (setpriv, which execs, so the pid is the server's).
final class HAPostgres {
    let host: String
    let port: Int
    let directory: URL
    private let process: PeerProcess

    /// `postgres://lbd@HOST:PORT/lbd`.
    var url: String { "postgres://lbd@\(host):\(port)/lbd" }

    static var available: Bool { Peers.available("initdb", "pg_ctl", "createdb", "setpriv") }

    init(host: String) throws {
        self.host = host
        let directory = try Peers.temporaryDirectory("ha-postgres")
        self.directory = directory
        let data = directory.appendingPathComponent("data").path
        if getuid() == 0 {
            _ = try Peers.run(try Self.tool("chown"), ["-R", "postgres:postgres", directory.path])
        }
        let initdb = try Self.runAsPostgres(
            try Self.tool("initdb"),
            ["-D", data, "-U", "lbd", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"], timeout: 60)
        guard initdb.status == 0 else { throw PeerError("initdb failed: \(initdb.output) \(initdb.errors)") }
        try "host all all 10.99.0.0/16 trust\n".appendLine(to: data + "/pg_hba.conf")
        let port = try Peers.freeUDPAndTCPPort()
        self.port = port
        let server = try Self.tool("postgres")
        process = try PeerProcess(
            Self.asPostgres.first ?? server,
            Array(Self.asPostgres.dropFirst()) + (Self.asPostgres.isEmpty ? [] : [server]) + [
                "-D", data, "-p", String(port), "-k", directory.path, "-c", "listen_addresses=\(host)",
                "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
            ])
        var created = (status: Int32(-1), output: "", errors: "")
        for _ in 0..<100 {
            guard process.isRunning else { break }
            created = try Peers.run(
                try Self.tool("createdb"), ["-h", host, "-p", String(port), "-U", "lbd", "lbd"], timeout: 10)
            if created.status == 0 { return }
            usleep(100_000)
        }
        process.stop()
        throw PeerError("PostgreSQL did not start: \(created.errors) \(process.errorOutput.suffix(2000))")
    }

    private static func runAsPostgres(_ program: String, _ arguments: [String], timeout: Double)
        throws -> (status: Int32, output: String, errors: String)
    {
        let prefix = asPostgres
        guard let first = prefix.first else { return try Peers.run(program, arguments, timeout: timeout) }
        return try Peers.run(first, Array(prefix.dropFirst()) + [program] + arguments, timeout: timeout)
    }

    /// The prefix that runs a program as `postgres` when we are root.
    private static var asPostgres: [String] {
        guard getuid() == 0, let setpriv = Peers.find("setpriv") else { return [] }
        return [setpriv, "--reuid=postgres", "--regid=postgres", "--clear-groups"]
    }

    /// `name` from PATH or PostgreSQL's own directory.
    private static func tool(_ name: String) throws -> String {
        let found =
            Peers.find(name)
            ?? (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql"))?.sorted()
            .reversed()
            .map { "/usr/lib/postgresql/\($0)/bin/\(name)" }.first {
                FileManager.default.isExecutableFile(atPath: $0)
            }
        guard let found else { throw PeerError("\(name) is not installed") }
        return found
    }

    var errorOutput: String { process.errorOutput }

    func stop() { process.stop() }

    deinit {
        process.stop()
        try? FileManager.default.removeItem(at: directory)
    }
}

extension String {
    fileprivate func appendLine(to path: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(utf8))
    }
}
