import NIOCore

/// One notification a ``SNMPNotificationListener`` accepted: authenticated (v3) or with an
/// accepted community (v2c), well formed, and, for an INFORM, acknowledged.
///
/// Its content comes from the sender: a receiver that acts on it should treat it as a hint (re-poll
/// the node) rather than as data.
public struct SNMPNotification: Hashable, Sendable {
    /// Confirmed (InformRequest-PDU, answered with a Response-PDU) or not (SNMPv2-Trap-PDU).
    public enum Kind: String, Hashable, Sendable {
        case inform
        case trap
    }

    /// `sysUpTime.0` (RFC 3418), the first variable binding of every notification.
    public static let sysUpTimeOID = OID(".1.3.6.1.2.1.1.3.0")!
    /// `snmpTrapOID.0` (RFC 3418), the second variable binding: which notification this is.
    public static let snmpTrapOID = OID(".1.3.6.1.6.3.1.1.4.1.0")!

    /// The IP address and port the datagram came from.
    public var source: SocketAddress
    /// `.v2c` or `.v3`.
    public var version: SNMPVersion
    /// The USM user name (v3) or the community (v2c).
    public var securityName: String
    /// The level the message was sent at; always `.noAuthNoPriv` for v2c.
    public var securityLevel: SecurityLevel
    public var kind: Kind
    /// The sender's `sysUpTime.0`, in hundredths of a second.
    public var upTime: UInt32
    /// The value of `snmpTrapOID.0`: the notification's identity.
    public var oid: OID
    /// The variable bindings after `sysUpTime.0` and `snmpTrapOID.0`.
    public var variableBindings: [VariableBinding]

    public init(
        source: SocketAddress, version: SNMPVersion, securityName: String, securityLevel: SecurityLevel,
        kind: Kind, upTime: UInt32, oid: OID, variableBindings: [VariableBinding]
    ) {
        self.source = source
        self.version = version
        self.securityName = securityName
        self.securityLevel = securityLevel
        self.kind = kind
        self.upTime = upTime
        self.oid = oid
        self.variableBindings = variableBindings
    }

    /// The variable bindings of a notification PDU as RFC 3416 section 4.2.6 orders them.
    static func bindings(upTime: UInt32, oid: OID, _ rest: [VariableBinding]) -> [VariableBinding] {
        [
            VariableBinding(oid: sysUpTimeOID, value: .timeTicks(upTime)),
            VariableBinding(oid: snmpTrapOID, value: .objectIdentifier(oid)),
        ] + rest
    }

    /// The uptime, notification OID and other bindings of a received notification PDU; `nil`
    /// when the first two are not `sysUpTime.0` and `snmpTrapOID.0` with values of their types.
    static func parse(_ bindings: [VariableBinding]) -> (upTime: UInt32, oid: OID, rest: [VariableBinding])? {
        guard bindings.count >= 2, bindings[0].oid == sysUpTimeOID, bindings[1].oid == snmpTrapOID,
            case .timeTicks(let upTime) = bindings[0].value,
            case .objectIdentifier(let oid) = bindings[1].value
        else { return nil }
        return (upTime, oid, Array(bindings.dropFirst(2)))
    }
}
