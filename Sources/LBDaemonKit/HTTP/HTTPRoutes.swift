import Hummingbird

/// One part of what lbd's HTTP server serves (the API, `/metrics`, the dashboards): each adds
/// its routes to the server's router, so that the server itself knows none of them.
public protocol HTTPRoutes: Sendable {
    func add(to router: Router<BasicRequestContext>)
}
