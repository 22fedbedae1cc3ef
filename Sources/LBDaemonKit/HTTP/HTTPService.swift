import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// lbd's HTTP server on `http.listen`, a service of `lbd run`'s group: read-only, GET and HEAD.
///
/// Serves the heartbeat file at `/load-balancing/<heartbeat_file>` (where golbd's standby reads
/// it), `/healthz`, and `/api/v1/instance` (an `InstanceStatus` as JSON). Everything else is 404,
/// another method 405.
///
/// It never stops the group: when it cannot listen (the address is in use, or not local) it logs
/// why, naming the address, and waits for the shutdown; the rest of lbd keeps polling and
/// publishing.
public struct HTTPService: Service {
    private let settings: HTTPSettings
    private let heartbeat: HeartbeatFileRoute
    private let status: @Sendable () async -> InstanceStatus
    private let logger: Logger
    private let onListening: @Sendable (Int) async -> Void
    private let routes: [any HTTPRoutes]

    /// - Parameters:
    ///   - settings: `http.listen`; with none, `run()` serves nothing and waits for the shutdown.
    ///   - heartbeatDirectory: `ha.heartbeat_directory`.
    ///   - heartbeatFile: `ha.heartbeat_file`, the only file served.
    ///   - logger: the server's logger (it logs the address it listens on, or why it cannot).
    ///   - status: what `/api/v1/instance` answers, asked at each request.
    ///   - onListening: told the port listened on once the server accepts connections (the port
    ///     the system chose when `listen` asks for port 0).
    ///   - routes: the other parts served (API, metrics, dashboards).
    public init(
        settings: HTTPSettings, heartbeatDirectory: String, heartbeatFile: String, logger: Logger,
        status: @escaping @Sendable () async -> InstanceStatus,
        routes: [any HTTPRoutes] = [],
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) {
        self.routes = routes
        self.settings = settings
        self.heartbeat = HeartbeatFileRoute(directory: heartbeatDirectory, name: heartbeatFile)
        self.status = status
        self.logger = logger
        self.onListening = onListening
    }

    /// Serves until the graceful shutdown or the task's cancellation; never throws.
    public func run() async throws {
        guard let listen = settings.listen else {
            await waitForShutdown()
            return
        }
        let application = Application(
            router: makeRouter(),
            configuration: ApplicationConfiguration(address: .hostname(listen.host, port: listen.port)),
            onServerRunning: { [onListening] channel in
                await onListening(channel.localAddress?.port ?? listen.port)
            },
            logger: logger)
        do {
            try await application.run()
        } catch {
            if Task.isCancelled { return }
            logger.error(
                "HTTP server: cannot listen on \(listen): \(error); lbd goes on without it (heartbeat file, /healthz and /api/v1/instance are not served)",
                metadata: ["action": "http-listen-failed", "listen": "\(listen)"])
        }
        // The group ends when every service has returned: until it is told to stop, stay.
        await waitForShutdown()
    }

    func makeRouter() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self, options: .autoGenerateHeadEndpoints)
        // First, so that it also answers requests no route matches (a POST anywhere is 405).
        router.add(middleware: ReadOnlyMiddleware())
        heartbeat.add(to: router)
        router.get("healthz") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(string: "ok\n")))
        }
        router.get("api/v1/instance") { [status] _, _ in
            let body = try InstanceStatus.makeEncoder().encode(await status())
            return Response(
                status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
        for part in routes { part.add(to: router) }
        return router
    }

    private func waitForShutdown() async {
        // Returns on the graceful shutdown; throws on cancellation: both mean stop.
        try? await gracefulShutdown()
    }
}

/// Answers 405 to any method but GET and HEAD: lbd's HTTP server changes nothing.
struct ReadOnlyMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard request.method == .get || request.method == .head else {
            throw HTTPError(
                .methodNotAllowed, headers: [.allow: "GET, HEAD"], message: "read-only: GET or HEAD\n")
        }
        return try await next(request, context)
    }
}
