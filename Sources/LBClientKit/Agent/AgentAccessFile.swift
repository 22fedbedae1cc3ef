import LBCore
import SNMP

/// Who may query lbclient's own SNMP agent (`lbclient agent --snmp-config FILE`).
///
/// The syntax is the subset of snmpd.conf an operator already knows, read as net-snmp reads it,
/// so the lines can be copied from an existing snmpd configuration. Every restriction a line
/// states is enforced; a line or option the agent cannot enforce is an error, never ignored:
///
/// ```
/// rocommunity public 10.0.0.0/8                       # v1/v2c from IPv4 10/8 only
/// rocommunity6 public fd00::/8                        # v1/v2c from IPv6 fd00::/8 only
/// createUser loadbalancing MD5 "secret password"      # v3 user with its keys
/// rouser loadbalancing auth                           # ...which may read at authNoPriv or above
/// createUser monitor SHA-256 authpass123 AES privpass123
/// rouser monitor priv
/// engineID 0x8000006004deadbeef                       # optional, hex; default: a new random one
/// ```
///
/// As in net-snmp, `rocommunity` is for IPv4 senders and `rocommunity6` for IPv6 ones; a user
/// reads only with a `rouser` line (default level `auth`). An OID column must enclose the load
/// OID, the only object the agent serves.
public struct AgentAccessFile: Sendable, Hashable {
    /// Each community with a network it is accepted from, in file order.
    public var communities: [SNMPAgentAccess.CommunityGrant] = []
    public var users: [USMUser] = []
    /// The `rouser` lines: the lowest level each user may read at.
    public var userGrants: [SNMPAgentAccess.UserGrant] = []
    /// The engine ID, when the file fixes one.
    public var engineID: [UInt8]?

    public init(
        communities: [SNMPAgentAccess.CommunityGrant] = [], users: [USMUser] = [],
        userGrants: [SNMPAgentAccess.UserGrant] = [], engineID: [UInt8]? = nil
    ) {
        self.communities = communities
        self.users = users
        self.userGrants = userGrants
        self.engineID = engineID
    }

    /// net-snmp refuses shorter USM passwords, and so do we.
    public static let minimumPasswordLength = 8

    /// The distinct community names, for the agent's configuration.
    public var communityNames: [String] {
        var seen = Set<String>()
        return communities.map(\.community).filter { seen.insert($0).inserted }
    }

    /// The grants as the SNMP agent enforces them; `onRefusal` hears of every refused request.
    public func access(onRefusal: (@Sendable (SNMPAgentRefusal) -> Void)? = nil) -> SNMPAgentAccess {
        SNMPAgentAccess(communities: communities, users: userGrants, onRefusal: onRefusal)
    }

    /// Parses the file's text; every problem is reported with its line. `servedOID` is the only
    /// object the agent serves: an OID restriction must enclose it.
    public static func parse(
        _ text: String, path: String, servedOID: OID = OID(loadReportOID)!
    ) -> Result<AgentAccessFile, ClientConfigErrors> {
        var reader = AgentAccessReader(path: path, servedOID: servedOID)
        var lineNumber = 0
        for rawLine in textLines(text) {
            lineNumber += 1
            reader.read(rawLine, lineNumber: lineNumber)
        }
        return reader.finish()
    }
}
