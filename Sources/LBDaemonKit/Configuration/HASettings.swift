/// How two lbd instances of a partition share the publishing.
public struct HASettings: Hashable, Sendable {
    public enum Mode: String, CaseIterable, Hashable, Sendable {
        /// This instance always publishes.
        case standalone
        /// golbd's pairing: the master publishes and writes a heartbeat file; the standby publishes
        /// only when the master's heartbeat is missing or older than `takeoverAfter`.
        case heartbeat
    }

    public var mode: Mode
    /// The host name of the instance that publishes while it is alive (heartbeat mode).
    public var master: String?
    /// The directory the heartbeat file is written to (served by a web server for the standby).
    public var heartbeatDirectory: String
    public var heartbeatFile: String
    /// Seconds without a fresh master heartbeat before the standby publishes.
    public var takeoverAfter: Double

    public init(
        mode: Mode = .standalone, master: String? = nil, heartbeatDirectory: String = "/var/lib/lbd",
        heartbeatFile: String = "heartbeat", takeoverAfter: Double = 60
    ) {
        self.mode = mode
        self.master = master
        self.heartbeatDirectory = heartbeatDirectory
        self.heartbeatFile = heartbeatFile
        self.takeoverAfter = takeoverAfter
    }
}
