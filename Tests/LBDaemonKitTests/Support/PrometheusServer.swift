import AsyncHTTPClient
import Foundation
import LBTestSupport

/// A real Prometheus (Debian `prometheus`) started by a test on 127.0.0.1 at a free port, with
/// its data in a temporary directory, scraping one target every second; stopped by pid.
final class PrometheusServer: Sendable {
    struct QueryError: Error, CustomStringConvertible {
        var description: String
    }

    /// One element of an instant vector.
    struct Sample: Sendable {
        var labels: [String: String]
        var value: Double
    }

    let port: Int
    let directory: URL
    private let process: PeerProcess

    /// Starts prometheus scraping `http://<target>/metrics` as job `lbd`; returns once it is
    /// ready (`/-/ready`), within 30 s.
    static func start(scraping target: String) async throws -> PrometheusServer {
        guard let binary = Peers.prometheus else { throw QueryError(description: "no prometheus") }
        let directory = try Peers.temporaryDirectory("prometheus")
        let configuration = """
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: lbd
                scrape_interval: 1s
                scrape_timeout: 1s
                metrics_path: /metrics
                static_configs:
                  - targets: ["\(target)"]

            """
        let file = directory.appendingPathComponent("prometheus.yml")
        try configuration.write(to: file, atomically: true, encoding: .utf8)
        let port = try Peers.freeUDPAndTCPPort()
        let process = try PeerProcess(
            binary,
            [
                "--config.file=\(file.path)",
                "--storage.tsdb.path=\(directory.appendingPathComponent("data").path)",
                "--web.listen-address=127.0.0.1:\(port)", "--log.level=warn",
            ])
        let server = PrometheusServer(port: port, directory: directory, process: process)
        for _ in 0..<300 {
            if (try? await server.get("/-/ready").status) == 200 { return server }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let errors = process.errorOutput
        server.stop()
        throw QueryError(description: "prometheus did not become ready: \(errors.suffix(2000))")
    }

    private init(port: Int, directory: URL, process: PeerProcess) {
        self.port = port
        self.directory = directory
        self.process = process
    }

    /// What prometheus wrote on stderr.
    var errorOutput: String { process.errorOutput }

    /// Evaluates `promql` now (`/api/v1/query`): the instant vector's samples.
    func query(_ promql: String) async throws -> [Sample] {
        var components = URLComponents()
        components.queryItems = [URLQueryItem(name: "query", value: promql)]
        let encoded = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B") ?? ""
        let answer = try await get("/api/v1/query?" + encoded)
        guard answer.status == 200,
            let object = try JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Any],
            object["status"] as? String == "success", let data = object["data"] as? [String: Any],
            data["resultType"] as? String == "vector", let result = data["result"] as? [[String: Any]]
        else {
            throw QueryError(
                description: "\(promql): \(answer.status) \(String(decoding: answer.body, as: UTF8.self))")
        }
        return result.compactMap { element in
            guard let labels = element["metric"] as? [String: String], let pair = element["value"] as? [Any],
                pair.count == 2, let text = pair[1] as? String, let value = Double(text)
            else { return nil }
            return Sample(labels: labels, value: value)
        }
    }

    /// The result of `promql` once `condition` holds of it, asking every 250 ms for at most
    /// `seconds`; nil if it never did.
    func query(_ promql: String, within seconds: Double = 30, until condition: ([Sample]) -> Bool)
        async throws -> [Sample]?
    {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            let samples = try await query(promql)
            if condition(samples) { return samples }
            try await Task.sleep(for: .milliseconds(250))
        }
        return nil
    }

    /// Stops prometheus (SIGTERM to its pid's group, then SIGKILL) and removes its directory.
    func stop() {
        process.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    private func get(_ path: String) async throws -> (status: UInt, body: [UInt8]) {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let response = try await client.execute(
                HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)"), timeout: .seconds(10))
            let body = try await response.body.collect(upTo: 1 << 22)
            try await client.shutdown()
            return (response.status.code, [UInt8](buffer: body))
        } catch {
            try? await client.shutdown()
            throw error
        }
    }
}
