/// Whether this instance publishes.
public enum LeadershipRole: String, Hashable, Sendable, Codable {
    /// It publishes its decisions.
    case active
    /// It polls and decides but publishes nothing; it takes over when the active is gone.
    case standby
}
