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
}
