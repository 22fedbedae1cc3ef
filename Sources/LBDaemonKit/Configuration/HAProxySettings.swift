/// How lbd drives one alias's HAProxy backend (`haproxy:` in an alias of the native format):
/// where HAProxy's runtime API listens, which backend holds the alias's members, and how loads
/// become weights.
///
/// Invariant: a value from the configuration loader is valid (a backend name HAProxy accepts,
/// `weights.minimum <= weights.maximum` within 1...256, a port).
public struct HAProxySettings: Hashable, Sendable {
    /// The runtime API socket (`stats socket ... level admin`).
    public var socket: HAProxySocket
    /// The backend whose servers stand for the alias's members.
    public var backend: String
    public var weights: HAProxyWeightMapping
    /// The port of the servers lbd adds (`add server B/S ADDR:PORT`).
    public var serverPort: Int
    /// The prefix of the names of the servers lbd creates: lbd adds, drives and deletes only
    /// servers whose name starts with it, and leaves every other server of the backend alone.
    public var serverPrefix: String
    /// How long one exchange with the runtime API may take, in seconds.
    public var timeout: Double

    public static let defaultServerPrefix = "lbd-"

    public init(
        socket: HAProxySocket, backend: String, weights: HAProxyWeightMapping = HAProxyWeightMapping(),
        serverPort: Int = 80, serverPrefix: String = HAProxySettings.defaultServerPrefix, timeout: Double = 2
    ) {
        self.socket = socket
        self.backend = backend
        self.weights = weights
        self.serverPort = serverPort
        self.serverPrefix = serverPrefix
        self.timeout = timeout
    }
}
