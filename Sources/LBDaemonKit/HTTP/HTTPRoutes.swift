import Hummingbird

/// One part of what lbd's HTTP server serves (the API, `/metrics`, the dashboards): each adds
/// its routes to the server's router, so that the server itself knows none of them.
public protocol HTTPRoutes: Sendable {
    func add(to router: Router<BasicRequestContext>)
    /// Whether the part takes writes (POST, DELETE) at `path` (`http.drains`).
    func allowsWrites(to path: String) -> Bool
}

extension HTTPRoutes {
    /// Whether the part takes writes (POST, DELETE) at `path`; none does unless it says so,
    /// and the server lets them through only when it asks for a token.
    public func allowsWrites(to path: String) -> Bool { false }
}
