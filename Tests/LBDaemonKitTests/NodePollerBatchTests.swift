import LBCore
import NIOCore
import NIOPosix
import SNMP
import Synchronization
import Testing

@testable import LBDaemonKit

/// The poller through a probe that polls whole batches (`SNMPNodeProbe` on Linux) must report
/// exactly what it reports with a task per poll: node by node, addresses in resolver order,
/// resolution failures, silence, each node once.
@Suite(.enabled(if: SNMPClient.batchGetsAvailable)) struct NodePollerBatchTests {
    static let oid = OID(".1.3.6.1.4.1.96.255.1")!

    /// Hides the batch capability of the probe it wraps: the poller then uses a task per poll.
    struct TaskPerPollProbe: NodeProbe {
        let probe: any NodeProbe
        func poll(_ address: SocketAddress) async -> AddressReply { await probe.poll(address) }
    }

    final class Collected: Sendable {
        private let state = Mutex<(reports: [NodeReport], started: Int)>(([], 0))
        func deliver(_ report: NodeReport) { state.withLock { $0.reports.append(report) } }
        func start() { state.withLock { $0.started += 1 } }
        var reports: [NodeReport] { state.withLock { $0.reports } }
        var started: Int { state.withLock { $0.started } }
    }

    private func agent(host: String, value: SNMPValue) -> SNMPAgent {
        let agent = SNMPAgent(
            configuration: SNMPAgentConfiguration(host: host, port: 0, communities: ["public"]))
        agent.register(Self.oid, value: value)
        return agent
    }

    @Test func batchesReportWhatATaskPerPollReports() async throws {
        var agents: [SNMPAgent] = []
        var addresses: [String: [SocketAddress]] = [:]
        for index in 0..<12 {
            let server = agent(
                host: "127.0.0.1", value: index == 3 ? .string("a.example=4") : .integer(Int32(index)))
            addresses["node\(index)"] = [try await server.start()]
            agents.append(server)
        }
        // A node with an IPv4 and an IPv6 address, each its own agent.
        let v6 = agent(host: "::1", value: .integer(66))
        addresses["dual"] = [addresses["node1"]![0], try await v6.start()]
        agents.append(v6)
        // A node that never answers, and one that answers with the wrong type.
        let silent = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        addresses["silent"] = [try #require(silent.localAddress)]
        let wrongType = agent(host: "127.0.0.1", value: .gauge32(5))
        addresses["gauge"] = [try await wrongType.start()]
        agents.append(wrongType)
        let known = addresses
        let resolve: NodeAddressBook.Resolve = { node, _ in
            guard let found = known[node] else { throw SNMPClientError.unsupportedAddress("no such node") }
            return found
        }
        let nodes = Set(addresses.keys).union(["unresolvable"])
        let client = try await SNMPClient.start()
        let probe = SNMPNodeProbe(
            client: client, credentials: .community("public"), timeout: .seconds(1), retries: 1)
        let bounds = NodePoller.Bounds(concurrency: 3, promptWindow: .milliseconds(30), maximumOutstanding: 6)

        var results: [[String: NodeReport]] = []
        for batchProbe in [probe as any NodeProbe, TaskPerPollProbe(probe: probe)] {
            let poller = NodePoller(
                addressBook: NodeAddressBook(port: 161, resolve: resolve), probe: batchProbe, bounds: bounds)
            let collected = Collected()
            await poller.poll(
                nodes, first: ["silent", "node5"], delivering: collected.deliver, started: collected.start)
            #expect(collected.started == 1)
            #expect(collected.reports.count == nodes.count)
            #expect(Set(collected.reports.map(\.node)) == nodes)
            results.append(Dictionary(uniqueKeysWithValues: collected.reports.map { ($0.node, $0) }))
        }
        #expect(results[0] == results[1])
        let batch = results[0]
        #expect(batch["node2"]?.addresses.first?.reply == .integer(2))
        #expect(batch["node3"]?.addresses.first?.reply == .text("a.example=4"))
        #expect(batch["dual"]?.addresses.map(\.reply) == [.integer(1), .integer(66)])
        #expect(batch["silent"]?.addresses.first?.reply == .failure(.timeout(attempts: 2)))
        #expect(batch["gauge"]?.addresses.first?.reply == .failure(.wrongType("Gauge32")))
        #expect(batch["unresolvable"]?.resolutionFailure != nil)
        for server in agents { await server.stop() }
        try await silent.close()
        await client.shutdown()
    }

    /// Every node reported exactly once, when nothing resolves at all, and `started` said once.
    @Test func nodesThatDoNotResolveAreReportedWithoutABatch() async throws {
        let client = try await SNMPClient.start()
        let probe = SNMPNodeProbe(
            client: client, credentials: .community("public"), timeout: .seconds(1), retries: 0)
        let poller = NodePoller(
            addressBook: NodeAddressBook(port: 161, resolve: { _, _ in throw SNMPClientError.shutDown }),
            probe: probe, bounds: NodePoller.Bounds(concurrency: 2))
        let collected = Collected()
        await poller.poll(["a", "b", "c"], delivering: collected.deliver, started: collected.start)
        #expect(collected.started == 1)
        #expect(collected.reports.map(\.node).sorted() == ["a", "b", "c"])
        #expect(collected.reports.allSatisfy { $0.resolutionFailure != nil && $0.addresses.isEmpty })
        await client.shutdown()
    }
}
