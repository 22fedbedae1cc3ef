import Foundation
import LBTestSupport
import NIOCore

@testable import SNMP

/// A net-snmp `snmpd` started for one test on 127.0.0.1 and a free port, in a private directory,
/// with users and `pass`/`pass_persist` scripts; stopped by pid.
final class Snmpd {
    static let password = "password-md5"
    /// Users created in snmpd.conf: name -> credentials.
    static let users: [String: USMUser] = [
        "loadbalancing": USMUser(name: "loadbalancing", authentication: .init(.md5, password: password)),
        "shaaes": USMUser(
            name: "shaaes", authentication: .init(.sha1, password: "password-sha1"),
            privacy: .init(.aes128, password: "privacy-sha1")),
        "sha256aes": USMUser(
            name: "sha256aes", authentication: .init(.sha256, password: "password-sha256"),
            privacy: .init(.aes128, password: "privacy-sha256")),
        "sha512aes": USMUser(
            name: "sha512aes", authentication: .init(.sha512, password: "password-sha512"),
            privacy: .init(.aes128, password: "privacy-sha512")),
    ]

    let directory: URL
    let port: Int
    let process: PeerProcess

    var address: SocketAddress {
        get throws { try SocketAddress(ipAddress: "127.0.0.1", port: port) }
    }

    /// Starts snmpd; `passValue` is what the `pass` script prints for `.1.3.6.1.4.1.96.255.1`.
    init(passValue: String = "integer\n42") throws {
        directory = try Peers.temporaryDirectory("snmpd")
        port = try Peers.freeUDPPort()
        let pass = directory.appendingPathComponent("pass.sh")
        try """
        #!/bin/sh
        # net-snmp pass protocol: snmpd runs "pass.sh -g OID" and reads OID, type, value.
        [ "$1" = "-g" ] || exit 0
        case "$2" in
        .1.3.6.1.4.1.96.255.1) printf '%s\\n%b\\n' "$2" "\(passValue.replacingOccurrences(of: "\n", with: "\\n"))" ;;
        .1.3.6.1.4.1.96.255.2) printf '%s\\nstring\\n%s\\n' "$2" "a.example.org=5,b.example.org=-3" ;;
        esac
        """.write(to: pass, atomically: true, encoding: .utf8)
        let persist = directory.appendingPathComponent("persist.sh")
        try """
        #!/bin/sh
        # net-snmp pass_persist protocol on stdin/stdout.
        while read -r command; do
          case "$command" in
          PING) echo PONG ;;
          get) read -r oid
               if [ "$oid" = ".1.3.6.1.4.1.96.254.1" ]; then printf '%s\\ninteger\\n17\\n' "$oid"; else echo NONE; fi ;;
          getnext) read -r oid; echo NONE ;;
          set) read -r oid; read -r value; echo not-writable ;;
          *) exit 0 ;;
          esac
        done
        """.write(to: persist, atomically: true, encoding: .utf8)
        for script in [pass, persist] {
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
        }
        var config = """
            rocommunity public 127.0.0.1
            pass .1.3.6.1.4.1.96.255 \(pass.path)
            pass_persist .1.3.6.1.4.1.96.254 \(persist.path)

            """
        for (name, user) in Self.users.sorted(by: { $0.key < $1.key }) {
            let auth = user.authentication!
            let method = [
                AuthenticationProtocol.md5: "MD5", .sha1: "SHA", .sha256: "SHA-256", .sha512: "SHA-512",
            ][
                auth.method]!
            var line = "createUser \(name) \(method) \"\(auth.password)\""
            if let privacy = user.privacy { line += " AES \"\(privacy.password)\"" }
            config += line + "\nrouser \(name) \(user.privacy == nil ? "auth" : "priv")\n"
        }
        let configFile = directory.appendingPathComponent("snmpd.conf")
        try config.write(to: configFile, atomically: true, encoding: .utf8)
        guard let snmpd = Peers.find("snmpd") else { throw PeerError("snmpd is not installed") }
        process = try PeerProcess(
            snmpd, ["-f", "-Lo", "-C", "-c", configFile.path, "-I", "-smux", "udp:127.0.0.1:\(port)"],
            environment: [
                "SNMP_PERSISTENT_DIR": directory.appendingPathComponent("persist").path, "MIBS": "",
            ])
    }

    /// Waits until snmpd answers a v2c GET (it takes a moment to load), up to `seconds`.
    func waitUntilReady(client: SNMPClient, seconds: Double = 10) async throws {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if (try? await client.get(
                [OID("1.3.6.1.2.1.1.1.0")!], from: address, credentials: .community("public"),
                timeout: .milliseconds(200), retries: 0)) != nil
            {
                return
            }
            guard process.isRunning else {
                throw PeerError("snmpd exited: \(process.errorOutput)")
            }
        }
        throw PeerError("snmpd did not answer within \(seconds) s")
    }

    func stop() {
        process.stop()
        try? FileManager.default.removeItem(at: directory)
    }
}
