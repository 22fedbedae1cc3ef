import Foundation
import ProcessSpawning

/// One `lbd run` of the pair `lbbench failover` measures: its own configuration file, state
/// directory and heartbeat directory in `directory`, JSON logs appended to `lbd.log` across
/// restarts, stopped by pid.
final class FailoverInstance {
    let name: String
    let directory: URL
    private let executable: String
    private var child: ChildProcess?
    /// Where the current run's log lines start in `lbd.log`.
    private var logOffset = 0

    init(name: String, in parent: URL, executable: String) throws {
        self.name = name
        self.executable = executable
        directory = parent.appendingPathComponent(name)
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("heartbeat"), withIntermediateDirectories: true)
    }

    var configPath: String { directory.appendingPathComponent("lbd.yaml").path }
    var heartbeatDirectory: String { directory.appendingPathComponent("heartbeat").path }
    private var logPath: String { directory.appendingPathComponent("lbd.log").path }

    func writeConfiguration(_ text: String) throws {
        try text.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    func start() throws {
        logOffset = (try? FileManager.default.attributesOfItem(atPath: logPath)[.size] as? Int) ?? 0
        do {
            child = try ChildProcess(
                executable,
                arguments: [
                    "run", "--config", configPath, "--state-dir",
                    directory.appendingPathComponent("state").path,
                    "--instance-name", name, "--log-format", "json",
                ], standardError: .appending(logPath))
        } catch {
            throw BenchmarkError("cannot start \(executable): \(error)")
        }
    }

    var isRunning: Bool { child?.isRunning ?? false }

    /// SIGKILL to the instance alone, as a crash: it writes and says nothing more.
    func kill9() {
        guard let child, child.isRunning else { return }
        kill(child.pid, SIGKILL)
        child.waitUntilExit()
    }

    func stop() {
        child?.stop(grace: .seconds(5))
        child = nil
    }

    /// The `action` of each of this run's log lines about `alias`, in order.
    func actions(alias: String) -> [String] {
        guard let handle = FileHandle(forReadingAtPath: logPath) else { return [] }
        defer { try? handle.close() }
        try? handle.seek(toOffset: UInt64(logOffset))
        let text = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
        return text.split(separator: "\n").compactMap { line in
            guard line.hasPrefix("{"),
                let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let action = object["action"] as? String
            else { return nil }
            // Role changes (takeover, handback) carry no alias.
            return object["alias"] == nil || object["alias"] as? String == alias ? action : nil
        }
    }

    /// The end of the log, for error messages.
    var tail: String {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return "\(name): \(text.suffix(1500))"
    }
}
