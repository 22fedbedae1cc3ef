import ArgumentParser
import LBCore
import LBDaemonKit
import NIOCore
import SNMP

struct ProbeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "GET a node's load (\(loadReportOID)) from each of its addresses, as lbd sees it.",
        discussion: """
            Prints one line per address: the value and its type, or the precise error. Exits 0 when \
            every address answered, 1 otherwise. Without --v2c or --v3-user, SNMPv3 user \
            loadbalancing is used, as golbd does, with --auth-pass required.
            """
    )

    @Argument(help: "The node: a host name or an IPv4/IPv6 address.")
    var node: String

    @Option(help: "The agent's UDP port.")
    var port = 161

    @Option(name: .customLong("v2c"), help: "Use SNMP v2c with this community.")
    var community: String?

    @Option(name: .customLong("v3-user"), help: "Use SNMPv3 with this user (default: loadbalancing).")
    var user: String?

    @Option(name: .customLong("auth-proto"), help: "md5, sha, sha256, sha384 or sha512.")
    var authProtocol = "md5"

    @Option(name: .customLong("auth-pass"), help: "The v3 authentication password (none: noAuthNoPriv).")
    var authPassword: String?

    @Option(name: .customLong("priv-proto"), help: "aes (AES-128-CFB).")
    var privProtocol = "aes"

    @Option(name: .customLong("priv-pass"), help: "The v3 privacy password (none: no privacy).")
    var privPassword: String?

    @Option(help: "Seconds to wait for each answer.")
    var timeout = 2.0

    @Option(help: "Attempts after a timeout.")
    var retries = 1

    func validate() throws {
        if community != nil, user != nil || authPassword != nil || privPassword != nil {
            throw ValidationError("give either --v2c or the v3 options, not both")
        }
        if AuthenticationProtocol(name: authProtocol) == nil {
            throw ValidationError(
                "unknown --auth-proto '\(authProtocol)': md5, sha, sha256, sha384 or sha512")
        }
        if PrivacyProtocol(name: privProtocol) == nil {
            throw ValidationError("unknown --priv-proto '\(privProtocol)': aes")
        }
        if privPassword != nil, authPassword == nil {
            throw ValidationError(
                "--priv-pass needs --auth-pass: SNMPv3 has no privacy without authentication")
        }
        if authPassword?.isEmpty == true || privPassword?.isEmpty == true {
            throw ValidationError("SNMPv3 passwords cannot be empty (net-snmp needs at least 8 characters)")
        }
        if !(1...65_535).contains(port) { throw ValidationError("--port must be from 1 to 65535") }
        if !(timeout > 0 && timeout <= 300) {
            throw ValidationError("--timeout must be from 0 to 300 seconds")
        }
    }

    func run() async throws {
        let credentials = makeCredentials()
        let addresses: [SocketAddress]
        do {
            addresses = try await HostResolver.addresses(of: node, port: port)
        } catch {
            printToStandardError("\(node): cannot resolve: \(error)")
            throw ExitCode(1)
        }
        let client = try await SNMPClient.start()
        let oid = OID(loadReportOID)!
        var answered = 0
        for address in addresses {
            let label = address.ipAddress ?? "\(address)"
            do {
                let values = try await client.get(
                    [oid], from: address, credentials: credentials,
                    timeout: .milliseconds(Int(timeout * 1000)),
                    retries: retries)
                print("\(label): \(Self.describe(values.first?.value ?? .null))")
                answered += 1
            } catch {
                print("\(label): error: \(error)")
            }
        }
        await client.shutdown()
        if answered < addresses.count { throw ExitCode(1) }
    }

    private func makeCredentials() -> SNMPCredentials {
        if let community { return .community(community) }
        let authentication = authPassword.map {
            USMUser.Authentication(AuthenticationProtocol(name: authProtocol)!, password: $0)
        }
        let privacy = privPassword.map { USMUser.Privacy(PrivacyProtocol(name: privProtocol)!, password: $0) }
        return .user(USMUser(name: user ?? "loadbalancing", authentication: authentication, privacy: privacy))
    }

    /// The value as lbd reads it: an INTEGER is one load, an OCTET STRING per-alias loads.
    static func describe(_ value: SNMPValue) -> String {
        switch value {
        case .integer(let load):
            return "INTEGER \(load) (" + (Load.isUsable(Int(load)) ? "usable load" : "not usable") + ")"
        case .octetString(let bytes):
            return "STRING \"\(String(decoding: bytes, as: UTF8.self))\" (per-alias loads)"
        case .noSuchObject, .noSuchInstance:
            return
                "\(value.typeName): the agent does not serve \(loadReportOID) (is lbclient configured in snmpd?)"
        default:
            return "\(value.typeName): unexpected type, lbd ignores this node"
        }
    }
}
