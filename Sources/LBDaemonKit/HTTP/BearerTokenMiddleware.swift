import Hummingbird

/// Asks for `Authorization: Bearer TOKEN` on every path but the open ones, when a token is
/// configured: 401 with `WWW-Authenticate` (RFC 6750) otherwise.
///
/// Open without a token: the heartbeat file (golbd's standby reads it without credentials),
/// `/healthz` and `/readyz` (probes of load balancers and service managers). They say nothing
/// an attacker could use: a host name and a time, "ok", "ready".
struct BearerTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let security: HTTPSecurity

    /// The paths served without a token.
    static func isOpen(_ path: String) -> Bool {
        path == "/healthz" || path == "/readyz" || path.hasPrefix("/\(HeartbeatFileRoute.prefix)/")
    }

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard security.requiresToken, !Self.isOpen(request.uri.path) else {
            return try await next(request, context)
        }
        let header = request.headers[.authorization]
        guard security.accepts(authorization: header) else {
            // RFC 6750 section 3: no credentials get the challenge alone, wrong ones an error.
            let challenge =
                header == nil
                ? "Bearer realm=\"lbd\"" : "Bearer realm=\"lbd\", error=\"invalid_token\""
            throw HTTPError(
                .unauthorized, headers: [.wwwAuthenticate: challenge],
                message: header == nil
                    ? "a bearer token is required: Authorization: Bearer TOKEN (the content of http.token_file)\n"
                    : "the bearer token is not the one in http.token_file\n")
        }
        return try await next(request, context)
    }
}
