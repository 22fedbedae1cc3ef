import ArgumentParser
import Foundation
import SNMP

/// The child process of `lbbench snmp`: serves the load OID from N agents on 127.0.0.1, prints
/// `READY port...`, and exits when its standard input closes (the parent is gone).
struct SNMPAgentsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snmp-agents", abstract: "Run benchmark agents (started by lbbench snmp).",
        shouldDisplay: false)

    @Option var count = 10

    func run() async throws {
        var ports: [Int] = []
        var agents: [SNMPAgent] = []
        for index in 0..<count {
            let agent = SNMPAgent(
                configuration: SNMPAgentConfiguration(
                    host: "127.0.0.1", port: 0, communities: [BenchmarkCredentials.community],
                    users: [BenchmarkCredentials.user], maximumConcurrentRequests: 4096))
            agent.register(OID(BenchmarkCredentials.loadOID)!, value: .integer(Int32(10 + index)))
            let address = try await agent.start()
            ports.append(address.port ?? 0)
            agents.append(agent)
        }
        FileHandle.standardOutput.write(
            Data(("READY " + ports.map(String.init).joined(separator: " ") + "\n").utf8))
        // Wait for the parent to close our standard input, without holding a cooperative thread.
        await Task.detached {
            _ = FileHandle.standardInput.readDataToEndOfFile()
        }.value
        for agent in agents { await agent.stop() }
    }
}

enum BenchmarkCredentials {
    static let loadOID = ".1.3.6.1.4.1.96.255.1"
    static let community = "public"
    static let user = USMUser(
        name: "bench", authentication: .init(.sha256, password: "bench-auth-password"),
        privacy: .init(.aes128, password: "bench-priv-password"))
}
