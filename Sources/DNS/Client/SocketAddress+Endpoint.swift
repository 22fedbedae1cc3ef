import NIOCore

extension SocketAddress {
    /// How messages and logs name an address and port: `127.0.0.1:5353`, `[::1]:5353`, or the
    /// path of a Unix socket; never NIO's own `[IPv4]127.0.0.1/127.0.0.1:5353` form.
    public var endpointDescription: String {
        switch self {
        case .v4:
            return "\(ipAddress ?? "?"):\(port ?? 0)"
        case .v6:
            return "[\(ipAddress ?? "?")]:\(port ?? 0)"
        case .unixDomainSocket:
            return pathname ?? "unix socket"
        }
    }
}
