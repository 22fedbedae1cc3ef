/// Who the client is to an agent: a v1/v2c community or a v3 USM user.
public enum SNMPCredentials: Hashable, Sendable {
    case community(String, version: SNMPVersion = .v2c)
    case user(USMUser)

    public var version: SNMPVersion {
        switch self {
        case .community(_, let version): return version
        case .user: return .v3
        }
    }
}
