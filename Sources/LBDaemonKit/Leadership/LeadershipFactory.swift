import Logging

/// The leadership a configuration asks for.
public enum LeadershipFactory {
    /// `ha.mode`'s leadership for this instance.
    public static func make(_ configuration: Configuration, instance: String, logger: Logger)
        -> any Leadership
    {
        switch configuration.ha.mode {
        case .standalone, .heartbeat, .lease:
            return StandaloneLeadership(instance: instance)
        }
    }

    /// Whether the embedded zone is gated: only when a standby has a peer to follow.
    public static func embeddedRole(_ configuration: Configuration) -> EngineFactory.EmbeddedRole {
        configuration.ha.mode != .standalone && configuration.ha.peerDNS != nil
            ? .gatedByLeadership : .alwaysPublishes
    }
}
