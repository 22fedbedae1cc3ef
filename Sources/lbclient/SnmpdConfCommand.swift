import ArgumentParser
import Foundation
import LBClientKit

/// `lbclient snmpd-conf`: prints the snmpd.conf lines a node needs.
struct SnmpdConfCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snmpd-conf",
        abstract: "Print the snmpd.conf lines that make snmpd answer lbd with lbclient's value.")

    @Option(
        help:
            "How snmpd runs lbclient: pass-persist (one long-running lbclient, recommended) or pass (one per request)."
    )
    var mode: SnmpdConfSnippet.Mode = .passPersist

    @Option(help: "The lbclient command snmpd runs, with its options.")
    var command = "/usr/sbin/lbclient"

    @Option(help: "The SNMPv3 user lbd polls as.")
    var user = "loadbalancing"

    @Option(name: .customLong("auth-protocol"), help: "MD5 (golbd's), SHA, SHA-256, SHA-384 or SHA-512.")
    var authenticationProtocol = "MD5"

    @Option(help: "The user's password, lbd's SNMP password (default: none, a placeholder is printed).")
    var password: String?

    @Option(help: "Also allow this SNMPv2c community (default: none, v3 only).")
    var community: String?

    @Option(
        name: .customLong("community-source"),
        help: "Addresses the community is accepted from, e.g. 10.0.0.0/8.")
    var communitySource = "default"

    /// `--notify` (and its companions, passed on), with `--snmp-config` naming the file the
    /// pass_persist lbclient reads the user from. One group with the top-level command's, which
    /// reads options written after `snmpd-conf` (see ``CacheTimeOption``).
    @OptionGroup var notify: NotifyOptions

    func validate() throws {
        if !notify.receivers.isEmpty && mode != .passPersist {
            throw ValidationError(
                "--notify needs --mode pass-persist: a `pass` lbclient does not keep running")
        }
        for value in notify.receivers + [notify.snmpConfig ?? ""]
        where value.contains(where: { $0 == " " || $0.isNewline }) {
            throw ValidationError("`\(value)` cannot hold a blank in a pass_persist line")
        }
        for (name, value) in [("--password", password), ("--user", user), ("--community", community)] {
            if let value, let problem = SnmpdConfSnippet.problem(with: value) {
                throw ValidationError("\(name) \(problem)")
            }
        }
        if let password, password.count < AgentAccessFile.minimumPasswordLength {
            throw ValidationError(
                "net-snmp needs a password of at least \(AgentAccessFile.minimumPasswordLength) characters")
        }
    }

    func run() throws {
        let snippet = SnmpdConfSnippet(
            mode: mode, command: command, user: user, authenticationProtocol: authenticationProtocol,
            password: password, community: community, communitySource: communitySource,
            notify: notify.receivers,
            notifyConfig: notify.snmpConfig ?? "/etc/lbclient/notify.conf")
        print(snippet.text, terminator: "")
    }
}

extension SnmpdConfSnippet.Mode: ExpressibleByArgument {}
