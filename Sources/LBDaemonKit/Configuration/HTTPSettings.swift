/// lbd's HTTP endpoint: JSON API, status pages, metrics, heartbeat.
///
/// Not implemented yet: nothing listens, so the default is off and a `listen` address that is set
/// raises a warning (see `Configuration.notImplementedWarnings`).
public struct HTTPSettings: Hashable, Sendable {
    /// Where to listen; `nil` (the default until the endpoint exists) turns the endpoint off.
    public var listen: ServerAddress?

    public init(listen: ServerAddress? = nil) {
        self.listen = listen
    }
}
