import LBCore
import Synchronization

/// Gathers the replies of a batch poll (``BatchNodeProbe``) into node reports: a node's report
/// goes to `deliver`, with its position in the poll's order, when the last of its addresses has answered or timed out. The replies of
/// one node come from one batch, whose probe delivers one at a time; the lock only guards the
/// replies of nodes with several addresses, and is never contended.
final class BatchReports: Sendable {
    private struct State {
        /// The replies of multi-address nodes, kept until the node's last one comes.
        var replies: [Int: [AddressReply?]] = [:]
        var waiting: [Int: Int] = [:]
    }

    private let order: [String]
    private let polled: [(node: Int, addresses: [PolledAddress])]
    /// Per target, in batch order: its node's position in `polled`.
    private let owner: [Int32]
    /// Per polled node, the batch position of its first address.
    private let firstTarget: [Int]
    private let deliver: @Sendable (Int, NodeReport) -> Void
    private let state = Mutex(State())

    init(
        order: [String], polled: [(node: Int, addresses: [PolledAddress])],
        deliver: @escaping @Sendable (Int, NodeReport) -> Void
    ) {
        self.order = order
        self.polled = polled
        self.deliver = deliver
        var owner: [Int32] = []
        var firstTarget: [Int] = []
        owner.reserveCapacity(polled.count)
        firstTarget.reserveCapacity(polled.count)
        for (position, node) in polled.enumerated() {
            firstTarget.append(owner.count)
            owner += repeatElement(Int32(position), count: node.addresses.count)
        }
        self.firstTarget = firstTarget
        self.owner = owner
    }

    /// The reply of the batch's target `target`; delivers its node's report if it was the last.
    func take(_ reply: AddressReply, for target: Int) {
        let position = Int(owner[target])
        let node = polled[position]
        guard node.addresses.count > 1 else {
            deliver(
                node.node,
                NodeReport(
                    node: order[node.node],
                    addresses: [AddressReport(address: node.addresses[0].node, reply: reply)]))
            return
        }
        let complete = state.withLock { state -> [AddressReply]? in
            var replies = state.replies[position] ?? Array(repeating: nil, count: node.addresses.count)
            replies[target - firstTarget[position]] = reply
            let waiting = (state.waiting[position] ?? node.addresses.count) - 1
            guard waiting == 0 else {
                state.replies[position] = replies
                state.waiting[position] = waiting
                return nil
            }
            state.replies[position] = nil
            state.waiting[position] = nil
            return replies.map { $0! }
        }
        guard let complete else { return }
        // In resolver order: the order golbd published addresses in.
        deliver(
            node.node,
            NodeReport(
                node: order[node.node],
                addresses: zip(node.addresses, complete).map { AddressReport(address: $0.node, reply: $1) }))
    }
}
