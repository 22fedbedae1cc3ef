/// lbd's HTTP server (`HTTPService`): the heartbeat file golbd's standby reads, `/healthz`, and
/// `/api/v1/instance` for `lbd status`. Read-only.
public struct HTTPSettings: Hashable, Sendable {
    /// The default address: loopback only, since nothing guards the server yet.
    public static let defaultListen = ServerAddress(host: "127.0.0.1", port: 8080)

    /// Where to listen; `nil` (`listen: off`) turns the server off.
    public var listen: ServerAddress?

    public init(listen: ServerAddress? = HTTPSettings.defaultListen) {
        self.listen = listen
    }
}
