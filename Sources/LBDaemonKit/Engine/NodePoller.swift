import LBCore
import NIOCore
import SNMP
import Synchronization

/// Polls a set of nodes: every address of each, each node once however many aliases share it,
/// at most `concurrency` nodes at a time that may still answer promptly.
public struct NodePoller: Sendable {
    /// How many polls run at once.
    public struct Bounds: Sendable, Equatable {
        /// How long a poll counts against `concurrency` by default: far beyond an answer's
        /// round trip on a LAN, even from an agent that starts lbclient for every GET.
        public static let defaultPromptWindow: Duration = .milliseconds(250)

        /// Polls started and not yet past `promptWindow` at once (`snmp.concurrency`).
        public var concurrency: Int
        /// A poll still unanswered after this gives its slot back and waits for its timeout
        /// beside the others (see ``PollSlots``); nil keeps the slot to the end.
        public var promptWindow: Duration?
        /// Polls under way at once in all, those past their prompt window included.
        public var maximumOutstanding: Int
        /// The prompt window of a node that did not answer last time (`poll(_:first:)`): a
        /// tenth of `promptWindow`, so that a few thousand dead nodes polled first hold the
        /// slots for a moment rather than for as long as the live ones would take.
        public var silentWindow: Duration? { promptWindow.map { $0 / 10 } }

        /// - Parameter maximumOutstanding: at least `concurrency`; by default `concurrency`
        ///   without a prompt window, 8 × `concurrency` with one.
        public init(
            concurrency: Int, promptWindow: Duration? = Self.defaultPromptWindow,
            maximumOutstanding: Int? = nil
        ) {
            self.concurrency = max(1, concurrency)
            self.promptWindow = promptWindow
            self.maximumOutstanding = max(
                self.concurrency, maximumOutstanding ?? (promptWindow == nil ? 1 : 8) * self.concurrency)
        }

        /// What the SNMP client under the poller may have in flight: a node has an address or
        /// two, each its own request, so the poller's bound is the one that binds.
        public var clientRequests: Int { 2 * maximumOutstanding }
    }

    public let addressBook: NodeAddressBook
    public let probe: any NodeProbe
    public let bounds: Bounds

    public var concurrency: Int { bounds.concurrency }

    public init(addressBook: NodeAddressBook, probe: any NodeProbe, bounds: Bounds) {
        self.addressBook = addressBook
        self.probe = probe
        self.bounds = bounds
    }

    /// A poller whose polls each hold one of `concurrency` slots to the end.
    public init(addressBook: NodeAddressBook, probe: any NodeProbe, concurrency: Int) {
        self.init(
            addressBook: addressBook, probe: probe,
            bounds: Bounds(concurrency: concurrency, promptWindow: nil))
    }

    /// The report of every node in `nodes`, by node name.
    ///
    /// Nodes are polled in name order, those in `first` before the others (the nodes that did
    /// not answer last time: their timeouts then run while the rest are polled, rather than
    /// after). Worker tasks each take the next node when done with one, rather than a task per
    /// node: at a hundred thousand nodes, creating and reaping a child task per node cost more
    /// than the poll itself (a task group finds a finished child by walking its list). There
    /// are `concurrency` workers, plus one for each poll past its prompt window (up to
    /// `maximumOutstanding` in all), whose worker ends with it.
    public func poll(_ nodes: Set<String>, first: Set<String> = []) async -> [String: NodeReport] {
        let collected = Mutex([String: NodeReport](minimumCapacity: nodes.count))
        await poll(nodes, first: first) { report in collected.withLock { $0[report.node] = report } }
        return collected.withLock { $0 }
    }

    /// Polls like `poll(_:first:)`, handing each node's report to `deliver` as soon as the node
    /// has answered or timed out, from the worker that polled it; returns once every node of
    /// `nodes` has been delivered, exactly once.
    ///
    /// - Parameter started: called once, when the last node's poll has been started (not
    ///   called for an empty `nodes`).
    public func poll(
        _ nodes: Set<String>, first: Set<String> = [],
        delivering deliver: @escaping @Sendable (NodeReport) -> Void,
        started: @escaping @Sendable () -> Void = {}
    ) async {
        let leading = nodes.intersection(first)
        let order = leading.sorted() + (leading.isEmpty ? nodes : nodes.subtracting(leading)).sorted()
        await poll(inOrder: order, leading: leading.count, delivering: { deliver($1) }, started: started)
    }

    /// Polls `order` in that order, the first `leading` of them with the silent nodes' shorter
    /// prompt window, handing each node's report to `deliver` with the node's position in
    /// `order` as soon as it has answered or timed out; returns once every node has been
    /// delivered, exactly once. The engine, which numbers its nodes, orders them itself.
    ///
    /// - Parameter started: called once, when the last node's poll has been started (not
    ///   called for an empty `order`).
    public func poll(
        inOrder order: [String], leading: Int,
        delivering deliver: @escaping @Sendable (Int, NodeReport) -> Void,
        started: @escaping @Sendable () -> Void = {}
    ) async {
        if let batch = probe as? any BatchNodeProbe, batch.pollsInBatches {
            await poll(order, leading: leading, in: batch, delivering: deliver, started: started)
            return
        }
        let cursor = NodeCursor()
        let slots = PollSlots(count: bounds.concurrency, promptWindow: bounds.promptWindow)
        let running = WorkerCount()
        let concurrency = bounds.concurrency
        let silentWindow = bounds.silentWindow
        let work: @Sendable () async -> PollerTaskOutcome = {
            while case let index = cursor.next(), index < order.count {
                // Without a lease the task was cancelled: the poll ends at once as cancelled,
                // and the node still gets its report.
                let lease = await slots.acquire(window: index < leading ? silentWindow : nil)
                if index == order.count - 1 { started() }
                deliver(index, await pollNode(order[index]))
                // Past its window, this poll's slot went to a worker added in its place.
                if let lease, !slots.release(lease), running.leaveIfAbove(concurrency) {
                    return .workerEnded
                }
            }
            running.leave()
            return .workerEnded
        }
        let watch: @Sendable () async -> PollerTaskOutcome = { .overdue(await slots.nextOverdue()) }
        await withTaskGroup(of: PollerTaskOutcome.self) { group in
            var workers = min(concurrency, order.count)
            running.add(workers)
            for _ in 0..<workers { group.addTask(operation: work) }
            if bounds.promptWindow != nil, workers > 0 { group.addTask(operation: watch) }
            for await outcome in group {
                switch outcome {
                case .workerEnded:
                    workers -= 1
                    if workers == 0 { group.cancelAll() }  // the watch
                case .overdue(let count):
                    guard workers > 0, count > 0 else { break }
                    let added = min(
                        count, bounds.maximumOutstanding - running.value, order.count - cursor.handedOut)
                    if added > 0 {
                        running.add(added)
                        workers += added
                        for _ in 0..<added { group.addTask(operation: work) }
                    }
                    group.addTask(operation: watch)
                }
            }
        }
    }

    /// Polls like `poll(inOrder:leading:delivering:started:)` through a probe that polls whole batches:
    /// every node's addresses first (from the book, resolving those due `concurrency` at a
    /// time), then one batch of all of them, with the same bounds, the silent nodes' shorter
    /// window for the first `leading` nodes.
    private func poll(
        _ order: [String], leading: Int, in probe: any BatchNodeProbe,
        delivering deliver: @escaping @Sendable (Int, NodeReport) -> Void,
        started: @escaping @Sendable () -> Void
    ) async {
        guard !order.isEmpty else { return }
        let entries = await addressEntries(of: order)
        var targets: [SocketAddress] = []
        var polled: [(node: Int, addresses: [PolledAddress])] = []
        var silentTargets = 0
        for (index, node) in order.enumerated() {
            switch entries[index] {
            case .failure(let reason):
                deliver(index, NodeReport(node: node, addresses: [], resolutionFailure: reason))
            case .addresses(let addresses) where addresses.isEmpty:
                deliver(index, NodeReport(node: node, addresses: []))
            case .addresses(let addresses):
                polled.append((index, addresses))
                targets += addresses.map(\.socket)
            }
            if index == leading - 1 { silentTargets = targets.count }
        }
        guard !targets.isEmpty else {
            started()
            return
        }
        let reports = BatchReports(order: order, polled: polled, deliver: deliver)
        let pacing = SNMPClient.BatchPacing(
            concurrency: bounds.concurrency, maximumOutstanding: bounds.maximumOutstanding,
            promptWindow: bounds.promptWindow, silentWindow: bounds.silentWindow, silentCount: silentTargets)
        await probe.poll(batch: targets, pacing: pacing, started: started) { target, reply, _ in
            reports.take(reply, for: target)
        }
    }

    /// The book's entry for each node of `order`, in order; those not known or due are resolved
    /// by `concurrency` workers, each taking the next node when done with one (a task per node
    /// would cost more than the resolutions at a hundred thousand nodes, as with the polls).
    private func addressEntries(of order: [String]) async -> [NodeAddressBook.Entry] {
        let known = addressBook.knownAddresses(of: order)
        let unknown = known.indices.filter { known[$0] == nil }
        guard !unknown.isEmpty else { return known.map { $0! } }
        let resolved = await addressBook.resolve(unknown.map { order[$0] }, concurrency: bounds.concurrency)
        var entries = known
        for (position, index) in unknown.enumerated() { entries[index] = resolved[position] }
        return entries.map { $0 ?? .failure("not resolved") }
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

/// What one of the poller's tasks ends with.
private enum PollerTaskOutcome: Sendable {
    /// A worker has delivered its reports and ended.
    case workerEnded
    /// The watch over prompt windows: this many polls went past theirs (0: cancelled).
    case overdue(Int)
}

/// The poller's workers running now: one whose poll went past its window leaves when there are
/// more than `concurrency` (a worker took its place).
private final class WorkerCount: Sendable {
    private let count = Atomic<Int>(0)

    var value: Int { count.load(ordering: .relaxed) }

    func add(_ workers: Int) { count.add(workers, ordering: .relaxed) }

    func leave() { count.subtract(1, ordering: .relaxed) }

    /// Leaves (returns true) only while more than `limit` run.
    func leaveIfAbove(_ limit: Int) -> Bool {
        var current = count.load(ordering: .relaxed)
        while current > limit {
            let (exchanged, original) = count.compareExchange(
                expected: current, desired: current - 1, ordering: .relaxed)
            if exchanged { return true }
            current = original
        }
        return false
    }
}
