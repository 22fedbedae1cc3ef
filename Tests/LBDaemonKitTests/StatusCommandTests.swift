import Foundation
import Hummingbird
import LBTestSupport
import Testing

@testable import LBDaemonKit

/// `lbd status` as an operator runs it: against a running HTTP server it prints the role and the
/// rest; when nothing answers, or something else does, it exits 1 naming the URL.
@Suite struct StatusCommandTests {
    /// Runs the built `lbd` on a thread of its own: the server it asks runs in this process.
    func lbd(_ arguments: String...) async throws -> LBDCommandLineTests.Run {
        try await offThePool { try LBDCommandLineTests().lbd(arguments) }
    }

    @Test func statusPrintsTheRoleAndTheLastRound() async throws {
        let server = try await RunningHTTPService.start()
        let run = try await lbd("status", "--url", server.baseURL)
        try await server.stop()
        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "lbd at \(server.baseURL)")
        #expect(lines.dropFirst().first == "role:          standby (lease)")
        for expected in [
            "instance:      lbd2.example.org", "partition:     blue", "peer:          lbd1.example.org",
            "lease age:     2.5 s", "fencing token: 41",
            "why:           the lease is held by lbd1.example.org until it expires", "aliases:       12",
            "config:        /etc/lbd/lbd.yaml (sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08)",
        ] {
            #expect(lines.contains(expected), "\(expected) in \(run.stdout)")
        }
        #expect(
            lines.contains {
                $0.hasPrefix("last round:    2026-01-02T03:05:00Z (")
                    && $0.hasSuffix("12 evaluated, 11 published, 1 failed")
            },
            "\(run.stdout)")
    }

    @Test func jsonPrintsLbdsAnswer() async throws {
        let server = try await RunningHTTPService.start()
        let run = try await lbd("status", "--url", server.baseURL, "--json")
        try await server.stop()
        #expect(run.status == 0, "\(run.stderr)")
        let decoded = try InstanceStatus.makeDecoder().decode(
            InstanceStatus.self, from: Data(run.stdout.utf8))
        #expect(decoded == InstanceStatus.sample)
        #expect(run.stdout.contains("\"fencing_token\" : 41"))
    }

    @Test func configTakesTheAddressFromHTTPListenAndAsksLoopbackForAWildcard() async throws {
        let server = try await RunningHTTPService.start()
        let directory = try Peers.temporaryDirectory("lbd-status")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("lbd.yaml")
        // A wildcard address needs a token (or TLS).
        let token = directory.appendingPathComponent("token")
        try "0123456789abcdef0123\n".write(to: token, atomically: true, encoding: .utf8)
        try
            "aliases:\n  a.example.org: [n1]\nhttp:\n  listen: 0.0.0.0:\(server.port)\n  token_file: \(token.path)\n"
            .write(to: file, atomically: true, encoding: .utf8)
        let run = try await lbd("status", "--config", file.path)
        let off = directory.appendingPathComponent("off.yaml")
        try "aliases:\n  a.example.org: [n1]\nhttp:\n  listen: off\n".write(
            to: off, atomically: true, encoding: .utf8)
        let none = try await lbd("status", "--config", off.path)
        try await server.stop()
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.hasPrefix("lbd at http://127.0.0.1:\(server.port)\nrole:"), "\(run.stdout)")
        #expect(none.status == 1)
        #expect(none.stderr.contains("\(off.path): http.listen is off"), "\(none.stderr)")
    }

    @Test func aClosedPortExitsOneNamingTheURL() async throws {
        let port = try Peers.freeUDPAndTCPPort()
        let run = try await lbd("status", "--url", "http://127.0.0.1:\(port)", "--timeout", "5")
        #expect(run.status == 1)
        #expect(run.stdout.isEmpty)
        #expect(
            run.stderr.contains("no lbd answers at http://127.0.0.1:\(port)/api/v1/instance"), "\(run.stderr)"
        )
    }

    @Test func anAnswerThatIsNotAStatusExitsOneNamingTheURL() async throws {
        // Something else on the port: a web server answering other JSON, or an error page.
        let router = Router()
        router.get("api/v1/instance") { _, _ in "{\"hello\": 1}" }
        router.get("other/api/v1/instance") { _, _ in "<html>not json</html>" }
        let server = try await ForeignHTTPServer.start(router)
        defer { server.stop() }
        let url = server.baseURL
        let json = try await lbd("status", "--url", url)
        let html = try await lbd("status", "--url", url + "/other/")
        let missing = try await lbd("status", "--url", url + "/nowhere")
        #expect(json.status == 1)
        #expect(
            json.stderr.contains(
                "\(url)/api/v1/instance did not answer an lbd instance status: no 'version'"),
            "\(json.stderr)")
        #expect(html.status == 1)
        #expect(
            html.stderr.contains(
                "\(url)/other/api/v1/instance did not answer an lbd instance status: not JSON"),
            "\(html.stderr)")
        #expect(missing.status == 1)
        #expect(
            missing.stderr.contains("\(url)/nowhere/api/v1/instance answered HTTP 404"), "\(missing.stderr)")
    }

    @Test func aWildcardListenIsAskedOnLoopback() {
        #expect(
            InstanceStatusClient.baseURL(listeningOn: ServerAddress(host: "0.0.0.0", port: 8080))
                == "http://127.0.0.1:8080")
        #expect(
            InstanceStatusClient.baseURL(listeningOn: ServerAddress(host: "::", port: 9090))
                == "http://[::1]:9090")
        #expect(
            InstanceStatusClient.baseURL(listeningOn: ServerAddress(host: "::1", port: 1)) == "http://[::1]:1"
        )
        #expect(
            InstanceStatusClient.baseURL(listeningOn: ServerAddress(host: "lbd.example.org", port: 80))
                == "http://lbd.example.org:80")
        #expect(
            InstanceStatusClient(baseURL: "127.0.0.1:8080/").instanceURL
                == "http://127.0.0.1:8080/api/v1/instance")
    }

    @Test func theReportSaysHeartbeatAgeAndNoneYetBeforeTheFirstRound() {
        var status = InstanceStatus.sample
        status.partition = nil
        status.lastRound = nil
        status.leadership = LeadershipStatus(
            mode: "heartbeat", role: .active, instance: "lbd1", peer: nil, age: 12.4,
            reason: "this is the master")
        let text = InstanceStatusReport.render(
            status, url: "http://x:1", now: status.startedAt.addingTimeInterval(90))
        #expect(text.contains("role:          active (heartbeat)\n"))
        #expect(text.contains("partition:     none (every alias)\n"))
        #expect(text.contains("peer:          none\n"))
        #expect(text.contains("heartbeat age: 12 s\n"))
        #expect(!text.contains("fencing token"))
        #expect(text.contains("last round:    none yet\n"))
        #expect(text.contains("started:       2026-01-02T03:04:05Z (90 s ago)\n"))
    }
}
