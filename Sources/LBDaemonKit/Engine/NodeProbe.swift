import LBCore
import NIOCore
import SNMP

/// Asks one address of a node for its load report. The engine polls through this seam so that
/// tests can answer without sockets.
public protocol NodeProbe: Sendable {
    func poll(_ address: SocketAddress) async -> AddressReply
}

/// Polls over SNMP with lbd's configured version, credentials, port, timeout and retries: a GET
/// of the load report OID, whose INTEGER or OCTET STRING is the reply.
public struct SNMPNodeProbe: NodeProbe {
    private let client: SNMPClient
    private let credentials: SNMPCredentials
    private let timeout: Duration
    private let retries: Int
    private let oid = OID(loadReportOID)!

    public init(client: SNMPClient, settings: SNMPSettings) {
        self.client = client
        self.credentials = Self.credentials(settings)
        self.timeout = .milliseconds(Int((settings.timeout * 1000).rounded()))
        self.retries = settings.retries
    }

    /// The credentials `settings` describe: a community for v1/v2c, a USM user for v3.
    public static func credentials(_ settings: SNMPSettings) -> SNMPCredentials {
        guard settings.version == .v3 else {
            return .community(settings.community, version: settings.version)
        }
        let authentication = settings.authPassword.map {
            USMUser.Authentication(settings.authProtocol, password: $0)
        }
        let privacy = settings.privPassword.map { USMUser.Privacy(settings.privProtocol, password: $0) }
        return .user(USMUser(name: settings.user, authentication: authentication, privacy: privacy))
    }

    public func poll(_ address: SocketAddress) async -> AddressReply {
        do {
            let bindings = try await client.get(
                [oid], from: address, credentials: credentials, timeout: timeout, retries: retries)
            return Self.reply(bindings.first?.value ?? .null)
        } catch let error as SNMPClientError {
            if case .timeout = error { return .noAnswer }
            return .failure(error.description)
        } catch {
            return .failure("\(error)")
        }
    }

    /// What a value means to lbd: an INTEGER (or another number type, as golbd read them) is one
    /// load, an OCTET STRING per-alias loads, anything else a failure naming the type.
    static func reply(_ value: SNMPValue) -> AddressReply {
        switch value {
        case .integer(let load): return .integer(Int(load))
        case .gauge32(let load), .counter32(let load), .timeTicks(let load): return .integer(Int(load))
        case .octetString(let bytes): return .text(String(decoding: bytes, as: UTF8.self))
        case .noSuchObject, .noSuchInstance:
            return .failure("\(value.typeName): the node does not serve \(loadReportOID)")
        default: return .failure("the node returned an unexpected type \(value.typeName)")
        }
    }
}
