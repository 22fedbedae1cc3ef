import Foundation
import LBTestSupport

/// A load-balanced node as sites run one: net-snmp's `snmpd` bound to the node's own loopback
/// address, answering the load OID through `pass_persist` with the `lbclient` built next to the
/// tests, which reads a configuration directory and a system root of its own. The node's
/// processes run in one process group and are stopped by pid.
final class SnmpdNode {
    static let user = "loadbalancing"

    let address: String
    let port: Int
    /// What lbclient answers through snmpd, as snmpget prints it (`INTEGER: 10`, `STRING: ...`).
    private let answer: String
    let directory: URL
    private let password: String
    /// More options for the node's lbclient (`--notify ...`).
    private let lbclientArguments: [String]
    private var snmpd: PeerProcess?

    /// Writes the node's lbclient files (`check nologin`, `load constant load`, shared by every
    /// alias of `aliases` but those of `ownLoads`, which get a file of their own) and starts its
    /// snmpd on `address:port`, waiting until lbclient answers through it.
    init(
        address: String, port: Int, load: Int, ownLoads: [String: Int] = [:], aliases: [String],
        password: String, lbclientArguments: [String] = []
    ) throws {
        self.lbclientArguments = lbclientArguments
        answer = ownLoads.isEmpty ? "INTEGER: \(load)" : "STRING: "
        self.address = address
        self.port = port
        self.password = password
        directory = try Peers.temporaryDirectory("node-\(address)")
        try write("lb/lbclient.conf", "check nologin\nload constant \(load)\n")
        try write("lb/lbaliases", aliases.map { "lbalias=\($0)\n" }.joined())
        for (alias, own) in ownLoads {
            try write("lb/lbclient.conf.\(alias)", "check nologin\nload constant \(own)\n")
        }
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("root/etc"), withIntermediateDirectories: true)
        try write("snmpd/snmpd.conf", snmpdConfiguration())
        try startSnmpd()
    }

    /// Starts snmpd (again: with the engine boots it saved, as after a reboot) and waits until
    /// lbclient answers through it.
    func startSnmpd() throws {
        guard let program = Peers.find("snmpd") else { throw PeerError("snmpd is not installed") }
        snmpd = try PeerProcess(
            program,
            ["-f", "-Le", "-C", "-c", path("snmpd/snmpd.conf"), "-I", "-smux", "udp:\(address):\(port)"],
            environment: ["SNMP_PERSISTENT_DIR": path("snmpd/persist"), "MIBS": ""])
        do {
            try waitUntilAnswering()
        } catch {
            stop()
            throw error
        }
    }

    /// The node's snmpd.conf: its own engine ID (five agents share one host), golbd's SNMPv3
    /// user, and lbclient run once through `pass_persist` with no answer cache.
    private func snmpdConfiguration() throws -> String {
        let command = [
            try LBClientExecutable.path(), "--cm", path("lb"), "--ca", path("lb/lbaliases"), "--root",
            path("root"),
            "--cache-time", "0", "--pass-persist", "-d", "info", "--log-file", path("lbclient.log"),
        ]
        let lbclient = (command + lbclientArguments).joined(separator: " ")
        return """
            engineID lbnode-\(address)
            rocommunity public 127.0.0.0/8
            createUser \(Self.user) MD5 "\(password)"
            rouser \(Self.user) auth
            pass_persist .1.3.6.1.4.1.96.255.1 \(lbclient)

            """
    }

    /// Asks the load OID with SNMPv3 (lbd's credentials) until lbclient's answer comes back.
    private func waitUntilAnswering() throws {
        guard let snmpget = Peers.find("snmpget") else { throw PeerError("snmpget is not installed") }
        let deadline = Date().addingTimeInterval(15)
        var last = ""
        while Date() < deadline {
            guard snmpd?.isRunning == true else { break }
            let probe = try Peers.run(
                snmpget,
                [
                    "-v3", "-u", Self.user, "-l", "authNoPriv", "-a", "MD5", "-A", password, "-On", "-t",
                    "0.5",
                    "-r", "0", "\(address):\(port)", ".1.3.6.1.4.1.96.255.1",
                ], timeout: 5)
            last = probe.output + probe.errors
            if probe.status == 0, probe.output.contains(answer) { return }
            usleep(100_000)
        }
        throw PeerError(
            "snmpd on \(address):\(port) does not answer lbclient's load: \(last)\nsnmpd: "
                + "\(snmpd?.errorOutput.suffix(1500) ?? "")\nlbclient: \(lbclientLog.suffix(1500))")
    }

    /// What lbclient logged so far.
    var lbclientLog: String { (try? String(contentsOfFile: path("lbclient.log"), encoding: .utf8)) ?? "" }

    /// Makes the node's `check nologin` fail, as an operator draining it would.
    func drain() throws { try write("root/etc/nologin", "draining\n") }

    /// Stops snmpd and its lbclient: the node no longer answers.
    func stopSnmpd() {
        snmpd?.stop()
        snmpd = nil
    }

    /// Stops the node and removes its files.
    func stop() {
        stopSnmpd()
        try? FileManager.default.removeItem(at: directory)
    }

    private func path(_ relative: String) -> String { directory.appendingPathComponent(relative).path }

    @discardableResult
    private func write(_ relative: String, _ contents: String) throws -> String {
        let file = directory.appendingPathComponent(relative)
        try FileManager.default.createDirectory(
            at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try contents.write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }

    deinit { stop() }
}
