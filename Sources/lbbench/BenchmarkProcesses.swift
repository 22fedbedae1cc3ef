import Foundation

/// An lbbench subcommand running as a child process (the simulated agents): started with
/// `arguments`, ready when it prints a line starting with `READY`, stopped by closing its input.
final class BenchmarkChild {
    private let process = Process()
    private let input = Pipe()
    /// The words after `READY` on the child's first line (`snmp-agents` gives its ports).
    let readyWords: [Substring]

    init(_ arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = arguments
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        var line = Data()
        let handle = output.fileHandleForReading
        while true {
            let byte = handle.readData(ofLength: 1)
            if byte.isEmpty || byte == Data("\n".utf8) { break }
            line.append(byte)
        }
        let words = String(decoding: line, as: UTF8.self).split(separator: " ")
        guard words.first == "READY" else {
            throw BenchmarkError("lbbench \(arguments.first ?? "") did not start")
        }
        readyWords = Array(words.dropFirst())
    }

    func stop() {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }
}

/// A net-snmp snmpd serving the load OID through a pass_persist script, for comparison.
final class SnmpdProcess {
    let process = Process()
    let port: Int
    let directory: URL

    static func start() throws -> SnmpdProcess {
        try SnmpdProcess()
    }

    private init() throws {
        guard
            let snmpd = ["/usr/sbin/snmpd", "/usr/bin/snmpd"].first(
                where: FileManager.default.isExecutableFile)
        else { throw BenchmarkError("snmpd not installed") }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("lbbench-snmpd-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        port = try LoopbackPort.freeUDP()
        let script = directory.appendingPathComponent("persist.sh")
        try """
        #!/bin/sh
        while read -r command; do
          case "$command" in
          PING) echo PONG ;;
          get) read -r oid; printf '%s\\ninteger\\n42\\n' "$oid" ;;
          getnext) read -r oid; echo NONE ;;
          *) exit 0 ;;
          esac
        done
        """.write(to: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
        let user = BenchmarkCredentials.user
        let config = """
            rocommunity \(BenchmarkCredentials.community) 127.0.0.1
            createUser \(user.name) SHA-256 "\(user.authentication!.password)" AES "\(user.privacy!.password)"
            rouser \(user.name) priv
            pass_persist .1.3.6.1.4.1.96.255 \(script.path)
            """
        let file = directory.appendingPathComponent("snmpd.conf")
        try config.write(to: file, atomically: true, encoding: .utf8)
        process.executableURL = URL(fileURLWithPath: snmpd)
        process.arguments = ["-f", "-Lo", "-C", "-c", file.path, "-I", "-smux", "udp:127.0.0.1:\(port)"]
        process.environment = [
            "SNMP_PERSISTENT_DIR": directory.appendingPathComponent("persist").path, "MIBS": "",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    /// A UDP port on 127.0.0.1 that was free a moment ago: bound with port 0, read back, released.
    /// SIGTERM, then SIGKILL: snmpd can linger while its pass_persist child blocks on a read.
    func stop() {
        process.terminate()
        let deadline = Date().addingTimeInterval(2)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }
}

struct BenchmarkError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
