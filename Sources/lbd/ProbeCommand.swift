import ArgumentParser
import DNS
import LBCore
import LBDaemonKit
import NIOCore
import SNMP

struct ProbeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "GET a node's load (\(loadReportOID)) from each of its addresses, as lbd sees it.",
        discussion: """
            Prints one line per address: the value and its type, or the precise error and its code \
            (as in lbd's logs and JSON), read exactly as lbd reads it. Exits 0 when every address \
            gave a load, 1 otherwise. Without --v2c, SNMPv3 is used (user loadbalancing unless \
            --v3-user, as golbd does), and --auth-pass is required.
            """
    )

    @Argument(help: "The node: a host name or an IPv4/IPv6 address.")
    var node: String

    @Option(help: "The agent's UDP port.")
    var port = 161

    @Option(name: .customLong("v2c"), help: "Use SNMP v2c with this community (default: SNMPv3).")
    var community: String?

    @Option(name: .customLong("v3-user"), help: "Use SNMPv3 with this user (default: loadbalancing).")
    var user: String?

    @Option(name: .customLong("auth-proto"), help: "md5, sha, sha256, sha384 or sha512.")
    var authProtocol = "md5"

    @Option(name: .customLong("auth-pass"), help: "The v3 authentication password (required without --v2c).")
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
        if community == nil, authPassword == nil, privPassword == nil {
            throw ValidationError("SNMPv3 needs --auth-pass PASSWORD (or use --v2c COMMUNITY)")
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
        let addresses: [SocketAddress]
        do {
            addresses = try await HostResolver.addresses(of: node, port: port)
        } catch {
            printToStandardError("\(node): cannot resolve: \(error)")
            throw ExitCode(1)
        }
        let client = try await SNMPClient.start()
        // The engine's probe: the same credentials, OID check and reply classification as lbd.
        let probe = SNMPNodeProbe(
            client: client, credentials: makeCredentials(), timeout: .milliseconds(Int(timeout * 1000)),
            retries: retries)
        var answered = 0
        for address in addresses {
            let reply = await probe.poll(address)
            let label = NodeAddress(address)?.description ?? address.endpointDescription
            print("\(label): \(Self.describe(reply))")
            if case .failure = reply {} else { answered += 1 }
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

    /// The reply as lbd reads it: an INTEGER is one load, an OCTET STRING per-alias loads, and
    /// anything else the precise failure with its stable code.
    static func describe(_ reply: AddressReply) -> String {
        switch reply {
        case .integer(let load):
            return "INTEGER \(load) (" + (Load.isUsable(load) ? "usable load" : "not usable") + ")"
        case .text(let text):
            return "STRING \"\(text)\" (per-alias loads)"
        case .failure(let failure):
            let hint =
                switch failure {
                case .noSuchObject, .noSuchInstance, .endOfMibView: " (is lbclient configured in snmpd?)"
                default: ""
                }
            return "error: \(failure)\(hint) [\(failure.code)]"
        }
    }
}
