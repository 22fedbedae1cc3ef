import ArgumentParser
import Foundation
import NIOCore
import NIOPosix
import SNMP
import UDPReplySource

/// The child process of `lbbench cycle`: the whole fleet on a few wildcard UDP sockets sharing
/// one port (SO_REUSEPORT, one per core, so the kernel spreads the requests over them), each
/// answering every node from the node's own loopback address (see `CycleFleetResponder`). Prints
/// `READY` and its pid once the sockets are bound and exits when its standard input closes.
///
/// One socket per node, as before, took 677 MB for 10,000 nodes; a hundred thousand would not fit.
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
    @Option(help: "Sockets sharing the port (0: one per core).") var sockets = 0

    func run() async throws {
        let fleet = CycleFleet(
            nodes: nodes, aliases: aliases, deadFraction: dead.fraction, perAliasEvery: perAliasEvery,
            seed: seed)
        let answers: [SNMPValue?] = (0..<fleet.nodeCount).map { node in
            guard !fleet.dead[node] else { return nil }
            switch fleet.answer(of: node) {
            case .integer(let load): return .integer(Int32(load))
            case .text(let text): return .octetString(Array(text.utf8))
            }
        }
        let count = sockets > 0 ? sockets : ProcessInfo.processInfo.activeProcessorCount
        var channels: [any Channel] = []
        for _ in 0..<max(1, count) {
            let bootstrap = DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                // lbd sends a thousand requests at once; the default buffer drops past a few hundred.
                .channelOption(.socketOption(.so_rcvbuf), value: 4 << 20)
                .channelOption(.socketOption(.so_sndbuf), value: 4 << 20)
            channels.append(
                try await UDPReplySource.bind(
                    bootstrap, host: "0.0.0.0", port: port, reuseAddress: true, reusePort: true
                ) { channel in
                    try channel.pipeline.syncOperations.addHandler(CycleFleetResponder(answers: answers))
                })
        }
        // The benchmark reads this process's peak RSS by its pid.
        FileHandle.standardOutput.write(Data("READY \(getpid())\n".utf8))
        await Task.detached {
            _ = FileHandle.standardInput.readDataToEndOfFile()
        }.value
        for channel in channels { try? await channel.close() }
    }
}
