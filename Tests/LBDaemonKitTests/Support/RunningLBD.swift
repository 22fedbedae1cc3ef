import Foundation
import LBTestSupport
import Logging
import Testing

@testable import LBDaemonKit

/// `lbd run` in the test process (`Daemon.run(signals:)`), its configuration in a temporary
/// file, its HTTP server on a free loopback port: what the metrics tests scrape.
final class RunningLBD: Sendable {
    let directory: URL
    let file: URL
    let httpPort: Int
    let log = CapturedLog()
    private let send: AsyncStream<DaemonSignal>.Continuation
    private let task: Task<Void, any Error>

    /// Writes `configuration(httpPort)` and starts lbd with it.
    init(configuration: (_ httpPort: Int) -> String) throws {
        directory = try Peers.temporaryDirectory("lbd-metrics")
        file = directory.appendingPathComponent("lbd.yaml")
        httpPort = try Peers.freeUDPAndTCPPort()
        try configuration(httpPort).write(to: file, atomically: true, encoding: .utf8)
        var logger = log.logger
        logger.logLevel = .info
        let daemon = Daemon(
            path: file.path, logger: logger, seed: 1, watchInterval: .seconds(3600),
            stateDirectory: directory.appendingPathComponent("state").path)
        let (signals, send) = AsyncStream<DaemonSignal>.makeStream()
        self.send = send
        task = Task { try await daemon.run(signals: signals) }
    }

    /// `/metrics` once, with its content type.
    func scrape() async throws -> (text: MetricsText, raw: String, contentType: String?) {
        let answer = try await RawHTTP.send(port: httpPort, target: "/metrics")
        guard answer.status == 200 else { throw DeadlineExceeded(description: "/metrics: \(answer.status)") }
        let raw = String(decoding: answer.body, as: UTF8.self)
        return (MetricsText(raw), raw, answer.headers["content-type"])
    }

    /// `/metrics` once `condition` holds of it, scraping every 100 ms for at most 30 s.
    func metrics(
        _ what: String, sourceLocation: Testing.SourceLocation = #_sourceLocation,
        _ condition: (MetricsText) -> Bool
    ) async throws -> MetricsText {
        var last = "nothing"
        for _ in 0..<300 {
            do {
                let text = try await scrape().text
                if condition(text) { return text }
                last = text.samples.map { "\($0)" }.joined(separator: "\n")
            } catch {
                last = "\(error)"
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        let http = log.all.filter { $0.contains("HTTP") || $0.contains("http") }
        Issue.record(
            "\(what): not seen in /metrics after 30 s; last: \(last)\n\(http.suffix(10))",
            sourceLocation: sourceLocation)
        throw DeadlineExceeded(description: what)
    }

    /// Replaces the configuration file and asks for a reload.
    func reload(with text: String) throws {
        try text.write(to: file, atomically: true, encoding: .utf8)
        send.yield(.reload)
    }

    /// Stops lbd and removes its directory.
    func stop() async throws {
        send.yield(.terminate)
        let task = self.task
        try await withDeadline(60, "lbd stopping") { try await task.value }
        try? FileManager.default.removeItem(at: directory)
    }
}
