import Foundation
import NIOCore
import Testing

@testable import SNMP

/// Our client against our agent: engine changes, IPv6, many agents.
@Suite struct ClientAgentTests {
    let loadOID = OID(".1.3.6.1.4.1.96.255.1")!
    let user = USMUser(
        name: "loadbalancing", authentication: .init(.sha256, password: "client-agent-auth"),
        privacy: .init(.aes128, password: "client-agent-priv"))

    private func agent(
        host: String = "127.0.0.1", port: Int = 0,
        engineID: [UInt8] = SNMPAgentConfiguration.generateEngineID(),
        boots: Int32 = 1, value: SNMPValue = .integer(7)
    ) -> SNMPAgent {
        let agent = SNMPAgent(
            configuration: SNMPAgentConfiguration(
                host: host, port: port, communities: ["public"], users: [user], engineID: engineID,
                engineBoots: boots))
        agent.register(loadOID, value: value)
        return agent
    }

    @Test func aRebootedAgentIsResynchronisedThroughNotInTimeWindow() async throws {
        let engineID = SNMPAgentConfiguration.generateEngineID()
        let first = agent(engineID: engineID, boots: 1)
        let address = try await first.start()
        let client = try await SNMPClient.start()
        #expect(
            try await client.get([loadOID], from: address, credentials: .user(user)).first?.value
                == .integer(7))
        await first.stop()
        // Same engine, same port, one more boot: the client's cached boots are now stale.
        let second = agent(port: try #require(address.port), engineID: engineID, boots: 2, value: .integer(8))
        _ = try await second.start()
        let values = try await client.get([loadOID], from: address, credentials: .user(user), retries: 0)
        #expect(values.first?.value == .integer(8))
        await second.stop()
        await client.shutdown()
    }

    @Test func aReplacedAgentIsRediscoveredThroughUnknownEngineID() async throws {
        let first = agent()
        let address = try await first.start()
        let client = try await SNMPClient.start()
        _ = try await client.get([loadOID], from: address, credentials: .user(user))
        await first.stop()
        let second = agent(port: try #require(address.port), value: .integer(9))
        _ = try await second.start()
        let values = try await client.get([loadOID], from: address, credentials: .user(user), retries: 0)
        #expect(values.first?.value == .integer(9))
        await second.stop()
        await client.shutdown()
    }

    @Test func ipv6AgentsAnswerV2cAndV3() async throws {
        let server = agent(host: "::1")
        let address = try await server.start()
        let client = try await SNMPClient.start()
        #expect(
            try await client.get([loadOID], from: address, credentials: .community("public")).first?.value
                == .integer(7))
        #expect(
            try await client.get([loadOID], from: address, credentials: .user(user)).first?.value
                == .integer(7))
        await server.stop()
        await client.shutdown()
    }

    @Test func oneClientPollsManyAgentsConcurrently() async throws {
        var agents: [SNMPAgent] = []
        var addresses: [SocketAddress] = []
        for index in 0..<20 {
            let server = agent(value: .integer(Int32(index + 1)))
            addresses.append(try await server.start())
            agents.append(server)
        }
        let client = try await SNMPClient.start(maximumInFlight: 16)
        let results = try await withThrowingTaskGroup(of: (Int, SNMPValue?).self) { group in
            for (index, address) in addresses.enumerated() {
                for credentials in [SNMPCredentials.community("public"), .user(user)] {
                    group.addTask {
                        (
                            index,
                            try await client.get([loadOID], from: address, credentials: credentials).first?
                                .value
                        )
                    }
                }
            }
            var all: [(Int, SNMPValue?)] = []
            for try await result in group { all.append(result) }
            return all
        }
        #expect(results.count == 40)
        #expect(results.allSatisfy { $0.1 == .integer(Int32($0.0 + 1)) })
        for server in agents { await server.stop() }
        await client.shutdown()
    }
}

/// Sockets bound to port 0 must each get a port of their own: with SO_REUSEADDR, Linux may hand
/// out a port another SO_REUSEADDR socket holds, and two agents would share it.
@Suite struct EphemeralPortTests {
    @Test func agentsOnPortZeroGetDistinctPorts() async throws {
        var agents: [SNMPAgent] = []
        var ports: [Int] = []
        // 300: without the fix, two of them shared a port in most runs.
        for _ in 0..<300 {
            let agent = SNMPAgent(
                configuration: SNMPAgentConfiguration(host: "127.0.0.1", port: 0, communities: ["public"]))
            ports.append(try #require(try await agent.start().port))
            agents.append(agent)
        }
        let client = try await SNMPClient.start()
        #expect(Set(ports).count == ports.count)
        for agent in agents { await agent.stop() }
        await client.shutdown()
    }
}
