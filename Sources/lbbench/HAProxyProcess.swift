import Foundation
import ProcessSpawning

/// Debian's `haproxy` run in the foreground (`-db`) from a configuration in its own temporary
/// directory, stopped by pid (SIGTERM, then SIGKILL), the directory removed.
final class HAProxyProcess {
    static let path = "/usr/sbin/haproxy"

    private let child: ChildProcess
    let directory: URL

    init(sections: String) throws {
        guard FileManager.default.isExecutableFile(atPath: Self.path) else {
            throw BenchmarkError("\(Self.path) is not installed (apt-get install haproxy)")
        }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("lbbench-haproxy-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let configuration = directory.appendingPathComponent("haproxy.cfg").path
        try """
        global
            stats socket \(directory.path)/admin.sock level admin
            nbthread 1
        defaults
            mode tcp
            timeout connect 1s
            timeout client 5s
            timeout server 5s

        \(sections)

        """.write(toFile: configuration, atomically: true, encoding: .utf8)
        do {
            child = try ChildProcess(
                Self.path, arguments: ["-db", "-f", configuration],
                standardError: .file(directory.appendingPathComponent("stderr").path))
        } catch {
            throw BenchmarkError("\(error)")
        }
    }

    var isRunning: Bool { child.isRunning }

    /// The runtime API socket, at admin level.
    var socketPath: String { directory.appendingPathComponent("admin.sock").path }

    var errorOutput: String {
        (try? String(contentsOf: directory.appendingPathComponent("stderr"), encoding: .utf8)) ?? ""
    }

    func stop() {
        _ = child.stop(grace: .seconds(2))
        try? FileManager.default.removeItem(at: directory)
    }
}
