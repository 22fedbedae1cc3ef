import SNMP

/// How lbd polls nodes.
///
/// The defaults are golbd's identity: SNMPv3, user `loadbalancing`, HMAC-MD5 authentication, no
/// privacy, port 161.
public struct SNMPSettings: Hashable, Sendable {
    public var version: SNMPVersion
    public var port: Int
    /// The v2c community.
    public var community: String
    /// The v3 user name.
    public var user: String
    public var authProtocol: AuthenticationProtocol
    /// `nil` means no authentication (noAuthNoPriv).
    public var authPassword: String?
    public var privProtocol: PrivacyProtocol
    /// `nil` means no privacy.
    public var privPassword: String?
    /// Seconds to wait for one answer.
    public var timeout: Double
    /// Extra attempts after a timeout.
    public var retries: Int
    /// The most requests in flight at once, over all nodes.
    public var concurrency: Int
    /// The push listener (`snmp.notifications`); off by default.
    public var notifications = SNMPNotificationSettings()

    public init(
        version: SNMPVersion = .v3, port: Int = 161, community: String = "public",
        user: String = "loadbalancing",
        authProtocol: AuthenticationProtocol = .md5, authPassword: String? = nil,
        privProtocol: PrivacyProtocol = .aes128,
        privPassword: String? = nil, timeout: Double = 2, retries: Int = 2, concurrency: Int = 1000
    ) {
        self.version = version
        self.port = port
        self.community = community
        self.user = user
        self.authProtocol = authProtocol
        self.authPassword = authPassword
        self.privProtocol = privProtocol
        self.privPassword = privPassword
        self.timeout = timeout
        self.retries = retries
        self.concurrency = concurrency
    }

    /// The USM security level the v3 credentials give.
    public var securityLevel: SecurityLevel {
        guard authPassword != nil else { return .noAuthNoPriv }
        return privPassword == nil ? .authNoPriv : .authPriv
    }
}
