import LBCore

/// The snmpd.conf lines a node needs so that snmpd answers lbd with lbclient's value.
public struct SnmpdConfSnippet: Sendable {
    /// How snmpd runs lbclient.
    public enum Mode: String, Sendable, CaseIterable {
        /// One long-running lbclient answering every request from its cache (recommended).
        case passPersist = "pass-persist"
        /// A new lbclient per request, as golbclient was run.
        case pass
    }

    public var mode: Mode
    /// The lbclient command snmpd runs, with any options (`/usr/sbin/lbclient --cm /etc/lb`).
    public var command: String
    /// The SNMPv3 user lbd polls as (golbd's `loadbalancing`).
    public var user: String
    public var authenticationProtocol: String
    /// The password, or nil to print a placeholder for the operator to fill in.
    public var password: String?
    /// A v2c community to allow as well, restricted to `communitySource`.
    public var community: String?
    public var communitySource: String
    /// lbd notification listeners (`--notify HOST[:PORT]`) the pass_persist lbclient tells of
    /// changes, with the user's `createUser` line read from `notifyConfig`.
    public var notify: [String]
    public var notifyConfig: String

    public init(
        mode: Mode = .passPersist, command: String = "/usr/sbin/lbclient", user: String = "loadbalancing",
        authenticationProtocol: String = "MD5", password: String? = nil, community: String? = nil,
        communitySource: String = "default", notify: [String] = [],
        notifyConfig: String = "/etc/lbclient/notify.conf"
    ) {
        self.notify = notify
        self.notifyConfig = notifyConfig
        self.mode = mode
        self.command = command
        self.user = user
        self.authenticationProtocol = authenticationProtocol
        self.password = password
        self.community = community
        self.communitySource = communitySource
    }

    /// The lines, with comments saying where each belongs.
    public var text: String {
        var lines: [String] = []
        lines.append("# lbclient: answer lbd's load OID (add to /etc/snmp/snmpd.conf, then restart snmpd)")
        switch mode {
        case .passPersist where !notify.isEmpty:
            let receivers = notify.map { "--notify \($0)" }.joined(separator: " ")
            lines.append(
                "pass_persist \(loadReportOID) \(command) --pass-persist \(receivers) --snmp-config \(notifyConfig) --notify-user \(user)"
            )
        case .passPersist:
            lines.append("pass_persist \(loadReportOID) \(command) --pass-persist")
        case .pass:
            lines.append("pass \(loadReportOID) \(command)")
        }
        lines.append(
            "# the SNMPv3 user lbd polls as; net-snmp moves createUser lines to /var/lib/snmp/snmpd.conf")
        lines.append(
            "createUser \(user) \(authenticationProtocol) \(quoted(password ?? "CHANGE-ME-same-as-lbd-snmp-password"))"
        )
        lines.append("rouser \(user) auth \(loadReportOID)")
        if mode == .passPersist && !notify.isEmpty {
            lines.append(
                "# also write the createUser and rouser lines above into \(notifyConfig) (mode 600, readable by snmpd's user):"
            )
            lines.append("# lbclient sends its INFORMs to lbd as that user")
        }
        if let community {
            lines.append("# SNMPv2c, for lbd configured with --v2c")
            lines.append("rocommunity \(quoted(community)) \(communitySource) \(loadReportOID)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `text` written so that net-snmp reads it back unchanged (quotes, backslashes and blanks
    /// escaped); a value no line can hold was refused by ``problem(with:)`` first.
    private func quoted(_ text: String) -> String {
        SnmpdConfWords.quoted(text) ?? "\"\""
    }

    /// Why `value` (a password, user or community) cannot be written in snmpd.conf, or `nil`.
    public static func problem(with value: String) -> String? {
        SnmpdConfWords.quoted(value) == nil
            ? "contains a line end or another control character, which no snmpd.conf line can hold" : nil
    }
}
