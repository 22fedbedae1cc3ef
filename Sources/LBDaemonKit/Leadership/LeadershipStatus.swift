import Foundation

/// What the leadership can say about itself: for the logs, `lbd status` and the API.
public struct LeadershipStatus: Hashable, Sendable, Codable {
    /// `standalone`, `heartbeat` or `lease`.
    public var mode: String
    public var role: LeadershipRole
    /// This instance's name (`--instance-name`, else the host name).
    public var instance: String
    /// The other instance, as far as known: the master's name, the lease holder, or nil.
    public var peer: String?
    /// Since when the role is held (wall clock).
    public var since: Date?
    /// Seconds since the peer's last heartbeat was written, or since the lease was last renewed.
    public var age: Double?
    /// The lease's fencing token while held.
    public var fencingToken: Int64?
    /// Why the role is what it is, in a sentence.
    public var reason: String

    public init(
        mode: String, role: LeadershipRole, instance: String, peer: String? = nil, since: Date? = nil,
        age: Double? = nil, fencingToken: Int64? = nil, reason: String
    ) {
        self.mode = mode
        self.role = role
        self.instance = instance
        self.peer = peer
        self.since = since
        self.age = age
        self.fencingToken = fencingToken
        self.reason = reason
    }
}
