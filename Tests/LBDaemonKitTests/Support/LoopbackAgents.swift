import LBTestSupport
import SNMP

/// SNMP agents of the SNMP library standing for nodes, serving the load OID to v2c `public`.
enum LoopbackAgents {
    /// Agents on 127.0.0.2, .3 and .4 sharing one port (lbd polls every node on one port), with
    /// the loads given; retried on another port if one address has it taken.
    static func start(_ loads: [Int32]) async throws -> (agents: [SNMPAgent], port: Int) {
        for _ in 0..<5 {
            var agents: [SNMPAgent] = []
            var port = 0
            do {
                for (index, load) in loads.enumerated() {
                    let agent = SNMPAgent(
                        configuration: SNMPAgentConfiguration(
                            host: "127.0.0.\(index + 2)", port: port, communities: ["public"]))
                    agent.register(OID(".1.3.6.1.4.1.96.255.1")!, value: .integer(load))
                    let address = try await agent.start()
                    agents.append(agent)
                    port = address.port ?? 0
                }
                return (agents, port)
            } catch {
                for agent in agents { await agent.stop() }
            }
        }
        throw PeerError("no port free on 127.0.0.2-4")
    }
}
