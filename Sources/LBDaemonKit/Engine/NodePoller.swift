import LBCore
import NIOCore

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
    public func poll(_ nodes: Set<String>) async -> [String: NodeReport] {
        await withTaskGroup(of: NodeReport.self) { group in
            var reports: [String: NodeReport] = [:]
            var pending = nodes.sorted().makeIterator()
            var running = 0
            while running < concurrency, let node = pending.next() {
                group.addTask { await pollNode(node) }
                running += 1
            }
            while let report = await group.next() {
                reports[report.node] = report
                if let node = pending.next() {
                    group.addTask { await pollNode(node) }
                }
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
