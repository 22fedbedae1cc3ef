import DNS
import Foundation
import LBTestSupport
import NIOCore
import Testing

/// `lbd demo`, the README's first command: it must serve its aliases on its own.
@Suite(.serialized) struct DemoCommandTests {
    @Test func theDemoServesItsAliasesAndStopsOnSIGTERM() async throws {
        let port = try Peers.freeUDPAndTCPPort()
        let demo = try PeerProcess(
            try LBDCommandLineTests.executable(),
            ["demo", "--dns-port", String(port), "--interval", "1", "--seed", "3"])
        defer { demo.stop() }
        let server = try SocketAddress(ipAddress: "127.0.0.1", port: port)
        let client = DNSClient(options: DNSClient.Options(timeout: .milliseconds(300), retries: 0))
        var www: [String] = []
        let deadline = ContinuousClock.now + .seconds(20)
        while www.count < 2, ContinuousClock.now < deadline, demo.isRunning {
            if let answer = try? await client.query(
                try DomainName(parsing: "www.demo.lb."), type: .a, server: server)
            {
                www = answer.message.answers.compactMap { record in
                    if case .a(let address) = record.data { return "\(address)" }
                    return nil
                }
            }
            if www.count < 2 { try await Task.sleep(for: .milliseconds(200)) }
        }
        // Two of the four members of www (node1-node4 on 127.0.0.11-14), the least loaded.
        #expect(www.count == 2, "\(demo.errorOutput.suffix(2000))")
        #expect(
            www.allSatisfy { ["127.0.0.11", "127.0.0.12", "127.0.0.13", "127.0.0.14"].contains($0) }, "\(www)"
        )
        let soa = try await client.query(try DomainName(parsing: "demo.lb."), type: .soa, server: server)
        #expect(soa.message.isAuthoritative)
        kill(demo.pid, SIGTERM)
        #expect(demo.waitForExit(timeout: 15) == 0)
        #expect(demo.errorOutput.contains("www.demo.lb: updated"))
    }

    /// The demo is where a new user first sees the dashboards, the API and /metrics.
    @Test func theDemoServesItsDashboardsAPIAndMetrics() async throws {
        let dnsPort = try Peers.freeUDPAndTCPPort()
        let httpPort = try Peers.freeUDPAndTCPPort()
        let demo = try PeerProcess(
            try LBDCommandLineTests.executable(),
            [
                "demo", "--dns-port", String(dnsPort), "--http-port", String(httpPort), "--interval", "1",
                "--seed", "5",
            ])
        defer { demo.stop() }
        var ready = false
        let deadline = ContinuousClock.now + .seconds(20)
        while !ready, ContinuousClock.now < deadline, demo.isRunning {
            ready = (try? await RawHTTP.send(port: httpPort, target: "/readyz"))?.status == 200
            if !ready { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(ready, "\(demo.errorOutput.suffix(2000))")
        // One more round, so that the history has points to draw.
        try await Task.sleep(for: .seconds(2))
        let aliases = try await RawHTTP.send(port: httpPort, target: "/api/v1/aliases")
        #expect(aliases.status == 200)
        for alias in ["www.demo.lb", "api.demo.lb", "batch.demo.lb"] {
            #expect(aliases.text.contains("\"\(alias)\""), "\(aliases.text)")
        }
        let page = try await RawHTTP.send(port: httpPort, target: "/aliases/www.demo.lb")
        #expect(page.status == 200)
        #expect(page.text.contains("data-chart=\"load\""))
        #expect(page.text.contains("data-series=\"node1.demo.lb\""), "\(page.text.suffix(3000))")
        let metrics = try await RawHTTP.send(port: httpPort, target: "/metrics")
        #expect(metrics.text.contains("lbd_alias_usable_members{alias=\"www.demo.lb\"}"), "\(metrics.text)")
        kill(demo.pid, SIGTERM)
        #expect(demo.waitForExit(timeout: 15) == 0)
    }
}
