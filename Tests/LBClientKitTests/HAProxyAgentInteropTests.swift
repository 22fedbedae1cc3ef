import Foundation
import LBTestSupport
import Testing

@testable import LBClientKit

/// `lbclient agent --haproxy-agent` polled by a real HAProxy (Debian's 2.6): weights follow
/// loads, a failed check takes the server DOWN with the check named in HAProxy's stats, and
/// it comes back when the check passes again.
@Suite("lbclient as an HAProxy agent, with a real HAProxy", .serialized)
struct HAProxyAgentInteropTests {
    /// One node: its own root, configuration and `lbclient agent` process.
    struct Node {
        let root: String
        let agentPort: Int
        let agent: PeerProcess

        init(_ scratch: Scratch, name: String, load: Int, aliases: [String] = ["www.example.org"]) throws {
            root = scratch.path + "/" + name
            try scratch.write("\(name)/etc/lbaliases", aliases.map { "lbalias=\($0)\n" }.joined())
            try Self.setLoad(load, root: root)
            agentPort = try Peers.freeUDPAndTCPPort()
            agent = try PeerProcess(
                LBClientBinary.path,
                [
                    "agent", "--haproxy-agent", "127.0.0.1:\(agentPort)", "--cache-time", "0",
                    "--cm", root + "/etc", "--ca", root + "/etc/lbaliases", "--root", root,
                    "--log-file", root + "/agent.log",
                ])
        }

        static func setLoad(_ load: Int, root: String) throws {
            try "check nologin\nload constant \(load)\n".write(
                toFile: root + "/etc/lbclient.conf", atomically: true, encoding: .utf8)
        }

        func setLoad(_ load: Int) throws { try Self.setLoad(load, root: root) }

        func closeLogins() { FileManager.default.createFile(atPath: root + "/etc/nologin", contents: Data()) }

        func openLogins() { try? FileManager.default.removeItem(atPath: root + "/etc/nologin") }
    }

    /// Polls `show stat` and `show servers state` until `condition` holds for `server` (10 s).
    private func waitFor(
        _ haproxy: HAProxyPeer, _ server: String, _ what: String,
        until condition: (_ stat: [String: String], _ state: [String: String]) -> Bool
    ) throws {
        var stat: [String: String] = [:]
        var state: [String: String] = [:]
        for _ in 0..<100 {
            stat = try haproxy.serverStats(backend: "nodes")[server] ?? [:]
            state = try haproxy.serversState(backend: "nodes")[server] ?? [:]
            if condition(stat, state) { return }
            usleep(100_000)
        }
        Issue.record(
            "\(server) never became \(what): status \(stat["status"] ?? "?"), weight \(stat["weight"] ?? "?"), last_agt `\(stat["last_agt"] ?? "?")`, op_state \(state["srv_op_state"] ?? "?")"
        )
    }

    @Test func haproxyFollowsTheAgentsLoadsAndFailures() throws {
        guard Peers.available("haproxy") else { return }
        let scratch = try Scratch()
        defer { scratch.remove() }
        let light = try Node(scratch, name: "light", load: 10)
        defer { light.agent.stop() }
        let heavy = try Node(scratch, name: "heavy", load: 1000)
        defer { heavy.agent.stop() }
        let frontendPort = try Peers.freeUDPAndTCPPort()
        // Servers point at ports nobody listens on: without `check`, only the agent moves them.
        // light sends an empty agent-send line (the recommended setup), heavy none at all.
        let haproxy = try HAProxyPeer(
            sections: """
                frontend web
                    bind 127.0.0.1:\(frontendPort)
                    default_backend nodes
                backend nodes
                    # Without agent-send HAProxy delays the handshake's last ACK (about 200 ms on
                    # Linux), so heavy's checks need more than agent-inter to be answered.
                    timeout check 1s
                    server light 127.0.0.1:9 weight 100 agent-check agent-port \(light.agentPort) agent-inter 200ms agent-send "\\n"
                    server heavy 127.0.0.1:9 weight 100 agent-check agent-port \(heavy.agentPort) agent-inter 200ms
                    server named 127.0.0.1:9 weight 100 agent-check agent-port \(light.agentPort) agent-inter 200ms agent-send "WWW.example.org\\n"
                    server misnamed 127.0.0.1:9 weight 100 agent-check agent-port \(light.agentPort) agent-inter 200ms agent-send "nope.example.org\\n"
                """)
        defer { haproxy.stop() }
        try haproxy.waitUntilReady()

        // Weights follow loads: 10 gives 80%, 1000 gives 41% (LoadWeight's logarithmic scale).
        try waitFor(haproxy, "light", "weight 80") { stat, state in
            stat["weight"] == "80" && state["srv_op_state"] == "2"
        }
        try waitFor(haproxy, "heavy", "weight 41") { stat, _ in stat["weight"] == "41" }
        try waitFor(haproxy, "named", "weight 80 through agent-send") { stat, _ in stat["weight"] == "80" }
        try waitFor(haproxy, "misnamed", "DOWN for an unknown alias") { stat, state in
            state["srv_op_state"] == "0" && (stat["last_agt"] ?? "").contains("no alias nope.example.org")
        }

        // A failed check: DOWN, the check named in HAProxy's own stats.
        light.closeLogins()
        try waitFor(haproxy, "light", "DOWN naming nologin") { stat, state in
            state["srv_op_state"] == "0" && (stat["status"] ?? "").hasPrefix("DOWN")
                && (stat["last_agt"] ?? "").contains("down (nologin: /etc/nologin exists)")
        }
        try waitFor(haproxy, "named", "DOWN through agent-send") { _, state in state["srv_op_state"] == "0" }
        #expect(try haproxy.serversState(backend: "nodes")["heavy"]?["srv_op_state"] == "2")

        // Recovered: up again with its weight.
        light.openLogins()
        try waitFor(haproxy, "light", "UP again") { stat, state in
            state["srv_op_state"] == "2" && stat["weight"] == "80"
        }

        // A new load moves the weight; a load above lbd's usable range drains, and back.
        try heavy.setLoad(100)
        try waitFor(haproxy, "heavy", "weight 60") { stat, _ in stat["weight"] == "60" }
        try heavy.setLoad(150_000)
        try waitFor(haproxy, "heavy", "DRAIN") { stat, state in
            (stat["status"] ?? "").hasPrefix("DRAIN") && state["srv_admin_state"] == "8"
        }
        try heavy.setLoad(100)
        try waitFor(haproxy, "heavy", "ready again") { stat, state in
            state["srv_admin_state"] == "0" && stat["weight"] == "60"
        }
        #expect(haproxy.process.isRunning)
        #expect(light.agent.isRunning && heavy.agent.isRunning)
    }
}
