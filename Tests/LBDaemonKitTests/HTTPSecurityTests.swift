import AsyncHTTPClient
import Foundation
import LBTestSupport
import NIOCore
import NIOSSL
import Synchronization
import Testing

@testable import LBDaemonKit

/// The HTTP server's guards: an exposed address must have a token or TLS, the token is asked on
/// every path but the open ones, TLS serves HTTPS with the configured certificate, and
/// `/readyz` says when the first round is done.
@Suite struct HTTPSecurityTests {
    static let token = "s3cr3t-t0ken-0123456789abcdef"

    /// A token file in `directory`.
    static func tokenFile(in directory: URL, _ text: String = token + "\n") throws -> String {
        let file = directory.appendingPathComponent("token")
        try text.write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }

    // MARK: - Configuration

    @Test func aNonLoopbackListenWithoutTokenOrTLSIsRefusedNamingTheFileAndLine() throws {
        let directory = try Peers.temporaryDirectory("lbd-http-config")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("lbd.yaml")
        for host in ["0.0.0.0", "192.0.2.7", "[::]", "lbd.example.org"] {
            try "aliases:\n  a.example.org: [n1]\nhttp:\n  listen: \"\(host):8080\"\n".write(
                to: file, atomically: true, encoding: .utf8)
            let error = try #require(throws: ConfigurationError.self) {
                try ConfigurationLoader.load(path: file.path, format: nil)
            }
            let text = error.description
            #expect(text.contains("\(file.path):4:"), "\(text)")
            #expect(text.contains("unguarded: set http.token_file"), "\(text)")
            #expect(text.contains("http.tls"), "\(text)")
        }
        // Loopback needs nothing; an exposed address with a token, or with TLS, is accepted.
        for http in [
            "  listen: 127.0.0.1:8080\n", "  listen: \"[::1]:8080\"\n", "  listen: localhost:8080\n",
            "  listen: 0.0.0.0:8080\n  token_file: /etc/lbd/token\n",
            "  listen: \"[::]:8443\"\n  tls: {certificate: /etc/lbd/cert.pem, key: /etc/lbd/key.pem}\n",
        ] {
            try "aliases:\n  a.example.org: [n1]\nhttp:\n\(http)".write(
                to: file, atomically: true, encoding: .utf8)
            let loaded = try ConfigurationLoader.load(path: file.path, format: nil)
            #expect(loaded.configuration.http.listen != nil, "\(http)")
        }
        let loaded = try ConfigurationLoader.load(path: file.path, format: nil)
        #expect(
            loaded.configuration.http.tls
                == HTTPSettings.TLS(certificate: "/etc/lbd/cert.pem", key: "/etc/lbd/key.pem"))
        // TLS needs both files.
        try "aliases:\n  a.example.org: [n1]\nhttp:\n  tls: {certificate: /c.pem}\n".write(
            to: file, atomically: true, encoding: .utf8)
        let missing = try #require(throws: ConfigurationError.self) {
            try ConfigurationLoader.load(path: file.path, format: nil)
        }
        #expect(missing.description.contains("http tls needs certificate and key"), "\(missing)")
    }

    @Test func thePrinterWritesTheGuardsBack() throws {
        var configuration = Configuration(aliases: [
            AliasConfiguration(name: "a.example.org", members: ["n1"])
        ])
        configuration.http = HTTPSettings(
            listen: ServerAddress(host: "0.0.0.0", port: 8443), tokenFile: "/etc/lbd/token",
            tls: HTTPSettings.TLS(certificate: "/etc/lbd/c.pem", key: "/etc/lbd/k.pem"))
        let text = NativeYAMLPrinter.render(configuration)
        let directory = try Peers.temporaryDirectory("lbd-http-config")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("lbd.yaml")
        try text.write(to: file, atomically: true, encoding: .utf8)
        #expect(
            try ConfigurationLoader.load(path: file.path, format: nil).configuration.http
                == configuration.http)
    }

    @Test func aTokenFileThatCannotBeUsedIsAnErrorNamingTheFileNeverTheToken() async throws {
        let directory = try Peers.temporaryDirectory("lbd-http-token")
        defer { try? FileManager.default.removeItem(at: directory) }
        let missing = directory.appendingPathComponent("none").path
        #expect(throws: HTTPSecurityError.self) { try HTTPSecurity.token(at: missing) }
        let short = try Self.tokenFile(in: directory, "short1234\n")
        do throws(HTTPSecurityError) {
            _ = try HTTPSecurity.token(at: short)
            Issue.record("a short token was accepted")
        } catch {
            #expect(error.description.contains("at least 16 characters"))
            #expect(!error.description.contains("short1234"))
        }
        #expect(throws: HTTPSecurityError.self) {
            try HTTPSecurity.token(at: try Self.tokenFile(in: directory, "two words of token text"))
        }
        #expect(try HTTPSecurity.token(at: try Self.tokenFile(in: directory)) == Self.token)
        // `lbd run` refuses to start with it.
        let file = directory.appendingPathComponent("lbd.yaml")
        try
            "aliases:\n  a.example.org: {members: [127.0.0.1], polling_interval: 3600}\nhttp:\n  listen: 127.0.0.1:\(try Peers.freeUDPAndTCPPort())\n  token_file: \(missing)\n"
            .write(to: file, atomically: true, encoding: .utf8)
        let log = CapturedLog()
        let daemon = Daemon(
            path: file.path, logger: log.logger,
            stateDirectory: directory.appendingPathComponent("state").path)
        let (signals, _) = AsyncStream<DaemonSignal>.makeStream()
        await #expect(throws: HTTPSecurityError.self) {
            try await withDeadline(30, "lbd refusing to start") { try await daemon.run(signals: signals) }
        }
        #expect(log.contains(.error, "http.token_file \(missing) cannot be read"), "\(log.all)")
    }

    // MARK: - The token

    @Test func aTokenIsAskedEverywhereButTheOpenPaths() async throws {
        let directory = try Peers.temporaryDirectory("lbd-http-token")
        defer { try? FileManager.default.removeItem(at: directory) }
        let settings = HTTPSettings(
            listen: ServerAddress(host: "127.0.0.1", port: 0), tokenFile: try Self.tokenFile(in: directory))
        let sources = DaemonStatusSources(
            evaluations: { [:] }, configuration: { Configuration() }, instance: { .sample }, ready: { true })
        let server = try await RunningHTTPService.start(
            settings: settings, sources: sources, routes: [APIRoutes(sources: sources)])
        try Data(HTTPServiceTests.heartbeat).write(to: server.heartbeatPath)
        for path in ["/api/v1/instance", "/api/v1/aliases", "/api/v1/nodes/n1", "/nowhere", "/"] {
            let none = try await RawHTTP.send(port: server.port, target: path)
            #expect(none.status == 401, "\(path)")
            #expect(none.headers["www-authenticate"] == "Bearer realm=\"lbd\"", "\(path)")
            let wrong = try await RawHTTP.send(
                port: server.port, target: path, headers: [("Authorization", "Bearer \(Self.token)x")])
            #expect(wrong.status == 401, "\(path)")
            #expect(
                wrong.headers["www-authenticate"] == "Bearer realm=\"lbd\", error=\"invalid_token\"",
                "\(path)")
            #expect(!wrong.text.contains(Self.token))
            for header in ["Basic \(Self.token)", "Bearer", "Bearer ", Self.token] {
                let other = try await RawHTTP.send(
                    port: server.port, target: path, headers: [("Authorization", header)])
                #expect(other.status == 401, "\(path) \(header)")
            }
        }
        for path in ["/api/v1/instance", "/api/v1/aliases"] {
            let right = try await RawHTTP.send(
                port: server.port, target: path, headers: [("Authorization", "Bearer \(Self.token)")])
            #expect(right.status == 200, "\(path): \(right.text)")
        }
        // Open without a token: what golbd's standby and probes read.
        for path in ["/healthz", "/readyz", "/load-balancing/heartbeat"] {
            let open = try await RawHTTP.send(port: server.port, target: path)
            #expect(open.status == 200, "\(path)")
        }
        // The open prefix leads nowhere else.
        for path in [
            "/load-balancing/../api/v1/aliases", "/load-balancing/%2e%2e/api/v1/instance",
            "/healthz/../api/v1/instance", "/readyz/../api/v1/aliases",
        ] {
            let sneaky = try await RawHTTP.send(port: server.port, target: path)
            #expect(sneaky.status != 200, "\(path): \(sneaky.text)")
            #expect(!sneaky.text.contains("\"aliases\""), "\(path)")
            #expect(!sneaky.text.contains("config_digest"), "\(path)")
        }
        // A method that changes something is still 405 before anything else.
        let post = try await RawHTTP.send(port: server.port, method: "POST", target: "/api/v1/aliases")
        #expect(post.status == 405)
        try await server.stop()
    }

    @Test func lbdStatusSendsTheTokenOfTheConfiguration() async throws {
        let directory = try Peers.temporaryDirectory("lbd-http-token")
        defer { try? FileManager.default.removeItem(at: directory) }
        let token = try Self.tokenFile(in: directory)
        let server = try await RunningHTTPService.start(
            settings: HTTPSettings(listen: ServerAddress(host: "127.0.0.1", port: 0), tokenFile: token),
            sources: DaemonStatusSources(
                evaluations: { [:] }, configuration: { Configuration() }, instance: { .sample },
                ready: { true }))
        let file = directory.appendingPathComponent("lbd.yaml")
        try
            "aliases:\n  a.example.org: [n1]\nhttp:\n  listen: 0.0.0.0:\(server.port)\n  token_file: \(token)\n"
            .write(to: file, atomically: true, encoding: .utf8)
        let withToken = try await offThePool {
            try LBDCommandLineTests().lbd(["status", "--config", file.path])
        }
        let without = try await offThePool {
            try LBDCommandLineTests().lbd(["status", "--url", server.baseURL])
        }
        let withTokenFile = try await offThePool {
            try LBDCommandLineTests().lbd(["status", "--url", server.baseURL, "--token-file", token])
        }
        try await server.stop()
        #expect(withToken.status == 0, "\(withToken.stderr)")
        #expect(withToken.stdout.contains("role:          standby (lease)"))
        #expect(without.status == 1)
        #expect(without.stderr.contains("HTTP 401"), "\(without.stderr)")
        #expect(withTokenFile.status == 0, "\(withTokenFile.stderr)")
    }

    // MARK: - TLS

    @Test func tlsServesHTTPSWithTheConfiguredCertificate() async throws {
        guard Peers.available("openssl") else { return }
        let directory = try Peers.temporaryDirectory("lbd-http-tls")
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificate = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        let made = try Peers.run(
            try #require(Peers.find("openssl")),
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", key, "-out", certificate, "-days", "2", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1",
            ])
        #expect(made.status == 0, "\(made.errors)")
        let settings = HTTPSettings(
            listen: ServerAddress(host: "127.0.0.1", port: 0), tokenFile: try Self.tokenFile(in: directory),
            tls: HTTPSettings.TLS(certificate: certificate, key: key))
        let sources = DaemonStatusSources(
            evaluations: { [:] }, configuration: { Configuration() }, instance: { .sample }, ready: { true })
        let server = try await RunningHTTPService.start(settings: settings, sources: sources)
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .file(certificate)
        let client = HTTPClient(
            eventLoopGroupProvider: .singleton, configuration: HTTPClient.Configuration(tlsConfiguration: tls)
        )
        do {
            let url = "https://127.0.0.1:\(server.port)"
            let health = try await client.execute(
                HTTPClientRequest(url: url + "/healthz"), timeout: .seconds(10))
            #expect(health.status == .ok)
            #expect(String(buffer: try await health.body.collect(upTo: 1024)) == "ok\n")
            var request = HTTPClientRequest(url: url + "/api/v1/instance")
            let refused = try await client.execute(request, timeout: .seconds(10))
            #expect(refused.status == .unauthorized)
            request.headers.add(name: "Authorization", value: "Bearer \(Self.token)")
            let status = try await client.execute(request, timeout: .seconds(10))
            #expect(status.status == .ok)
            let body = try await status.body.collect(upTo: 1 << 20)
            #expect(
                try InstanceStatus.makeDecoder().decode(InstanceStatus.self, from: Data(buffer: body))
                    == .sample)
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
        // Plain HTTP gets no answer from a TLS server.
        let plain = try? await RawHTTP.send(port: server.port, target: "/healthz")
        #expect(plain?.status != 200)
        try await server.stop()
    }

    @Test func anUnreadableCertificateIsLoggedAndNothingIsServed() async throws {
        let directory = try Peers.temporaryDirectory("lbd-http-tls")
        defer { try? FileManager.default.removeItem(at: directory) }
        let log = CapturedLog()
        let service = HTTPService(
            settings: HTTPSettings(
                listen: ServerAddress(host: "127.0.0.1", port: 0),
                tls: HTTPSettings.TLS(
                    certificate: directory.appendingPathComponent("none.pem").path,
                    key: directory.appendingPathComponent("key.pem").path)),
            heartbeatDirectory: directory.path, heartbeatFile: "heartbeat", logger: log.logger,
            status: { .sample })
        let task = Task { try await service.run() }
        try await withDeadline(20, "the error logged") {
            while !log.contains(.error, "http.tls.certificate") {
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        task.cancel()
        try await withDeadline(20, "run() ending") { try await task.value }
    }

    // MARK: - Readiness

    @Test func readyzIs503WithTheReasonUntilReady() async throws {
        let ready = Mutex(false)
        let sources = DaemonStatusSources(
            evaluations: { [:] }, configuration: { Configuration() }, instance: { .sample },
            ready: { ready.withLock { $0 } },
            notReadyReason: { "the first round is not complete: 2 alias(es) not evaluated yet" })
        let server = try await RunningHTTPService.start(
            settings: HTTPSettings(listen: ServerAddress(host: "127.0.0.1", port: 0)), sources: sources)
        let before = try await RawHTTP.send(port: server.port, target: "/readyz")
        #expect(before.status == 503)
        #expect(
            String(decoding: before.body, as: UTF8.self)
                == "not ready: the first round is not complete: 2 alias(es) not evaluated yet\n")
        ready.withLock { $0 = true }
        let after = try await RawHTTP.send(port: server.port, target: "/readyz")
        #expect(after.status == 200)
        #expect(String(decoding: after.body, as: UTF8.self) == "ready\n")
        try await server.stop()
    }
}
