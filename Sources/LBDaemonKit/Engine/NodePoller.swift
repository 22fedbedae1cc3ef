import LBCore
import NIOCore
import Synchronization

/// Polls a set of nodes: every address of each, each node once however many aliases share it,
/// at most `concurrency` nodes at a time.
public struct NodePoller: Sendable {
    public let addressBook: NodeAddressBook
    public let probe: any NodeProbe
    public let concurrency: Int

    public init(addressBook: NodeAddressBook, probe: any NodeProbe, concurrency: Int) {
        self.addressBook = addressBook
        self.probe = probe
        self.concurrency = max(1, concurrency)
    }

    /// The report of every node in `nodes`, by node name.
    ///
    /// Nodes are polled in name order by `concurrency` worker tasks that each take the next
    /// node when done with one, rather than by a task per node: at a hundred thousand nodes,
    /// creating and reaping a child task per node cost more than the poll itself (a task
    /// group finds a finished child by walking its list of children).
    public func poll(_ nodes: Set<String>) async -> [String: NodeReport] {
        let order = nodes.sorted()
        let cursor = NodeCursor()
        return await withTaskGroup(of: [NodeReport].self) { group in
            for _ in 0..<min(concurrency, order.count) {
                group.addTask {
                    var reports: [NodeReport] = []
                    while case let index = cursor.next(), index < order.count {
                        reports.append(await pollNode(order[index]))
                    }
                    return reports
                }
            }
            var reports = [String: NodeReport](minimumCapacity: order.count)
            for await batch in group {
                for report in batch { reports[report.node] = report }
            }
            return reports
        }
    }

    /// One node: its addresses from the book, each polled at once.
    func pollNode(_ node: String) async -> NodeReport {
        switch await addressBook.addresses(of: node) {
        case .failure(let reason):
            return NodeReport(node: node, addresses: [], resolutionFailure: reason)
        case .addresses(let addresses) where addresses.count == 1:
            // Most nodes have one address: no task group for them.
            let reply = await probe.poll(addresses[0].socket)
            return NodeReport(
                node: node, addresses: [AddressReport(address: addresses[0].node, reply: reply)])
        case .addresses(let addresses):
            let replies = await withTaskGroup(of: (Int, AddressReply).self) { group in
                for (index, address) in addresses.enumerated() {
                    group.addTask { (index, await probe.poll(address.socket)) }
                }
                // Every task reports, so every slot is filled; cancelled is only the type's default.
                var replies = [AddressReply](repeating: .failure(.cancelled), count: addresses.count)
                for await (index, reply) in group { replies[index] = reply }
                return replies
            }
            // In resolver order: the order golbd published addresses in.
            let reports = zip(addresses, replies).map { AddressReport(address: $0.node, reply: $1) }
            return NodeReport(node: node, addresses: reports)
        }
    }
}

/// Hands out the positions of a list to the poller's workers, each once.
private final class NodeCursor: Sendable {
    private let position = Atomic<Int>(0)

    /// The next position not handed out yet (past the end once all are).
    func next() -> Int {
        position.wrappingAdd(1, ordering: .relaxed).oldValue
    }
}
