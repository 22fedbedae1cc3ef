import Foundation
import LBCore
import LBTestSupport
import Testing

@testable import LBDaemonKit

/// The drains in the API: off by default, on with `http.drains: true`, which needs the token;
/// writes without it are refused; a drain made there is the same file, audit line and decision
/// as `lbd drain`'s.
@Suite(.serialized) struct DrainAPITests {
    static let token = HTTPSecurityTests.token
    private var authorization: [(String, String)] { [("Authorization", "Bearer \(Self.token)")] }

    @Test func theKeyIsOffByDefaultAndNeedsATokenFile() throws {
        let directory = try Peers.temporaryDirectory("lbd-drain-api")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("lbd.yaml")
        try "aliases:\n  a.example.org: [n1]\n".write(to: file, atomically: true, encoding: .utf8)
        #expect(try ConfigurationLoader.load(path: file.path, format: nil).configuration.http.drains == false)
        try "aliases:\n  a.example.org: [n1]\nhttp:\n  listen: 127.0.0.1:8080\n  drains: true\n".write(
            to: file, atomically: true, encoding: .utf8)
        let error = try #require(throws: ConfigurationError.self) {
            try ConfigurationLoader.load(path: file.path, format: nil)
        }
        #expect(error.description.contains("\(file.path):5:"), "\(error)")
        #expect(error.description.contains("needs http.token_file"), "\(error)")
        try "aliases:\n  a.example.org: [n1]\nhttp:\n  token_file: /etc/lbd/token\n  drains: yes\n".write(
            to: file, atomically: true, encoding: .utf8)
        let configuration = try ConfigurationLoader.load(path: file.path, format: nil).configuration
        #expect(configuration.http.drains)
        // The printer writes it back.
        try NativeYAMLPrinter.render(configuration).write(to: file, atomically: true, encoding: .utf8)
        #expect(try ConfigurationLoader.load(path: file.path, format: nil).configuration.http.drains)
    }

    @Test func offItIsNotFoundAndWritesAreRefusedAsAnywhere() async throws {
        let directory = try Peers.temporaryDirectory("lbd-drain-api")
        defer { try? FileManager.default.removeItem(at: directory) }
        let sources = Self.sources()
        let server = try await RunningHTTPService.start(
            settings: HTTPSettings(
                listen: ServerAddress(host: "127.0.0.1", port: 0),
                tokenFile: try HTTPSecurityTests.tokenFile(in: directory)),
            sources: sources, routes: [APIRoutes(sources: sources)])
        let get = try await RawHTTP.send(port: server.port, target: "/api/v1/drains", headers: authorization)
        #expect(get.status == 404)
        let post = try await RawHTTP.send(
            port: server.port, method: "POST", target: "/api/v1/drains", headers: authorization)
        #expect(post.status == 405)
        let delete = try await RawHTTP.send(
            port: server.port, method: "DELETE", target: "/api/v1/drains/n1", headers: authorization)
        #expect(delete.status == 405)
        try await server.stop()
        // A server that asks no token takes no write, whatever a part says.
        let book = DrainBook(stateDirectory: directory.path)
        let open = try await RunningHTTPService.start(
            settings: HTTPSettings(listen: ServerAddress(host: "127.0.0.1", port: 0)), sources: sources,
            routes: [DrainRoutes(book: book, watcher: nil)])
        let unguarded = try await Self.post(port: open.port, #"{"node": "n1", "reason": "r"}"#, headers: [])
        #expect(unguarded.status == 405)
        try await open.stop()
        #expect(try book.load().isEmpty)
    }

    @Test func onTheTokenIsNeededAndADrainIsMadeListedAndRemoved() async throws {
        let directory = try Peers.temporaryDirectory("lbd-drain-api")
        defer { try? FileManager.default.removeItem(at: directory) }
        let book = DrainBook(stateDirectory: directory.appendingPathComponent("state").path)
        let sources = Self.sources()
        let server = try await RunningHTTPService.start(
            settings: HTTPSettings(
                listen: ServerAddress(host: "127.0.0.1", port: 0),
                tokenFile: try HTTPSecurityTests.tokenFile(in: directory)),
            sources: sources, routes: [APIRoutes(sources: sources), DrainRoutes(book: book, watcher: nil)])
        let body = #"{"node": "n1", "alias": "www.example.org", "for": "2h", "reason": "kernel upgrade"}"#
        let anonymous = try await Self.post(port: server.port, body, headers: [])
        #expect(anonymous.status == 401)
        #expect(try book.load().isEmpty)

        let made = try await Self.post(port: server.port, body, headers: authorization)
        #expect(made.status == 200, "\(made.text)")
        let checker = SchemaChecker(document: try OpenAPIDocumentTests.document())
        let answerSchema = checker.resolve(["$ref": "#/components/schemas/DrainAnswer"])
        let answerJSON = try JSONSerialization.jsonObject(with: Data(made.body))
        for problem in checker.problems(json: answerJSON, schema: answerSchema, at: "POST") {
            Issue.record("\(problem)")
        }
        let answer = try InstanceStatus.makeDecoder().decode(DrainRoutes.Answer.self, from: Data(made.body))
        #expect(answer.drained?.by == "api")
        #expect(answer.drained?.remaining == 7200)
        #expect(answer.drained?.explanation == "drained by api: kernel upgrade")
        let drains = try book.load()
        #expect(drains.map(\.node) == ["n1"])
        #expect(try auditLines(book).map(\.action) == [.drain])

        let listed = try await RawHTTP.send(
            port: server.port, target: "/api/v1/drains", headers: authorization)
        #expect(listed.status == 200)
        let listSchema = try checker.responseSchema("listDrains", status: 200)
        for problem in checker.problems(
            json: try JSONSerialization.jsonObject(with: Data(listed.body)), schema: listSchema, at: "GET")
        {
            Issue.record("\(problem)")
        }
        let list = try InstanceStatus.makeDecoder().decode(
            DrainListing.Document.self, from: Data(listed.body))
        #expect(list.drains.map(\.alias) == ["www.example.org"])
        for problem in checker.problems(swift: list, schema: listSchema, at: "DrainList") {
            Issue.record("\(problem)")
        }

        for bad in [
            #"{"node": "n1"}"#, "not json", #"{"node": "n1", "reason": "r", "for": "soon"}"#,
            #"{"node": "", "reason": "r"}"#,
        ] {
            let refused = try await Self.post(port: server.port, bad, headers: authorization)
            #expect(refused.status == 400, "\(bad): \(refused.text)")
        }
        let anonymousDelete = try await RawHTTP.send(
            port: server.port, method: "DELETE", target: "/api/v1/drains/n1")
        #expect(anonymousDelete.status == 401)
        let removed = try await RawHTTP.send(
            port: server.port, method: "DELETE", target: "/api/v1/drains/N1?alias=www.example.org",
            headers: authorization)
        #expect(removed.status == 200, "\(removed.text)")
        #expect(try book.load().isEmpty)
        let gone = try await RawHTTP.send(
            port: server.port, method: "DELETE", target: "/api/v1/drains/n1", headers: authorization)
        #expect(gone.status == 404)
        #expect(try auditLines(book).map(\.action) == [.drain, .undrain])
        try await server.stop()
    }

    @Test func aDrainThroughLBDRunsAPIShowsInTheAliasDetail() async throws {
        let (agents, snmpPort) = try await LoopbackAgents.start([5, 7, 9])
        defer { Task { for agent in agents { await agent.stop() } } }
        let tokenDirectory = try Peers.temporaryDirectory("lbd-drain-api")
        defer { try? FileManager.default.removeItem(at: tokenDirectory) }
        let tokenFile = try HTTPSecurityTests.tokenFile(in: tokenDirectory)
        let lbd = try RunningLBD { httpPort in
            """
            aliases:
              www.example.org: {members: [127.0.0.2, 127.0.0.3, 127.0.0.4], best_hosts: 2, polling_interval: 300}
            snmp:
              version: v2c
              port: \(snmpPort)
              timeout: 300ms
              retries: 0
            http:
              listen: 127.0.0.1:\(httpPort)
              token_file: \(tokenFile)
              drains: true

            """
        }
        func member() async throws -> MemberDetail? {
            let answer = try await RawHTTP.send(
                port: lbd.httpPort, target: "/api/v1/aliases/www.example.org", headers: authorization)
            guard answer.status == 200 else { return nil }
            let detail = try InstanceStatus.makeDecoder().decode(AliasDetail.self, from: Data(answer.body))
            return detail.members.first { $0.node == "127.0.0.2" }
        }
        var first: MemberDetail?
        for _ in 0..<100 where first == nil {
            first = try? await member()
            if first == nil { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(first?.chosen == true, "\(lbd.log.all.suffix(10))")
        let made = try await Self.post(
            port: lbd.httpPort, #"{"node": "127.0.0.2", "reason": "kernel upgrade", "by": "alice"}"#,
            headers: authorization)
        #expect(made.status == 200, "\(made.text)")
        // Decided again before the answer: no wait for the 300 s poll.
        let drained = try await member()
        #expect(drained?.reason == "drained")
        #expect(drained?.chosen == false)
        #expect(
            drained?.detail.contains("drained by alice: kernel upgrade") == true,
            "\(String(describing: drained))")
        let state = lbd.directory.appendingPathComponent("state").path
        #expect(try DrainBook(stateDirectory: state).load().map(\.by) == ["alice"])
        // `lbd explain` says it too, from the running lbd's API.
        let port = lbd.httpPort
        let explained = try await offThePool {
            try LBDCommandLineTests().lbd([
                "explain", "www.example.org", "--url", "http://127.0.0.1:\(port)", "--token-file", tokenFile,
            ])
        }
        #expect(explained.status == 0, "\(explained.stderr)")
        #expect(explained.stdout.contains("drained by alice: kernel upgrade"), "\(explained.stdout)")
        #expect(explained.stdout.contains("drained"), "\(explained.stdout)")
        try await lbd.stop()
    }

    private static func sources() -> DaemonStatusSources {
        DaemonStatusSources(
            evaluations: { [:] }, configuration: { Configuration() }, instance: { .sample }, ready: { true })
    }

    private static func post(port: Int, _ body: String, headers: [(String, String)]) async throws
        -> RawHTTP.Answer
    {
        try await RawHTTP.send(
            port: port, method: "POST", target: "/api/v1/drains",
            headers: headers + [
                ("Content-Type", "application/json"), ("Content-Length", "\(body.utf8.count)"),
            ],
            body: body)
    }
}
