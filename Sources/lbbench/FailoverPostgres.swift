import Foundation
import ProcessSpawning

/// The PostgreSQL of `lbbench failover --mode lease`: a cluster of its own (initdb in a temporary
/// directory, superuser `postgres`, trust authentication) on 127.0.0.1 at a free port. PostgreSQL
/// refuses to run as root, so as root its programs run as the `postgres` system user through
/// `setpriv`, which execs: the child's pid is the server's, and it is stopped by that pid.
final class FailoverPostgres {
    let port: Int
    let directory: URL
    private let child: ChildProcess

    /// `postgres://postgres@127.0.0.1:PORT/postgres`.
    var url: String { "postgres://postgres@127.0.0.1:\(port)/postgres" }

    private var logPath: String { directory.appendingPathComponent("postgres.log").path }

    init() throws {
        let root = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        guard
            let binaries = versions.sorted(by: { (Int($0) ?? 0) > (Int($1) ?? 0) }).map({
                "\(root)/\($0)/bin"
            })
            .first(where: { FileManager.default.isExecutableFile(atPath: "\($0)/initdb") })
        else { throw BenchmarkError("PostgreSQL is not installed (apt-get install postgresql)") }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "lbbench-postgres-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Self.giveToServerUser(directory)
        port = try LoopbackPort.freeForUDPAndTCP()
        let data = directory.appendingPathComponent("data").path
        let initdb = try Self.launch(
            "\(binaries)/initdb",
            [
                "-D", data, "-U", "postgres", "--auth=trust", "--no-sync", "--no-instructions", "--locale=C",
                "-E", "UTF8",
            ], in: directory, output: directory.appendingPathComponent("initdb.log").path)
        guard let ended = initdb.wait(timeout: .seconds(60)) else {
            initdb.kill()
            throw BenchmarkError("initdb did not finish within 60 s")
        }
        guard ended.shellStatus == 0 else {
            let log =
                (try? String(
                    contentsOfFile: directory.appendingPathComponent("initdb.log").path, encoding: .utf8))
            throw BenchmarkError("initdb failed (\(ended)): \(log?.suffix(1000) ?? "")")
        }
        child = try Self.launch(
            "\(binaries)/postgres",
            [
                "-D", data, "-p", "\(port)", "-k", directory.path, "-c", "listen_addresses=127.0.0.1",
                "-c", "fsync=off", "-c", "full_page_writes=off", "-c", "logging_collector=off",
            ], in: directory, output: directory.appendingPathComponent("postgres.log").path)
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            guard child.isRunning else { throw BenchmarkError("postgres ended at start: \(log)") }
            // Written once recovery is done and connections are accepted.
            if log.contains("ready to accept connections") { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        stop()
        throw BenchmarkError("postgres did not accept connections within 30 s: \(log)")
    }

    var log: String { String(((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "").suffix(2000)) }

    /// A fast shutdown (SIGINT), SIGKILL to the group after five seconds; the directory removed.
    func stop() {
        if child.isRunning {
            kill(child.pid, SIGINT)
            if child.wait(timeout: .seconds(5)) == nil { child.kill() }
        }
        try? FileManager.default.removeItem(at: directory)
    }

    /// Starts `program`, as the `postgres` user when we are root.
    private static func launch(_ program: String, _ arguments: [String], in directory: URL, output: String)
        throws -> ChildProcess
    {
        var executable = program
        var all = arguments
        if getuid() == 0 {
            guard FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") else {
                throw BenchmarkError("setpriv is not installed: PostgreSQL cannot run as root")
            }
            executable = "/usr/bin/setpriv"
            all = ["--reuid=postgres", "--regid=postgres", "--clear-groups", "--", program] + arguments
        }
        do {
            return try ChildProcess(
                executable, arguments: all, environment: ["LC_ALL": "C", "PATH": "/usr/bin:/bin"],
                workingDirectory: directory.path, standardError: .file(output))
        } catch {
            throw BenchmarkError("cannot start \(program): \(error)")
        }
    }

    private static func giveToServerUser(_ url: URL) throws {
        guard getuid() == 0 else { return }
        guard let user = getpwnam("postgres") else { throw BenchmarkError("no postgres system user") }
        guard chown(url.path, user.pointee.pw_uid, user.pointee.pw_gid) == 0, chmod(url.path, 0o700) == 0
        else {
            throw BenchmarkError("cannot give \(url.path) to the postgres user (errno \(errno))")
        }
    }
}
