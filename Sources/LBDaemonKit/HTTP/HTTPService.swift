import Foundation
import Hummingbird
import HummingbirdTLS
import Logging
import NIOCore
import ServiceLifecycle

/// lbd's HTTP server on `http.listen`, a service of `lbd run`'s group: read-only, GET and HEAD.
///
/// Serves the heartbeat file at `/load-balancing/<heartbeat_file>` (where golbd's standby reads
/// it), `/healthz`, `/readyz`, `/api/v1/instance` (an `InstanceStatus` as JSON) and the parts
/// given in `routes` (the JSON API, the metrics, the dashboards). Everything else is 404, another
/// method 405. With `http.token_file` every path but the heartbeat file, `/healthz` and
/// `/readyz` needs `Authorization: Bearer TOKEN` (`BearerTokenMiddleware`); with `http.tls` it
/// speaks HTTPS only.
///
/// It never stops the group: when it cannot listen (the address is in use, or not local) or
/// cannot read its token or certificate, it logs why and waits for the shutdown, serving
/// nothing; the rest of lbd keeps polling and publishing.
public struct HTTPService: Service {
    private let settings: HTTPSettings
    private let heartbeat: HeartbeatFileRoute
    private let sources: DaemonStatusSources
    private let logger: Logger
    private let onListening: @Sendable (Int) async -> Void
    private let routes: [any HTTPRoutes]
    private let security: HTTPSecurity?

    /// - Parameters:
    ///   - settings: `http.listen`, `token_file`, `tls`; with no `listen`, `run()` serves nothing
    ///     and waits for the shutdown.
    ///   - heartbeatDirectory: `ha.heartbeat_directory`.
    ///   - heartbeatFile: `ha.heartbeat_file`, the only file served.
    ///   - logger: the server's logger (it logs the address it listens on, or why it cannot).
    ///   - sources: what the server reads, asked at each request.
    ///   - routes: the other parts served (API, metrics, dashboards).
    ///   - onListening: told the port listened on once the server accepts connections (the port
    ///     the system chose when `listen` asks for port 0).
    ///   - security: the token and certificate `settings` name, when the caller already read them
    ///     (`lbd run` does at start, to refuse to start without them); nil reads them in `run()`.
    public init(
        settings: HTTPSettings, heartbeatDirectory: String, heartbeatFile: String, logger: Logger,
        sources: DaemonStatusSources, routes: [any HTTPRoutes] = [],
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }, security: HTTPSecurity? = nil
    ) {
        self.security = security
        self.routes = routes
        self.settings = settings
        self.heartbeat = HeartbeatFileRoute(directory: heartbeatDirectory, name: heartbeatFile)
        self.sources = sources
        self.logger = logger
        self.onListening = onListening
    }

    /// Serves until the graceful shutdown or the task's cancellation; never throws.
    public func run() async throws {
        guard let listen = settings.listen else {
            await waitForShutdown()
            return
        }
        let security: HTTPSecurity
        do {
            security = try self.security ?? HTTPSecurity.load(settings)
        } catch {
            logger.error(
                "HTTP server: \(error); lbd goes on without it (nothing is served on \(listen))",
                metadata: ["action": "http-listen-failed", "listen": "\(listen)"])
            await waitForShutdown()
            return
        }
        do {
            try await serve(on: listen, security: security)
        } catch {
            if Task.isCancelled { return }
            logger.error(
                "HTTP server: cannot listen on \(listen): \(error); lbd goes on without it (nothing is served on \(listen): no heartbeat file, API, metrics or dashboards)",
                metadata: ["action": "http-listen-failed", "listen": "\(listen)"])
        }
        // The group ends when every service has returned: until it is told to stop, stay.
        await waitForShutdown()
    }

    private func serve(on listen: ServerAddress, security: HTTPSecurity) async throws {
        let configuration = ApplicationConfiguration(address: .hostname(listen.host, port: listen.port))
        let onServerRunning: @Sendable (any Channel) async -> Void = { [onListening] channel in
            await onListening(channel.localAddress?.port ?? listen.port)
        }
        let router = makeRouter(security: security)
        if let tls = security.tls {
            let application = Application(
                router: router, server: try .tls(.http1(), tlsConfiguration: tls),
                configuration: configuration, onServerRunning: onServerRunning, logger: logger)
            try await application.run()
        } else {
            let application = Application(
                router: router, configuration: configuration, onServerRunning: onServerRunning,
                logger: logger)
            try await application.run()
        }
    }

    func makeRouter(security: HTTPSecurity = .none) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self, options: .autoGenerateHeadEndpoints)
        // First, so that it also answers requests no route matches (a POST anywhere is 405).
        router.add(
            middleware: ReadOnlyMiddleware(writable: { [routes] path in
                // Writes need the token, whatever a part says (`http.drains` asks for one).
                security.requiresToken && routes.contains { $0.allowsWrites(to: path) }
            }))
        router.add(middleware: BearerTokenMiddleware(security: security))
        heartbeat.add(to: router)
        router.get("healthz") { _, _ in
            Self.text(.ok, "ok\n")
        }
        router.get("readyz") { [sources] _, _ in
            if await sources.ready() { return Self.text(.ok, "ready\n") }
            let reason =
                await sources.notReadyReason()
                ?? "the first round is not complete or the published state is not loaded"
            return Self.text(.serviceUnavailable, "not ready: \(reason)\n")
        }
        router.get("api/v1/instance") { [sources] _, _ in
            let body = try InstanceStatus.makeEncoder().encode(await sources.instance())
            return Response(
                status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
        for part in routes { part.add(to: router) }
        return router
    }

    private static func text(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(
            status: status, headers: [.contentType: "text/plain", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    private func waitForShutdown() async {
        // Returns on the graceful shutdown; throws on cancellation: both mean stop.
        try? await gracefulShutdown()
    }
}

/// Answers 405 to any method but GET and HEAD: lbd's HTTP server changes nothing, but for the
/// paths `writable` lets through (the drains, when `http.drains` is on).
struct ReadOnlyMiddleware<Context: RequestContext>: RouterMiddleware {
    var writable: @Sendable (String) -> Bool = { _ in false }

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard request.method == .get || request.method == .head || writable(request.uri.path) else {
            throw HTTPError(
                .methodNotAllowed, headers: [.allow: "GET, HEAD"], message: "read-only: GET or HEAD\n")
        }
        return try await next(request, context)
    }
}
