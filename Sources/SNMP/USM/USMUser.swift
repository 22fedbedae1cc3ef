/// An SNMPv3 user of the User-based Security Model: a name and, for authNoPriv and authPriv,
/// the protocols and passwords.
public struct USMUser: Hashable, Sendable {
    public struct Authentication: Hashable, Sendable {
        public var method: AuthenticationProtocol
        public var password: String

        public init(_ method: AuthenticationProtocol, password: String) {
            self.method = method
            self.password = password
        }
    }

    public struct Privacy: Hashable, Sendable {
        public var method: PrivacyProtocol
        public var password: String

        public init(_ method: PrivacyProtocol, password: String) {
            self.method = method
            self.password = password
        }
    }

    public var name: String
    public var authentication: Authentication?
    /// Only with `authentication`: SNMPv3 has no privacy without it.
    public var privacy: Privacy?

    public init(name: String, authentication: Authentication? = nil, privacy: Privacy? = nil) {
        precondition(privacy == nil || authentication != nil, "USM privacy needs authentication")
        self.name = name
        self.authentication = authentication
        self.privacy = privacy
    }

    public var securityLevel: SecurityLevel {
        guard authentication != nil else { return .noAuthNoPriv }
        return privacy == nil ? .authNoPriv : .authPriv
    }

    var flags: SNMPv3Message.Flags {
        switch securityLevel {
        case .noAuthNoPriv: return []
        case .authNoPriv: return [.authenticated]
        case .authPriv: return [.authenticated, .privacy]
        }
    }
}
