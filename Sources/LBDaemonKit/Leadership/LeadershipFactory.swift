import Logging

/// The leadership a configuration asks for.
public enum LeadershipFactory {
    /// `ha.mode`'s leadership for this instance. Throws when the settings cannot make one (a
    /// heartbeat URL or lease URL that does not parse, an unreadable password file).
    public static func make(_ configuration: Configuration, instance: String, logger: Logger) throws
        -> any Leadership
    {
        let ha = configuration.ha
        switch ha.mode {
        case .standalone:
            return StandaloneLeadership(instance: instance)
        case .heartbeat:
            return try HeartbeatLeadership(settings: ha, instance: instance, logger: logger)
        case .lease:
            return try LeaseLeadership(
                settings: ha.lease, partition: configuration.partition ?? AliasConfiguration.defaultPartition,
                instance: instance, logger: logger)
        }
    }

    /// Whether the embedded zone is gated: only when a standby has a peer to follow.
    public static func embeddedRole(_ configuration: Configuration) -> EngineFactory.EmbeddedRole {
        configuration.ha.mode != .standalone && configuration.ha.peerDNS != nil
            ? .gatedByLeadership : .alwaysPublishes
    }
}
