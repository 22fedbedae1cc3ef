import Foundation
import LBTestSupport
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization
import Testing

@testable import LBClientKit

@Suite("Posting loads (lbpost.yaml)")
struct LoadPosterTests {
    private let logger = Logger(label: "test")

    @Test func aMissingOrBrokenFileIsAClearError() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        await #expect(
            throws: LoadPostError("cannot read \(scratch.path)/none.yaml: No such file or directory")
        ) {
            try await LoadPoster.post(
                [("a", 1)], configurationFile: scratch.path + "/none.yaml", logger: logger)
        }
        let broken = try scratch.write("broken.yaml", "url: [unclosed\n")
        do {
            try await LoadPoster.post([("a", 1)], configurationFile: broken, logger: logger)
            Issue.record("expected an error")
        } catch {
            #expect(error.message.hasPrefix("\(broken) is not a valid lbpost.yaml"))
        }
    }

    @Test func validatesEveryField() throws {
        func problem(_ yaml: String) -> String? {
            do {
                _ = try PostConfiguration.parse(yaml, path: "p.yaml")
                return nil
            } catch {
                return error.message
            }
        }
        #expect(
            problem("url: ftp://x/\nstatus: [{aliasname: a, secret: s}]")?.contains("`url` must be") == true)
        #expect(
            problem("url: https://x/\nhostcert: /c.pem\nstatus: [{aliasname: a, secret: s}]")?.contains(
                "give both") == true)
        #expect(problem("url: https://x/")?.contains("`status` must list") == true)
        #expect(
            problem("url: https://x/\nstatus: [{aliasname: a, secret: ''}]")
                == "p.yaml: the secret of a is missing or empty")
        #expect(
            problem("url: https://x/\nauthtimeout: -1\nstatus: [{aliasname: a, secret: s}]")?.contains(
                "authtimeout") == true)
        let parsed = try PostConfiguration.parse(
            "url: https://h:8443/lb/\nauthtimeout: 0\nstatus:\n  - aliasname: a\n    secret: s\n",
            path: "p.yaml")
        #expect(parsed.timeout == PostConfiguration.defaultTimeout)
        #expect(parsed.aliases == [.init(alias: "a", secret: "s")])
    }

    @Test func theAliasesMustMatchExactly() throws {
        let configuration = try PostConfiguration.parse(
            "url: https://h/\nstatus: [{aliasname: a.cern.ch, secret: s1}, {aliasname: b.cern.ch, secret: s2}]",
            path: "p.yaml")
        #expect(throws: LoadPostError.self) {
            _ = try LoadPoster.requestBody(
                [("a.cern.ch", 1), ("c.cern.ch", 2)], configuration: configuration, path: "p.yaml")
        }
        let body = try LoadPoster.requestBody(
            [("b.cern.ch", -16), ("a.cern.ch", 40000)], configuration: configuration, path: "p.yaml")
        let decoded = try JSONSerialization.jsonObject(with: Data(body)) as? [[String: Any]]
        #expect(decoded?.count == 2)
        #expect(decoded?[0]["AliasName"] as? String == "a.cern.ch")
        #expect(decoded?[0]["Secret"] as? String == "s1")
        #expect(decoded?[0]["Load"] as? Int == 40000)
        #expect(decoded?[1]["Load"] as? Int == -16)
    }

    @Test func postsOverMutualTLSWithTheClientCertificate() async throws {
        guard Peers.available("openssl"), let openssl = Peers.find("openssl") else { return }
        let scratch = try Scratch()
        defer { scratch.remove() }
        try makeCertificates(in: scratch, openssl: openssl)
        let server = try await TestHTTPSServer.start(
            scratch: scratch, status: .ok, body: #"{"Message":"thanks"}"#)
        defer { server.stop() }
        let yaml = try scratch.write(
            "lbpost.yaml",
            """
            url: https://127.0.0.1:\(server.port)/lb/api/v1/lbclient/
            cacert: \(scratch.path)/ca.pem
            hostcert: \(scratch.path)/client.pem
            hostkey: \(scratch.path)/client.key
            authtimeout: 5
            status:
              - aliasname: test2.cern.ch
                secret: c2VjcmV0Mg==
              - aliasname: test.cern.ch
                secret: c2VjcmV0MQ==
            """)
        let response = try await LoadPoster.post(
            [("test2.cern.ch", 40000), ("test.cern.ch", 50000)], configurationFile: yaml, logger: logger)
        #expect(response.status == 200)
        let request = try #require(server.requests.first)
        #expect(request.method == "POST")
        #expect(request.uri == "/lb/api/v1/lbclient/")
        #expect(request.contentType == "application/json")
        #expect(request.clientCertificatePresented)
        let decoded = try JSONSerialization.jsonObject(with: Data(request.body.utf8)) as? [[String: Any]]
        #expect(decoded?.map { $0["AliasName"] as? String } == ["test2.cern.ch", "test.cern.ch"])
        #expect(decoded?.map { $0["Load"] as? Int } == [40000, 50000])
    }

    @Test func anErrorStatusAndAnUntrustedServerAreErrors() async throws {
        guard Peers.available("openssl"), let openssl = Peers.find("openssl") else { return }
        let scratch = try Scratch()
        defer { scratch.remove() }
        try makeCertificates(in: scratch, openssl: openssl)
        let server = try await TestHTTPSServer.start(
            scratch: scratch, status: .unauthorized, body: #"{"Message":"bad secret"}"#)
        defer { server.stop() }
        let status = "status: [{aliasname: a.cern.ch, secret: s}]\n"
        let good = try scratch.write(
            "good.yaml",
            "url: https://127.0.0.1:\(server.port)/\ncacert: \(scratch.path)/ca.pem\nhostcert: \(scratch.path)/client.pem\nhostkey: \(scratch.path)/client.key\n"
                + status)
        await #expect(
            throws: LoadPostError("https://127.0.0.1:\(server.port)/ answered HTTP 401: bad secret")
        ) {
            try await LoadPoster.post([("a.cern.ch", 1)], configurationFile: good, logger: logger)
        }
        // The server's certificate is not signed by this CA.
        let wrongCA = try scratch.write(
            "wrong.yaml",
            "url: https://127.0.0.1:\(server.port)/\ncacert: \(scratch.path)/client.pem\nhostcert: \(scratch.path)/client.pem\nhostkey: \(scratch.path)/client.key\n"
                + status)
        do {
            try await LoadPoster.post([("a.cern.ch", 1)], configurationFile: wrongCA, logger: logger)
            Issue.record("expected a TLS failure")
        } catch {
            #expect(error.message.hasPrefix("failed to POST to https://127.0.0.1:\(server.port)/"))
        }
        // Nobody listens on this port.
        server.stop()
        do {
            try await LoadPoster.post([("a.cern.ch", 1)], configurationFile: good, logger: logger)
            Issue.record("expected a connection failure")
        } catch {
            #expect(error.message.hasPrefix("failed to POST to"))
        }
    }

    private func makeCertificates(in scratch: Scratch, openssl: String) throws {
        let script = """
            set -e
            cd '\(scratch.path)'
            O='\(openssl)'
            $O req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=test-ca 2>/dev/null
            for name in server client; do
              $O req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout $name.key -out $name.csr -subj /CN=127.0.0.1 2>/dev/null
              printf 'subjectAltName=IP:127.0.0.1\\n' > $name.ext
              $O x509 -req -in $name.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out $name.pem -days 2 -extfile $name.ext 2>/dev/null
            done
            """
        let run = try Peers.run("/bin/sh", ["-c", script], timeout: 60)
        #expect(run.status == 0, "\(run.errors)")
    }
}

/// An HTTPS server requiring a client certificate, recording what it receives.
final class TestHTTPSServer: Sendable {
    struct Request: Sendable {
        var method: String
        var uri: String
        var contentType: String?
        var body: String
        var clientCertificatePresented: Bool
    }

    let port: Int
    private let channel: any Channel
    private let received: Mutex<[Request]>

    var requests: [Request] { received.withLock { $0 } }

    private init(port: Int, channel: any Channel) {
        self.port = port
        self.channel = channel
        self.received = Mutex([])
    }

    static func start(scratch: Scratch, status: HTTPResponseStatus, body: String) async throws
        -> TestHTTPSServer
    {
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(scratch.path + "/server.pem").map {
                .certificate($0)
            },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: scratch.path + "/server.key", format: .pem)))
        tls.certificateVerification = .noHostnameVerification
        tls.trustRoots = .file(scratch.path + "/ca.pem")
        let context = try NIOSSLContext(configuration: tls)
        let recorder = Recorder()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let ssl = NIOSSLServerHandler(context: context)
                    try channel.pipeline.syncOperations.addHandler(ssl)
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(
                        RequestHandler(status: status, body: body, recorder: recorder))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let server = TestHTTPSServer(port: channel.localAddress?.port ?? 0, channel: channel)
        recorder.server.withLock { $0 = server }
        return server
    }

    func stop() {
        try? channel.close().wait()
    }

    fileprivate func record(_ request: Request) { received.withLock { $0.append(request) } }

    fileprivate final class Recorder: Sendable {
        let server = Mutex<TestHTTPSServer?>(nil)
        func record(_ request: Request) { server.withLock { $0 }?.record(request) }
    }

    private final class RequestHandler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let status: HTTPResponseStatus
        let body: String
        let recorder: Recorder
        var head: HTTPRequestHead?
        var received: [UInt8] = []

        init(status: HTTPResponseStatus, body: String, recorder: Recorder) {
            self.status = status
            self.body = body
            self.recorder = recorder
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let requestHead):
                head = requestHead
            case .body(var buffer):
                received += buffer.readBytes(length: buffer.readableBytes) ?? []
            case .end:
                let sslHandler = try? context.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self)
                let presented = sslHandler?.peerCertificate != nil
                recorder.record(
                    Request(
                        method: head.map { "\($0.method)" } ?? "", uri: head?.uri ?? "",
                        contentType: head?.headers.first(name: "Content-Type"),
                        body: String(decoding: received, as: UTF8.self), clientCertificatePresented: presented
                    ))
                var headers = HTTPHeaders()
                headers.add(name: "Content-Type", value: "application/json")
                headers.add(name: "Content-Length", value: String(body.utf8.count))
                context.write(
                    wrapOutboundOut(
                        .head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))),
                    promise: nil)
                context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }
}
