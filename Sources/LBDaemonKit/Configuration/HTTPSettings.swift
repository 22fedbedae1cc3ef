/// lbd's HTTP server (`HTTPService`): the heartbeat file golbd's standby reads, `/healthz`,
/// `/readyz`, the JSON API, the metrics and the dashboards. Read-only.
///
/// A server on another address than loopback must be guarded: by a bearer token
/// (`token_file`), by TLS, or both; the configuration is refused otherwise.
public struct HTTPSettings: Hashable, Sendable {
    /// The default address: loopback only, so that nothing is exposed unless asked.
    public static let defaultListen = ServerAddress(host: "127.0.0.1", port: 8080)

    /// A PEM certificate (chain) and its private key.
    public struct TLS: Hashable, Sendable {
        /// The PEM file of the certificate, then any intermediate certificates.
        public var certificate: String
        /// The PEM file of the private key.
        public var key: String

        public init(certificate: String, key: String) {
            self.certificate = certificate
            self.key = key
        }
    }

    /// Where to listen; `nil` (`listen: off`) turns the server off.
    public var listen: ServerAddress?
    /// A file holding the bearer token requests must carry (`Authorization: Bearer TOKEN`),
    /// read at start; nil: no token asked.
    public var tokenFile: String?
    /// Serve HTTPS with this certificate; nil: plain HTTP.
    public var tls: TLS?
    /// `drains: true`: the API takes drains (`POST`/`DELETE /api/v1/drains`, with the token).
    public var drains = false

    public init(
        listen: ServerAddress? = HTTPSettings.defaultListen, tokenFile: String? = nil, tls: TLS? = nil
    ) {
        self.listen = listen
        self.tokenFile = tokenFile
        self.tls = tls
    }

    /// Whether requests are guarded by a token or TLS.
    public var isGuarded: Bool { tokenFile != nil || tls != nil }

    /// Whether `host` names this machine's loopback only (127.0.0.0/8, ::1, localhost): a
    /// wildcard (`0.0.0.0`, `::`) or any other address is reachable from other machines.
    public static func isLoopback(_ host: String) -> Bool {
        let lowered = host.lowercased()
        if lowered == "localhost" || lowered == "::1" || lowered == "0:0:0:0:0:0:0:1" { return true }
        let octets = lowered.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }
}
