/// Why heartbeat mode cannot start with the configuration given.
public enum HeartbeatLeadershipError: Error, Hashable, Sendable, CustomStringConvertible {
    /// `ha.mode: heartbeat` without `ha.master`: nobody knows who publishes.
    case noMaster
    /// `ha.heartbeat_url` is not an http or https URL with a host.
    case invalidHeartbeatURL(String)
    /// `ha.heartbeat_file` is not a plain file name.
    case file(HeartbeatFileError)

    public var description: String {
        switch self {
        case .noMaster:
            return
                "ha.mode heartbeat needs ha.master: the name of the instance that publishes while it is alive (its host name or --instance-name)"
        case .invalidHeartbeatURL(let url):
            return
                "ha.heartbeat_url '\(url.prefix(200))' is not an http:// or https:// URL with a host, where the master's heartbeat file is served"
        case .file(let error):
            return error.description
        }
    }
}
