/// What the authoritative engines of this library (the agent, the notification listener) share:
/// the checks on their settings and how they count snmpEngineTime.
enum AuthoritativeEngine {
    /// The first thing wrong with an engine's settings, as an agent error code and a message
    /// saying what to fix; `nil` when they are valid.
    static func problem(engineID: [UInt8], engineBoots: Int32, users: [USMUser], port: Int) -> (
        SNMPAgentError.Code, String
    )? {
        guard (5...32).contains(engineID.count) else {
            return (
                .invalidEngineID, "the SNMP engine ID has \(engineID.count) octets; RFC 3411 needs 5 to 32"
            )
        }
        guard engineBoots >= 0 else {
            return (.invalidEngineBoots, "snmpEngineBoots is \(engineBoots); it must not be negative")
        }
        for user in users
        where user.authentication?.password.isEmpty == true || user.privacy?.password.isEmpty == true {
            return (.invalidUser, "the SNMPv3 user '\(user.name)' has an empty password")
        }
        guard (0...65_535).contains(port) else {
            return (.invalidPort, "UDP port \(port) is not in 0...65535")
        }
        return nil
    }

    /// snmpEngineTime: whole seconds from `start` to `now`, never negative.
    static func time(from start: ContinuousClock.Instant, to now: ContinuousClock.Instant) -> Int32 {
        Int32(clamping: max((now - start).components.seconds, 0))
    }
}
