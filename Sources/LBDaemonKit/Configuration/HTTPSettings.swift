/// lbd's HTTP endpoint: JSON API, status pages, metrics, heartbeat.
public struct HTTPSettings: Hashable, Sendable {
    /// Where to listen; `nil` turns the endpoint off.
    public var listen: ServerAddress?

    public init(listen: ServerAddress? = ServerAddress(host: "127.0.0.1", port: 8080)) {
        self.listen = listen
    }
}
