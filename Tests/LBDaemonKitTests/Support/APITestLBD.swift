import Foundation
import LBTestSupport
import Logging
import SNMP
import Testing

@testable import LBDaemonKit

/// `lbd run` in the test process with in-process SNMP agents on 127.0.0.2-4 (loads 5, 10 and -1)
/// and its embedded DNS server, its HTTP server on a free loopback port: what the API tests ask.
///
/// Aliases: `web.example.org` (the three agents, best 2), `mixed.example.org` (127.0.0.2 and
/// 127.0.0.9, where nothing answers: degraded), `dark.example.org` (127.0.0.9 only: none usable).
final class APITestLBD: Sendable {
    let directory: URL
    let file: URL
    let httpPort: Int
    let log = CapturedLog()
    private let agents: [SNMPAgent]
    private let send: AsyncStream<DaemonSignal>.Continuation
    private let task: Task<Void, any Error>

    /// - Parameters:
    ///   - snmpTimeout: one poll's timeout: the first round lasts this long (127.0.0.9 never
    ///     answers).
    ///   - extra: more top-level YAML (secrets, say).
    ///   - snmp: the `snmp:` block's extra lines (after version and port).
    init(snmpTimeout: String = "300ms", extra: String = "", snmp: String = "  version: v2c\n") async throws {
        let (agents, port) = try await LoopbackAgents.start([5, 10, -1])
        self.agents = agents
        directory = try Peers.temporaryDirectory("lbd-api")
        file = directory.appendingPathComponent("lbd.yaml")
        httpPort = try Peers.freeUDPAndTCPPort()
        let dnsPort = try Peers.freeUDPAndTCPPort()
        let text = """
            aliases:
              web.example.org: {members: [127.0.0.2, 127.0.0.3, 127.0.0.4], best_hosts: 2, polling_interval: 3600}
              mixed.example.org: {members: [127.0.0.2, 127.0.0.9], best_hosts: 2, polling_interval: 3600}
              dark.example.org: {members: [127.0.0.9], best_hosts: 1, when_none_usable: empty, polling_interval: 3600}
            snmp:
            \(snmp)  port: \(port)
              timeout: \(snmpTimeout)
              retries: 0
            http:
              listen: 127.0.0.1:\(httpPort)
            \(extra)
            """
        let embedded = """
            dns:
              embedded:
                listen: 127.0.0.1:\(dnsPort)
                nameserver: localhost.
                mailbox: hostmaster.localhost.

            """
        try ((extra.contains("dns:") ? "" : embedded) + text).write(
            to: file, atomically: true, encoding: .utf8)
        var logger = log.logger
        logger.logLevel = .info
        let daemon = Daemon(
            path: file.path, logger: logger, seed: 1, watchInterval: .seconds(3600),
            stateDirectory: directory.appendingPathComponent("state").path)
        let (signals, send) = AsyncStream<DaemonSignal>.makeStream()
        self.send = send
        task = Task { try await daemon.run(signals: signals) }
    }

    /// A GET; the status and the body.
    func get(_ path: String) async throws -> RawHTTP.Answer {
        try await RawHTTP.send(port: httpPort, target: path)
    }

    /// A GET answered 200 with JSON, decoded as `T`.
    func json<T: Decodable>(_ path: String, as type: T.Type = T.self) async throws -> T {
        let answer = try await get(path)
        guard answer.status == 200 else {
            throw DeadlineExceeded(description: "\(path): \(answer.status) \(answer.text)")
        }
        return try InstanceStatus.makeDecoder().decode(T.self, from: Data(answer.body))
    }

    /// Waits (at most 60 s) until the HTTP server answers `/readyz`; returns the first answer.
    func firstReadyz() async throws -> RawHTTP.Answer {
        for _ in 0..<600 {
            if let answer = try? await get("/readyz") { return answer }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw DeadlineExceeded(
            description: "the HTTP server did not answer within 60 s: \(log.all.suffix(20))")
    }

    /// Waits (at most 60 s) until `/readyz` is 200.
    func waitUntilReady() async throws {
        for _ in 0..<600 {
            if let answer = try? await get("/readyz"), answer.status == 200 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw DeadlineExceeded(description: "not ready within 60 s: \(log.all.suffix(20))")
    }

    func stop() async throws {
        send.yield(.terminate)
        let task = self.task
        try await withDeadline(60, "lbd stopping") { try await task.value }
        for agent in agents { await agent.stop() }
        try? FileManager.default.removeItem(at: directory)
    }
}
