import Foundation
import ProcessSpawning
import Synchronization
import Testing

/// A private PostgreSQL server for one test: `initdb` in a temporary directory, `postgres` on
/// 127.0.0.1 at a free port with its unix socket in that directory, stopped by pid and removed
/// when the test is done.
///
/// Tests run as root and PostgreSQL refuses to, so as root both programs run as the `postgres`
/// system user (through `setpriv`) in a directory given to that user. Fault tests can kill the
/// server (all of its processes, as a crash would) or freeze it (SIGSTOP), then start or thaw it.
public final class PostgresCluster: Sendable {
    /// The superuser the tests connect as.
    public static let user = "postgres"
    public static let database = "postgres"

    public let host: String
    public let port: Int
    private let clients: [String]
    /// The superuser's password over TCP, or nil for `trust`.
    public let password: String?
    public let directory: URL
    private let binaries: String
    private let server = Mutex<ChildProcess?>(nil)

    /// Debian's `/usr/lib/postgresql/VERSION/bin` with `initdb` and `postgres`, the newest
    /// version first; nil when PostgreSQL is not installed.
    public static var binaries: String? {
        let root = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return versions.sorted { (Int($0) ?? 0) > (Int($1) ?? 0) }.map { "\(root)/\($0)/bin" }.first {
            FileManager.default.isExecutableFile(atPath: "\($0)/initdb")
                && FileManager.default.isExecutableFile(atPath: "\($0)/postgres")
        }
    }

    /// Whether tests that need PostgreSQL can run; when it is missing, an issue is recorded if
    /// peers are required (`LB_REQUIRE_PEERS=1`) and the caller returns early.
    public static var available: Bool {
        var missing: [String] = []
        if binaries == nil { missing.append("postgresql (initdb, postgres)") }
        if getuid() == 0 {
            if getpwnam("postgres") == nil { missing.append("the postgres system user") }
            if Peers.find("setpriv") == nil { missing.append("setpriv") }
        }
        if missing.isEmpty { return true }
        if Peers.required {
            Issue.record(
                "peer program(s) missing: \(missing.joined(separator: ", ")); scripts/test installs them")
        }
        return false
    }

    /// Creates the cluster and starts the server. With a `password`, TCP clients must give it
    /// (scram-sha-256); without, 127.0.0.1 is trusted. `host` is the address it listens on (a
    /// test network namespace's address, say) and `clients` the networks (CIDR) allowed besides
    /// 127.0.0.1, with the same authentication.
    public init(password: String? = nil, host: String = "127.0.0.1", clients: [String] = []) throws {
        guard let binaries = Self.binaries else { throw PeerError("PostgreSQL is not installed") }
        self.binaries = binaries
        self.password = password
        self.host = host
        self.clients = clients
        port = try Peers.freeUDPAndTCPPort()
        directory = try Peers.temporaryDirectory("postgres")
        do {
            try Self.giveToServerUser(directory)
            try initialize()
            try start()
        } catch {
            stop()
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// `postgres://postgres[:PASSWORD]@HOST:PORT/postgres`.
    public var url: String { url(password: password) }

    /// The URL with another password (or none).
    public func url(password: String?) -> String {
        let secret = password.map { ":\($0)" } ?? ""
        return
            "postgres://\(Self.user)\(secret)@\(host.contains(":") ? "[\(host)]" : host):\(port)/\(Self.database)"
    }

    /// The postmaster's pid while it runs.
    public var pid: Int32? { server.withLock { $0?.isRunning == true ? $0?.pid : nil } }

    /// Starts the server (again) and waits until it accepts connections.
    public func start(timeout: Double = 30) throws {
        guard pid == nil else { return }
        let log = directory.appendingPathComponent("postgres.log").path
        let child = try launch(
            "postgres",
            [
                "-D", dataDirectory, "-p", "\(port)", "-k", directory.path,
                "-c", "listen_addresses=\(host)", "-c", "fsync=off", "-c", "full_page_writes=off",
                // synchronous_commit stays on: a token committed and then lost in a crash would
                // be handed out twice.
                "-c", "shared_buffers=16MB", "-c", "max_connections=30",
                "-c", "logging_collector=off",
            ], output: log)
        server.withLock { $0 = child }
        let deadline = ContinuousClock.now + .milliseconds(Int64(timeout * 1000))
        while ContinuousClock.now < deadline {
            if !child.isRunning {
                throw PeerError("postgres ended at start: \(Self.tail(log))")
            }
            // Written after recovery, when connections are accepted; the log is new at each start.
            if ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains(
                "ready to accept connections")
            {
                return
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw PeerError("postgres did not accept connections within \(timeout) s: \(Self.tail(log))")
    }

    /// A fast shutdown (SIGINT: sessions are disconnected), then SIGKILL to every server
    /// process after `grace` seconds.
    public func stop(grace: Double = 5) {
        guard let child = server.withLock({ $0 }), child.isRunning else { return }
        _ = Glibc.kill(child.pid, SIGINT)
        if child.wait(timeout: .milliseconds(Int64(grace * 1000))) == nil { kill() }
    }

    /// SIGKILL to the postmaster and each of its processes, as a crash; waits until all are gone.
    public func kill() {
        guard let child = server.withLock({ $0 }), child.isRunning else { return }
        let processes = [child.pid] + Self.children(of: child.pid)
        for pid in processes { _ = Glibc.kill(pid, SIGKILL) }
        _ = child.wait(timeout: .seconds(10))
        Self.waitUntilGone(processes.dropFirst(), timeout: 10)
    }

    /// SIGSTOP to the postmaster and each of its processes: connections stay open and nothing
    /// answers, as a hung server or a silent network.
    public func freeze() {
        guard let pid else { return }
        _ = Glibc.kill(pid, SIGSTOP)
        for child in Self.children(of: pid) { _ = Glibc.kill(child, SIGSTOP) }
    }

    /// SIGCONT to every process that `freeze` stopped.
    public func thaw() {
        guard let pid else { return }
        for child in Self.children(of: pid) { _ = Glibc.kill(child, SIGCONT) }
        _ = Glibc.kill(pid, SIGCONT)
    }

    /// What the server wrote so far.
    public var log: String {
        (try? String(contentsOf: directory.appendingPathComponent("postgres.log"), encoding: .utf8)) ?? ""
    }

    // MARK: - Setting up

    private var dataDirectory: String { directory.appendingPathComponent("data").path }

    private func initialize() throws {
        var arguments = [
            "-D", dataDirectory, "-U", Self.user, "--auth-local=trust", "--no-sync", "--no-instructions",
            "--locale=C", "-E", "UTF8",
        ]
        if let password {
            let file = directory.appendingPathComponent("superuser-password").path
            try password.write(toFile: file, atomically: false, encoding: .utf8)
            try Self.giveToServerUser(URL(fileURLWithPath: file))
            arguments += ["--auth-host=scram-sha-256", "--pwfile=\(file)"]
        } else {
            arguments += ["--auth-host=trust"]
        }
        let log = directory.appendingPathComponent("initdb.log").path
        let child = try launch("initdb", arguments, output: log)
        guard let ended = child.wait(timeout: .seconds(60)) else {
            child.kill()
            throw PeerError("initdb did not finish within 60 s")
        }
        guard ended.shellStatus == 0 else { throw PeerError("initdb failed (\(ended)): \(Self.tail(log))") }
        if !clients.isEmpty {
            let method = password == nil ? "trust" : "scram-sha-256"
            let lines = clients.map { "host all all \($0) \(method)\n" }.joined()
            let hba = try FileHandle(forWritingTo: URL(fileURLWithPath: "\(dataDirectory)/pg_hba.conf"))
            defer { try? hba.close() }
            try hba.seekToEnd()
            try hba.write(contentsOf: Data(lines.utf8))
        }
    }

    /// Starts `program` from the PostgreSQL binaries, as the `postgres` user when we are root.
    private func launch(_ program: String, _ arguments: [String], output: String) throws -> ChildProcess {
        let path = "\(binaries)/\(program)"
        var executable = path
        var all = arguments
        if getuid() == 0 {
            guard let setpriv = Peers.find("setpriv") else { throw PeerError("setpriv is not installed") }
            // setpriv executes the program in its own process: the child's pid is the server's.
            executable = setpriv
            all = ["--reuid=postgres", "--regid=postgres", "--clear-groups", "--", path] + arguments
        }
        do {
            return try ChildProcess(
                executable, arguments: all, environment: ["LC_ALL": "C", "PATH": "/usr/bin:/bin"],
                workingDirectory: directory.path, standardInput: .null, standardOutput: .null,
                standardError: .file(output))
        } catch {
            throw PeerError("cannot start \(program): \(error)")
        }
    }

    private static func giveToServerUser(_ url: URL) throws {
        guard getuid() == 0 else { return }
        guard let user = getpwnam("postgres") else { throw PeerError("no postgres system user") }
        guard chown(url.path, user.pointee.pw_uid, user.pointee.pw_gid) == 0, chmod(url.path, 0o700) == 0
        else {
            throw PeerError("cannot give \(url.path) to the postgres user (errno \(errno))")
        }
    }

    // MARK: - Processes

    /// The pids whose parent is `parent` (PostgreSQL's backends start sessions of their own, so
    /// a process group does not reach them).
    static func children(of parent: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { Int32($0) }.filter { pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return false }
            // "pid (comm) state ppid ...": comm may hold spaces, hence from the last ')'.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 1 && Int32(fields[1]) == parent
        }
    }

    private static func waitUntilGone(_ pids: ArraySlice<Int32>, timeout: Double) {
        let deadline = ContinuousClock.now + .milliseconds(Int64(timeout * 1000))
        while ContinuousClock.now < deadline {
            let alive = pids.filter { pid in
                guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                    let close = stat.lastIndex(of: ")")
                else { return false }
                return stat[stat.index(after: close)...].split(separator: " ").first != "Z"
            }
            if alive.isEmpty { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    private static func tail(_ path: String) -> String {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(5).joined(separator: " | ")
    }
}
