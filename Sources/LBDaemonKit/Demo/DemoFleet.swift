import LBCore
import NIOCore
import SNMP
import Synchronization

/// The simulated nodes of `lbd demo`: one SNMP agent of the SNMP library per node, each on its
/// own loopback address (node1 on 127.0.0.11, node2 on 127.0.0.12...) and all on one port, as lbd polls every node on
/// one port. Loads drift; now and then a node fails its checks (answers -14, lbclient's code for
/// a nologin file) or stops answering for a while.
public final class DemoFleet: Sendable {
    /// What one node is doing.
    enum Condition: Sendable {
        case healthy
        /// Answering lbclient's code for a failed check, for this many more rounds.
        case failing(rounds: Int)
        /// Not answering at all, for this many more rounds.
        case silent(rounds: Int)
    }

    struct Node: Sendable {
        var name: String
        var address: String
        var load: Int32
        var condition: Condition
        var agent: SNMPAgent?
    }

    public let port: Int
    private let nodes: Mutex<[Node]>
    private let random: Mutex<SeededRandomNumberGenerator>

    /// The node names (`node1.demo.lb`...) and the address each resolves to.
    public var addresses: [String: String] {
        nodes.withLock { Dictionary(uniqueKeysWithValues: $0.map { ($0.name, $0.address) }) }
    }

    private init(port: Int, nodes: [Node], seed: UInt64) {
        self.port = port
        self.nodes = Mutex(nodes)
        self.random = Mutex(SeededRandomNumberGenerator(seed: seed))
    }

    /// Starts `count` agents answering v2c community `public`, on 127.0.0.11 and up, on one free
    /// port (tried again on another port when an address has it taken).
    public static func start(count: Int, domain: String, seed: UInt64) async throws -> DemoFleet {
        var lastError: any Error = CancellationError()
        for _ in 0..<5 {
            var port = 0
            var nodes: [Node] = []
            do {
                for index in 1...count {
                    var node = Node(
                        name: "node\(index).\(domain)", address: "127.0.0.\(10 + index)",
                        load: Int32(10 * index), condition: .healthy)
                    let (agent, bound) = try await startAgent(
                        address: node.address, port: port, load: node.load)
                    port = bound
                    node.agent = agent
                    nodes.append(node)
                }
                return DemoFleet(port: port, nodes: nodes, seed: seed)
            } catch {
                lastError = error
                for node in nodes { await node.agent?.stop() }
            }
        }
        throw lastError
    }

    /// An agent on `address`:`port` (0: a free one) and the port it got.
    private static func startAgent(address: String, port: Int, load: Int32) async throws -> (SNMPAgent, Int) {
        let agent = SNMPAgent(
            configuration: SNMPAgentConfiguration(host: address, port: port, communities: ["public"]))
        agent.register(OID(loadReportOID)!, value: .integer(load))
        guard let bound = try await agent.start().port else {
            await agent.stop()
            throw DemoError("the agent on \(address) has no port")
        }
        return (agent, bound)
    }

    /// Moves every load one step, and sometimes breaks or mends a node, every `interval` until
    /// the task is cancelled. `report` hears each change of condition, for the demo's output.
    public func drift(every interval: Duration, report: @Sendable (String) -> Void) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            await step(report: report)
        }
    }

    /// One round: new loads, new conditions, agents stopped or started to match.
    func step(report: (String) -> Void) async {
        var toStop: [SNMPAgent] = []
        var toStart: [(Int, String, Int32)] = []
        let messages: [String] = nodes.withLock { nodes in
            random.withLock { random in
                var messages: [String] = []
                for index in nodes.indices {
                    var node = nodes[index]
                    node.load = min(200, max(1, node.load + Int32.random(in: -8...8, using: &random)))
                    switch node.condition {
                    case .healthy:
                        let roll = Int.random(in: 0..<40, using: &random)
                        if roll == 0 {
                            node.condition = .failing(rounds: 3)
                            messages.append("\(node.name) fails its checks (answers -14)")
                        } else if roll == 1, let agent = node.agent {
                            node.condition = .silent(rounds: 3)
                            node.agent = nil
                            toStop.append(agent)
                            messages.append("\(node.name) stops answering")
                        }
                    case .failing(let rounds):
                        node.condition = rounds > 1 ? .failing(rounds: rounds - 1) : .healthy
                        if rounds <= 1 { messages.append("\(node.name) passes its checks again") }
                    case .silent(let rounds):
                        node.condition = rounds > 1 ? .silent(rounds: rounds - 1) : .healthy
                        if rounds <= 1 {
                            toStart.append((index, node.address, node.load))
                            messages.append("\(node.name) answers again")
                        }
                    }
                    let value: SNMPValue
                    if case .failing = node.condition {
                        value = .integer(-14)
                    } else {
                        value = .integer(node.load)
                    }
                    node.agent?.register(OID(loadReportOID)!, value: value)
                    nodes[index] = node
                }
                return messages
            }
        }
        for agent in toStop { await agent.stop() }
        for (index, address, load) in toStart {
            guard let (agent, _) = try? await Self.startAgent(address: address, port: port, load: load) else {
                continue
            }
            nodes.withLock { $0[index].agent = agent }
        }
        for message in messages { report(message) }
    }

    public func stop() async {
        let agents = nodes.withLock { nodes in nodes.compactMap(\.agent) }
        for agent in agents { await agent.stop() }
    }
}

struct DemoError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
