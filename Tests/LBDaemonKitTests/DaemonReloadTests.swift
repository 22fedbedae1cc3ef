import Foundation
import LBTestSupport
import Logging
import Synchronization
import Testing

@testable import LBDaemonKit

/// `Daemon` at a reload: a file that would withdraw every alias, or too many, is refused with
/// its reason in the log, and the running configuration stays; a restart-needed warning names
/// the settings. The members answer nothing (no agent on the port): only reloads are watched.
@Suite(.serialized) struct DaemonReloadTests {
    /// Every message logged, with its metadata rendered.
    final class LogLines: Sendable {
        private let lines = Mutex<[String]>([])

        func append(_ line: String) { lines.withLock { $0.append(line) } }
        var all: [String] { lines.withLock { $0 } }

        /// Waits (at most 20 s) until a line contains `fragment`.
        func waitFor(_ fragment: String) async -> String? {
            for _ in 0..<400 {
                if let line = all.first(where: { $0.contains(fragment) }) { return line }
                try? await Task.sleep(for: .milliseconds(50))
            }
            return nil
        }
    }

    struct CapturingHandler: LogHandler {
        let lines: LogLines
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .info

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(
            level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String,
            file: String, function: String, line: UInt
        ) {
            let fields = (metadata ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            lines.append("\(level) \(message) [\(fields.joined(separator: " "))]")
        }
    }

    static func configuration(aliases: Int, snmpPort: Int, extra: String = "") -> String {
        var text = "aliases:\n"
        for index in 0..<aliases {
            text += "  a\(index).example.org: {members: [127.0.0.1], polling_interval: 3600}\n"
        }
        return text + "snmp:\n  version: v2c\n  port: \(snmpPort)\n  timeout: 100ms\n  retries: 0\n" + extra
    }

    @Test func reloadsThatWithdrawEverythingOrTooMuchAreRefusedAndLogged() async throws {
        let directory = try Peers.temporaryDirectory("lbd-reload")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("lbd.yaml")
        let port = try Peers.freeUDPPort()
        try Self.configuration(aliases: 4, snmpPort: port).write(to: file, atomically: true, encoding: .utf8)
        let lines = LogLines()
        let daemon = Daemon(
            path: file.path, logger: Logger(label: "lbd") { _ in CapturingHandler(lines: lines) }, seed: 1,
            watchInterval: .seconds(3600), stateDirectory: directory.appendingPathComponent("state").path)
        let (signals, send) = AsyncStream<DaemonSignal>.makeStream()
        let running = Task { try await daemon.run(signals: signals) }
        defer { running.cancel() }
        #expect(await lines.waitFor("lbd started") != nil)

        // An emptied file: refused, the file named.
        try "".write(to: file, atomically: true, encoding: .utf8)
        send.yield(.reload)
        let empty = await lines.waitFor("action=reload-refused")
        #expect(
            empty?.contains("\(file.path): the new configuration is not used, the running one is kept")
                == true)
        #expect(
            empty?.contains("the configuration has no alias: it would withdraw all 4 served aliases") == true)

        // One alias of four left: 75% withdrawn, more than the default 50%.
        try Self.configuration(aliases: 1, snmpPort: port).write(to: file, atomically: true, encoding: .utf8)
        send.yield(.reload)
        let tooMany = await lines.waitFor("would withdraw 3 of the 4")
        #expect(tooMany?.contains("reload.max_withdrawn_share 50%") == true)
        #expect(!lines.all.contains { $0.contains("no longer served") })

        // The same file saying so explicitly is accepted, the withdrawals logged; a changed SNMP
        // timeout is named as needing a restart.
        try Self.configuration(
            aliases: 1, snmpPort: port, extra: "  concurrency: 10\nreload:\n  max_withdrawn_share: 100%\n"
        ).write(to: file, atomically: true, encoding: .utf8)
        send.yield(.reload)
        let reloaded = await lines.waitFor("configuration reloaded")
        #expect(reloaded?.contains("withdrawn=3") == true)
        #expect(lines.all.contains { $0.contains("the reload withdraws 3 of the 4 served aliases") })
        #expect(lines.all.filter { $0.contains("no longer served") }.count == 3)
        #expect(
            lines.all.contains { $0.contains("snmp.concurrency changed: restart lbd to apply it") },
            "\(lines.all)")

        send.yield(.terminate)
        try await running.value
        #expect(lines.all.contains { $0.contains("lbd stopped") })
    }

    @Test func aFileWithNoAliasDoesNotStart() async throws {
        let directory = try Peers.temporaryDirectory("lbd-reload")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("lbd.yaml")
        try "# nothing yet\n".write(to: file, atomically: true, encoding: .utf8)
        let lines = LogLines()
        let daemon = Daemon(
            path: file.path, logger: Logger(label: "lbd") { _ in CapturingHandler(lines: lines) },
            stateDirectory: directory.appendingPathComponent("state").path)
        let (signals, _) = AsyncStream<DaemonSignal>.makeStream()
        await #expect(throws: ReloadRefusal.noAlias(served: 0)) { try await daemon.run(signals: signals) }
        #expect(lines.all.contains { $0.contains("\(file.path): the configuration has no alias") })
    }
}
