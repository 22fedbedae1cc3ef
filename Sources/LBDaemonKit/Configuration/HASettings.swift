/// How two lbd instances of a partition share the publishing.
public struct HASettings: Hashable, Sendable {
    public enum Mode: String, CaseIterable, Hashable, Sendable {
        /// This instance always publishes.
        case standalone
        /// golbd's pairing: the master publishes and writes a heartbeat file; the standby publishes
        /// only when the master's heartbeat is missing, wrong or older than `takeoverAfter`.
        case heartbeat
        /// A PostgreSQL lease per partition: only its holder publishes, and every UPDATE carries
        /// the lease's fencing token.
        case lease
    }

    public var mode: Mode
    /// The host name of the instance that publishes while it is alive (heartbeat mode).
    public var master: String?
    /// The directory the heartbeat file is written to.
    public var heartbeatDirectory: String
    public var heartbeatFile: String
    /// Where the standby reads the master's heartbeat; nil means golbd's
    /// `http://<master>/load-balancing/<heartbeat_file>`.
    public var heartbeatURL: String?
    /// Seconds without a fresh master heartbeat before the standby publishes.
    public var takeoverAfter: Double
    /// Seconds the master's heartbeat must stay fresh before a standby that took over hands back,
    /// so that a flapping link does not make the two take turns.
    public var holdDown: Double
    /// Where a standby with the embedded DNS server transfers the active's zones from
    /// (`HOST[:PORT]`, the peer's `dns.embedded.listen`); nil: it serves its own decisions.
    public var peerDNS: ServerAddress?
    /// The PostgreSQL lease (lease mode).
    public var lease: LeaseSettings

    public init(
        mode: Mode = .standalone, master: String? = nil, heartbeatDirectory: String = "/var/lib/lbd",
        heartbeatFile: String = "heartbeat", heartbeatURL: String? = nil, takeoverAfter: Double = 30,
        holdDown: Double = 60, peerDNS: ServerAddress? = nil, lease: LeaseSettings = LeaseSettings()
    ) {
        self.mode = mode
        self.master = master
        self.heartbeatDirectory = heartbeatDirectory
        self.heartbeatFile = heartbeatFile
        self.heartbeatURL = heartbeatURL
        self.takeoverAfter = takeoverAfter
        self.holdDown = holdDown
        self.peerDNS = peerDNS
        self.lease = lease
    }

    /// The URL the standby reads: `heartbeat_url`, else golbd's.
    public var effectiveHeartbeatURL: String? {
        if let heartbeatURL { return heartbeatURL }
        guard let master else { return nil }
        return "http://\(master)/load-balancing/\(heartbeatFile)"
    }
}

/// The PostgreSQL lease of `ha.mode: lease`.
public struct LeaseSettings: Hashable, Sendable {
    /// `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE`; never shown (it may hold a password).
    public var url: String?
    /// A file holding the password, instead of putting it in the URL.
    public var passwordFile: String?
    /// Seconds a lease lasts unless renewed; the holder renews at a third of it.
    public var ttl: Double
    /// The table of leases (created when missing).
    public var table: String

    public init(
        url: String? = nil, passwordFile: String? = nil, ttl: Double = 10, table: String = "lbd_lease"
    ) {
        self.url = url
        self.passwordFile = passwordFile
        self.ttl = ttl
        self.table = table
    }
}
