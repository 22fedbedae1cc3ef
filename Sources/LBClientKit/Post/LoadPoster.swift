import Foundation
import LBCore
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// Pushes the per-alias loads to an HTTP endpoint (golbclient's `-p lbpost.yaml`, CERN's
/// "ermis"), after the SNMP answer was printed.
public enum LoadPoster {
    /// What the server answered.
    public struct Response: Sendable, Hashable {
        public var status: Int
        public var body: String
    }

    /// Posts `loads` as configured in `configurationFile`.
    ///
    /// - Throws: ``LoadPostError`` when the file is missing or invalid, when its aliases are not
    ///   exactly those evaluated, when the server cannot be reached, or when it answers with a
    ///   status other than 2xx (golbclient ignored the status).
    @discardableResult
    public static func post(
        _ loads: [(alias: String, load: Int)], configurationFile: String, logger: Logger
    ) async throws(LoadPostError) -> Response {
        let configuration = try PostConfiguration.load(configurationFile)
        let body = try requestBody(loads, configuration: configuration, path: configurationFile)
        let response = try await send(body, to: configuration)
        logger.info("posted \(loads.count) loads to \(configuration.url): HTTP \(response.status)")
        guard (200..<300).contains(response.status) else {
            throw LoadPostError(
                "\(configuration.url) answered HTTP \(response.status): \(serverMessage(response.body))")
        }
        return response
    }

    /// The JSON body: golbclient's field names, in the file's alias order.
    static func requestBody(
        _ loads: [(alias: String, load: Int)], configuration: PostConfiguration, path: String
    ) throws(LoadPostError) -> [UInt8] {
        var evaluated: [String: Int] = [:]
        for (alias, load) in loads { evaluated[aliasKey(alias)] = load }
        let configured = Set(configuration.aliases.map { aliasKey($0.alias) })
        let missing = configuration.aliases.map(\.alias).filter { evaluated[aliasKey($0)] == nil }
        let extra = loads.map(\.alias).filter { !configured.contains(aliasKey($0)) }
        guard missing.isEmpty && extra.isEmpty else {
            var problems: [String] = []
            if !missing.isEmpty {
                problems.append("\(missing.joined(separator: ", ")) in \(path) but not evaluated")
            }
            if !extra.isEmpty {
                problems.append("\(extra.joined(separator: ", ")) evaluated but not in \(path)")
            }
            throw LoadPostError(
                "the aliases of \(path) differ from the evaluated ones: " + problems.joined(separator: "; "))
        }
        let entries: [[String: Any]] = configuration.aliases.map { entry in
            ["AliasName": entry.alias, "Secret": entry.secret, "Load": evaluated[aliasKey(entry.alias)] ?? 0]
        }
        guard let data = try? JSONSerialization.data(withJSONObject: entries, options: [.sortedKeys]) else {
            throw LoadPostError("cannot encode the loads as JSON")
        }
        return Array(data)
    }

    private static func serverMessage(_ body: String) -> String {
        if let data = body.data(using: .utf8),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let message = object["Message"] as? String
        {
            return message
        }
        return body.isEmpty ? "(no body)" : String(body.prefix(200))
    }

    static func send(_ body: [UInt8], to configuration: PostConfiguration) async throws(LoadPostError)
        -> Response
    {
        let url = configuration.url
        guard let host = url.host else { throw LoadPostError("\(url) has no host") }
        let isTLS = url.scheme?.lowercased() == "https"
        let port = url.port ?? (isTLS ? 443 : 80)
        let sslContext: NIOSSLContext?
        if isTLS {
            sslContext = try makeTLSContext(configuration)
        } else {
            sslContext = nil
        }
        // URL.path drops a trailing slash, which some APIs need: take the path as written.
        let components = URLComponents(url: url, resolvingAgainstBaseURL: false)
        var path = components?.percentEncodedPath ?? ""
        if path.isEmpty { path = "/" }
        if let query = components?.percentEncodedQuery { path += "?" + query }
        let target = "\(host):\(port)"
        let hostHeader = url.port == nil ? host : target
        let connectHost = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host

        let group = MultiThreadedEventLoopGroup.singleton
        let promise = group.next().makePromise(of: Response.self)
        do {
            let channel = try await ClientBootstrap(group: group)
                .connectTimeout(
                    TimeAmount(configuration.timeout)
                )
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let sslContext {
                            let serverName = IPAddressText.isLiteral(connectHost) ? nil : connectHost
                            try channel.pipeline.syncOperations.addHandler(
                                NIOSSLClientHandler(context: sslContext, serverHostname: serverName))
                        }
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        try channel.pipeline.syncOperations.addHandler(ResponseCollector(promise: promise))
                    }
                }
                .connect(host: connectHost, port: port).get()
            let timeout = channel.eventLoop.scheduleTask(
                in: TimeAmount(configuration.timeout)
            ) {
                promise.fail(LoadPostError("no answer from \(target) within \(configuration.timeout)"))
                channel.close(promise: nil)
            }
            var headers = HTTPHeaders()
            headers.add(name: "Host", value: hostHeader)
            headers.add(name: "Content-Type", value: "application/json")
            headers.add(name: "Accept", value: "application/json")
            headers.add(name: "Content-Length", value: String(body.count))
            headers.add(name: "Connection", value: "close")
            headers.add(name: "User-Agent", value: "lbclient")
            let head = HTTPRequestHead(version: .http1_1, method: .POST, uri: path, headers: headers)
            channel.write(HTTPClientRequestPart.head(head), promise: nil)
            channel.write(HTTPClientRequestPart.body(.byteBuffer(ByteBuffer(bytes: body))), promise: nil)
            channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
            defer {
                timeout.cancel()
                channel.close(promise: nil)
            }
            return try await promise.futureResult.get()
        } catch let error as LoadPostError {
            promise.fail(error)
            throw error
        } catch {
            promise.fail(error)
            throw LoadPostError("failed to POST to \(url): \(error)")
        }
    }

    private static func makeTLSContext(_ configuration: PostConfiguration) throws(LoadPostError)
        -> NIOSSLContext
    {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let caFile = configuration.caCertificateFile {
            guard FileManager.default.isReadableFile(atPath: caFile) else {
                throw LoadPostError("cannot read the CA bundle \(caFile)")
            }
            tls.trustRoots = .file(caFile)
        }
        if let certificateFile = configuration.clientCertificateFile,
            let keyFile = configuration.clientKeyFile
        {
            do {
                tls.certificateChain = try NIOSSLCertificate.fromPEMFile(certificateFile).map {
                    .certificate($0)
                }
            } catch {
                throw LoadPostError("cannot read the client certificate \(certificateFile): \(error)")
            }
            do {
                tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: keyFile, format: .pem))
            } catch {
                throw LoadPostError("cannot read the client key \(keyFile): \(error)")
            }
        }
        tls.renegotiationSupport = .once
        do {
            return try NIOSSLContext(configuration: tls)
        } catch {
            throw LoadPostError("cannot set up TLS: \(error)")
        }
    }
}

/// Collects one HTTP response, keeping at most 64 KiB of body.
private final class ResponseCollector: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPClientResponsePart

    private let promise: EventLoopPromise<LoadPoster.Response>
    private var status = 0
    private var body: [UInt8] = []

    init(promise: EventLoopPromise<LoadPoster.Response>) { self.promise = promise }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            status = Int(head.status.code)
        case .body(var buffer):
            if body.count < 65_536,
                let bytes = buffer.readBytes(length: min(buffer.readableBytes, 65_536 - body.count))
            {
                body += bytes
            }
        case .end:
            promise.succeed(LoadPoster.Response(status: status, body: String(decoding: body, as: UTF8.self)))
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise.fail(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(LoadPostError("the server closed the connection before answering"))
        context.fireChannelInactive()
    }
}

/// Whether a host is an IP literal (no SNI is sent for those).
enum IPAddressText {
    static func isLiteral(_ host: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }
}
