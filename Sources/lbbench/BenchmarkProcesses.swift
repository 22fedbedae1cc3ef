import Foundation
import ProcessSpawning

/// An lbbench subcommand running as a child process (the simulated agents): started with
/// `arguments`, ready when it prints a line starting with `READY`, stopped by closing its input.
final class BenchmarkChild {
    private let child: ChildProcess
    /// Our end of the child's standard input; closing it asks the child to stop.
    private let input: Int32
    /// Our end of the child's standard output, kept open so that its writes never fail.
    private let output: Int32
    /// The words after `READY` on the child's first line (`snmp-agents` gives its ports).
    let readyWords: [Substring]

    init(_ arguments: [String]) throws {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        let inputPipe = try ProcessPipe(for: executable)
        let outputPipe = try ProcessPipe(for: executable)
        defer {
            close(inputPipe.readEnd)
            close(outputPipe.writeEnd)
        }
        do {
            child = try ChildProcess(
                executable, arguments: arguments, standardInput: .descriptor(inputPipe.readEnd),
                standardOutput: .descriptor(outputPipe.writeEnd), standardError: .inherited)
        } catch {
            close(inputPipe.writeEnd)
            close(outputPipe.readEnd)
            throw error
        }
        input = inputPipe.writeEnd
        output = outputPipe.readEnd
        let words = Self.readLine(output).split(separator: " ")
        guard words.first == "READY" else {
            close(input)
            child.stop()
            close(output)
            throw BenchmarkError("lbbench \(arguments.first ?? "") did not start")
        }
        readyWords = Array(words.dropFirst())
    }

    /// The first line `descriptor` gives, without its newline; what came before end of file.
    private static func readLine(_ descriptor: Int32) -> String {
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while read(descriptor, &byte, 1) == 1, byte != UInt8(ascii: "\n") { line.append(byte) }
        return String(decoding: line, as: UTF8.self)
    }

    func stop() {
        close(input)
        child.waitUntilExit()
        close(output)
    }
}

/// A net-snmp snmpd serving the load OID through a pass_persist script, or through `directive`
/// when one is given, for comparison.
final class SnmpdProcess {
    private let child: ChildProcess
    let port: Int
    let directory: URL

    static func start(directive: String? = nil) throws -> SnmpdProcess {
        try SnmpdProcess(directive: directive)
    }

    var pid: pid_t { child.pid }

    private init(directive: String?) throws {
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
            \(directive ?? "pass_persist .1.3.6.1.4.1.96.255 \(script.path)")
            """
        let file = directory.appendingPathComponent("snmpd.conf")
        try config.write(to: file, atomically: true, encoding: .utf8)
        child = try ChildProcess(
            snmpd, arguments: ["-f", "-Lo", "-C", "-c", file.path, "-I", "-smux", "udp:127.0.0.1:\(port)"],
            environment: [
                "SNMP_PERSISTENT_DIR": directory.appendingPathComponent("persist").path, "MIBS": "",
            ])
    }

    /// SIGTERM, then SIGKILL: snmpd can linger while its pass_persist child blocks on a read.
    func stop() {
        child.stop(grace: .seconds(2))
        try? FileManager.default.removeItem(at: directory)
    }
}

struct BenchmarkError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
