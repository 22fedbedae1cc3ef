import Foundation
import LBTestSupport

/// A node of the HA tests: a real `lbclient agent` on an address of the root namespace, answering
/// v2c `public` from 10.99.0.0/16 with `check nologin` and a constant load, evaluated afresh on
/// every GET (`--cache-time 0`), so that a drain shows at the next poll of either lbd.
final class HANode {
    let address: String
    let port: Int
    let directory: URL
    private var process: PeerProcess?

    /// A node on `address:port` answering `load` to the SNMP managers of `allowedFrom` (a
    /// subnet in snmpd.conf syntax) and 127.0.0.1.
    init(
        address: String, port: Int, load: Int, aliases: [String], allowedFrom: String = "10.99.0.0/16"
    ) throws {
        self.address = address
        self.port = port
        directory = try Peers.temporaryDirectory("ha-node-\(address)")
        try write("etc/lbclient.conf", "check nologin\nload constant \(load)\n")
        try write("etc/lbaliases", aliases.map { "lbalias=\($0)\n" }.joined())
        try write("access.conf", "rocommunity public \(allowedFrom)\nrocommunity public 127.0.0.1\n")
        try start()
    }

    func start() throws {
        process = try PeerProcess(
            try LBClientExecutable.path(),
            [
                "agent", "--listen", "\(address):\(port)", "--snmp-config", path("access.conf"), "--cm",
                path("etc"), "--ca", path("etc/lbaliases"), "--root", directory.path, "--cache-time", "0",
                "--log-file", path("agent.log"),
            ])
        try waitUntilAnswering()
    }

    /// `check nologin` fails from the next poll on, as when an operator drains the node.
    func drain() throws { try write("etc/nologin", "draining\n") }

    func undrain() {
        try? FileManager.default.removeItem(at: directory.appendingPathComponent("etc/nologin"))
    }

    func stop() {
        process?.stop()
        process = nil
    }

    private func waitUntilAnswering() throws {
        guard let snmpget = Peers.find("snmpget") else { throw PeerError("snmpget is not installed") }
        var last = ""
        for _ in 0..<50 {
            let probe = try Peers.run(
                snmpget,
                [
                    "-v2c", "-c", "public", "-On", "-t", "0.2", "-r", "0", "\(address):\(port)",
                    ".1.3.6.1.4.1.96.255.1",
                ],
                timeout: 5)
            last = probe.output + probe.errors
            if probe.status == 0, probe.output.contains("INTEGER") { return }
            usleep(100_000)
        }
        throw PeerError(
            "lbclient agent on \(address):\(port) does not answer: \(last) \(process?.errorOutput ?? "")")
    }

    private func path(_ relative: String) -> String { directory.appendingPathComponent(relative).path }

    private func write(_ relative: String, _ contents: String) throws {
        let file = directory.appendingPathComponent(relative)
        try FileManager.default.createDirectory(
            at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try contents.write(to: file, atomically: true, encoding: .utf8)
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }
}
