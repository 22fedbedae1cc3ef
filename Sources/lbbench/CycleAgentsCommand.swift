import ArgumentParser
import Foundation
import NIOCore
import NIOPosix
import SNMP

/// The child process of `lbbench cycle`: one SNMP agent per live node of the fleet on the node's
/// own loopback address, and for each dead node a socket that reads and drops, so its poll runs
/// into the timeout as a powered-off host behind a firewall does (no ICMP error). Prints `READY`
/// once every socket is bound and exits when its standard input closes.
struct CycleAgentsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cycle-agents", abstract: "Run the simulated fleet (started by lbbench cycle).",
        shouldDisplay: false)

    @Option var nodes: Int
    @Option var aliases: Int
    @Option var dead: Percentage
    @Option var perAliasEvery: Int
    @Option var seed: UInt64
    @Option var port: Int

    func run() async throws {
        try Self.raiseOpenFileLimit(atLeast: nodes + 256)
        let fleet = CycleFleet(
            nodes: nodes, aliases: aliases, deadFraction: dead.fraction, perAliasEvery: perAliasEvery,
            seed: seed)
        let keyCache = USMKeyCache()
        let sockets = try await withThrowingTaskGroup(of: NodeSocket.self) { group in
            var sockets: [NodeSocket] = []
            var next = 0
            // A few dozen binds at a time: enough to start ten thousand sockets in seconds.
            func startNext() {
                let node = next
                next += 1
                group.addTask { try await start(node, of: fleet, keyCache: keyCache) }
            }
            while next < min(64, fleet.nodeCount) { startNext() }
            while let socket = try await group.next() {
                sockets.append(socket)
                if next < fleet.nodeCount { startNext() }
            }
            return sockets
        }
        FileHandle.standardOutput.write(Data("READY\n".utf8))
        await Task.detached {
            _ = FileHandle.standardInput.readDataToEndOfFile()
        }.value
        for socket in sockets {
            switch socket {
            case .agent(let agent): await agent.stop()
            case .drop(let channel): try? await channel.close()
            }
        }
    }

    private enum NodeSocket: Sendable {
        case agent(SNMPAgent)
        case drop(any Channel)
    }

    private func start(_ node: Int, of fleet: CycleFleet, keyCache: USMKeyCache) async throws -> NodeSocket {
        let host = fleet.address(of: node)
        guard !fleet.dead[node] else {
            // No handler: NIO reads each datagram and the pipeline's tail discards it.
            let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .bind(host: host, port: port).get()
            return .drop(channel)
        }
        let agent = SNMPAgent(
            configuration: SNMPAgentConfiguration(
                host: host, port: port, communities: [BenchmarkCredentials.community]),
            keyCache: keyCache)
        let value: SNMPValue =
            switch fleet.answer(of: node) {
            case .integer(let load): .integer(Int32(load))
            case .text(let text): .octetString(Array(text.utf8))
            }
        agent.register(OID(BenchmarkCredentials.loadOID)!, value: value)
        try await agent.start()
        return .agent(agent)
    }

    /// Ten thousand sockets need more descriptors than the usual soft limit of 1,024.
    private static func raiseOpenFileLimit(atLeast needed: Int) throws {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        guard limit.rlim_cur < rlim_t(needed) else { return }
        guard limit.rlim_max >= rlim_t(needed) else {
            throw BenchmarkError("\(needed) open files needed, the hard limit is \(limit.rlim_max)")
        }
        limit.rlim_cur = limit.rlim_max
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
}
