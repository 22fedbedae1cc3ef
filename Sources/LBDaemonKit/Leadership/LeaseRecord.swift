/// A partition's lease row, as the database saw it.
public struct LeaseRecord: Hashable, Sendable {
    /// The instance that took it.
    public var holder: String
    /// Grows by one at each acquisition; every UPDATE of the holder carries it.
    public var token: Int64
    /// Seconds until it expires by the database's clock; negative once expired.
    public var remaining: Double

    public init(holder: String, token: Int64, remaining: Double) {
        self.holder = holder
        self.token = token
        self.remaining = remaining
    }
}

/// What an attempt to take a partition's lease gave.
public enum LeaseAcquisition: Hashable, Sendable {
    /// This instance holds it now with a new `token`, for `remaining` seconds by the database's
    /// clock.
    case acquired(token: Int64, remaining: Double)
    /// It is held and not expired; the row when it could be read in the same statement (nil
    /// when another instance took it at the same instant).
    case refused(current: LeaseRecord?)
}
