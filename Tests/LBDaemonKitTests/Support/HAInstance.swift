import Foundation
import LBTestSupport

/// One `lbd run` of an HA pair, started in its network namespace with JSON logs, a state
/// directory that survives restarts, and a name of its own (`--instance-name`).
final class HAInstance {
    let name: String
    let namespace: NetworkNamespace
    let directory: URL
    private(set) var process: PeerProcess?
    /// Logs of the runs before the current one (a restart starts a new stderr file).
    private var earlierLogs = ""

    init(name: String, namespace: NetworkNamespace) throws {
        self.name = name
        self.namespace = namespace
        directory = try Peers.temporaryDirectory("ha-\(name)")
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("heartbeat"), withIntermediateDirectories: true)
    }

    var configPath: String { directory.appendingPathComponent("lbd.yaml").path }
    var stateDirectory: String { directory.appendingPathComponent("state").path }
    var heartbeatDirectory: String { directory.appendingPathComponent("heartbeat").path }

    func writeConfiguration(_ text: String) throws {
        try text.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    func start() throws {
        if let process {
            earlierLogs += process.errorOutput
        }
        process = try namespace.spawn(
            try LBDCommandLineTests.executable(),
            [
                "run", "--config", configPath, "--state-dir", stateDirectory, "--instance-name", name,
                "--log-format", "json",
            ])
    }

    var pid: Int32 { process?.pid ?? 0 }
    var isRunning: Bool { process?.isRunning ?? false }

    /// SIGKILL: no chance to write or say anything.
    func kill9() {
        guard let process else { return }
        kill(process.pid, SIGKILL)
        _ = process.waitForExit(timeout: 10)
    }

    func signal(_ signal: Int32) {
        guard let process else { return }
        kill(process.pid, signal)
    }

    func stop() {
        if let process, process.isRunning {
            kill(process.pid, SIGCONT)
            process.stop()
        }
    }

    /// Everything logged, this run and the earlier ones.
    var log: String { earlierLogs + (process?.errorOutput ?? "") }

    /// The JSON log lines of every run, in order.
    var lines: [[String: Any]] { HALog.parse(log) }

    /// The messages of the role changes and of the decisions of `alias`, one per line, for
    /// messages of failed expectations.
    func story(_ alias: String) -> String {
        lines.filter { $0["role"] != nil || $0["alias"] as? String == alias }.map { line in
            "\(line["time"] ?? "") \(line["action"] ?? "") \(line["message"] ?? "")"
        }.joined(separator: "\n")
    }

    /// The log's tail, for messages of failed expectations.
    func tail(_ characters: Int = 2500) -> String { "\(name): \(log.suffix(characters))" }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }
}

/// Reading lbd's JSON log lines (metadata are top-level keys).
enum HALog {
    static func parse(_ text: String) -> [[String: Any]] {
        text.split(separator: "\n").compactMap { line in
            guard line.hasPrefix("{"), let data = line.data(using: .utf8) else { return nil }
            return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
        }
    }

    /// The `action` of each decision line of `alias`, in order.
    static func actions(_ lines: [[String: Any]], alias: String) -> [String] {
        lines.filter { $0["alias"] as? String == alias }.compactMap { $0["action"] as? String }
    }

    /// Whether a line's action means the instance published (or checked what it publishes):
    /// anything but `standby`, `keep`, `discarded`.
    static func published(_ action: String) -> Bool {
        ["updated", "unchanged", "failed", "partly-failed"].contains(action)
    }

    /// The lines with `action` equal to `value` (takeover, handback...).
    static func count(_ lines: [[String: Any]], action value: String) -> Int {
        lines.filter { $0["action"] as? String == value }.count
    }
}
