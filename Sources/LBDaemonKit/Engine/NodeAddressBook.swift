import LBCore
import NIOCore
import Synchronization

/// The addresses of every member node, resolved once and again on a schedule rather than on every
/// poll (golbd resolved every name on every tick), so that a slow resolver does not slow polling
/// and a short resolver outage does not make every node unusable.
///
/// A name that fails to resolve keeps its last addresses while they are younger than
/// `keepStale`, and is tried again after `retryAfterFailure`.
public final class NodeAddressBook: Sendable {
    public typealias Resolve = @Sendable (_ node: String, _ port: Int) async throws -> [SocketAddress]

    /// What the book knows of one node: its addresses in resolver order, or why there are none.
    public enum Entry: Sendable {
        case addresses([PolledAddress])
        case failure(String)
    }

    private struct Known {
        var entry: Entry
        var lastAddresses: [PolledAddress]?
        var resolvedAt: ContinuousClock.Instant
        var nextResolution: ContinuousClock.Instant

        /// The entry while it is not due for resolution at `instant`.
        func current(at instant: ContinuousClock.Instant) -> Entry? {
            nextResolution > instant ? entry : nil
        }
    }

    private let resolve: Resolve
    private let port: Int
    private let refresh: Duration
    private let retryAfterFailure: Duration
    private let keepStale: Duration
    private let now: @Sendable () -> ContinuousClock.Instant
    private let known = Mutex<[String: Known]>([:])
    /// The last answer of `knownAddresses(of: [String])`, given again while nothing was resolved
    /// or forgotten since and no entry of it fell due: a scheduled cycle asks for the same
    /// hundred thousand nodes each time, and comparing names that share their storage costs a
    /// fraction of hashing each one into the book.
    private let lastLookUp = Mutex<LookUp?>(nil)
    /// Grows at each change to `known`.
    private let version = Atomic<Int>(0)

    private struct LookUp: Sendable {
        var nodes: [String]
        var entries: [Entry?]
        var version: Int
        /// The earliest time an entry given falls due; nil when none was given.
        var validUntil: ContinuousClock.Instant?
    }

    /// - Parameters:
    ///   - port: the SNMP port the addresses carry.
    ///   - refresh: how long resolved addresses are used before resolving again.
    ///   - retryAfterFailure: how soon a name that failed is tried again.
    ///   - keepStale: how long the last good addresses stand in for a failing name.
    public init(
        port: Int, refresh: Duration = .seconds(300), retryAfterFailure: Duration = .seconds(30),
        keepStale: Duration = .seconds(3600),
        now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now },
        resolve: @escaping Resolve = { try await HostResolver.addresses(of: $0, port: $1) }
    ) {
        self.port = port
        self.refresh = refresh
        self.retryAfterFailure = retryAfterFailure
        self.keepStale = keepStale
        self.now = now
        self.resolve = resolve
    }

    /// The addresses of `node` as known now, without resolving: nil when it is new or its entry
    /// is due (`addresses(of:)` then resolves it).
    public func knownAddresses(of node: String) -> Entry? {
        let instant = now()
        return known.withLock { $0[node] }?.current(at: instant)
    }

    /// What `knownAddresses(of:)` says of each of `nodes`, in order, read at one instant and a
    /// few thousand under each lock: a cycle of a hundred thousand nodes would otherwise take
    /// the lock and read the clock a hundred thousand times.
    public func knownAddresses(of nodes: [String]) -> [Entry?] {
        let instant = now()
        // Read before the entries: a change made while reading them makes this answer stale.
        let versionRead = version.load(ordering: .acquiring)
        if let last = lastLookUp.withLock({ $0 }), last.version == versionRead,
            last.validUntil.map({ instant < $0 }) ?? true, last.nodes == nodes
        {
            return last.entries
        }
        var entries: [Entry?] = []
        entries.reserveCapacity(nodes.count)
        var validUntil: ContinuousClock.Instant?
        inLockedChunks(of: nodes.count) { known, position in
            guard let entry = known[nodes[position]], entry.nextResolution > instant else {
                entries.append(nil)
                return
            }
            entries.append(entry.entry)
            validUntil = min(validUntil ?? entry.nextResolution, entry.nextResolution)
        }
        lastLookUp.withLock {
            $0 = LookUp(nodes: nodes, entries: entries, version: versionRead, validUntil: validUntil)
        }
        return entries
    }

    /// Runs `body` for each position in `0..<count` with the book, a few thousand positions per
    /// lock: a cycle of a hundred thousand nodes neither takes the lock per node nor holds it
    /// for the whole cycle.
    private func inLockedChunks(of count: Int, _ body: (inout [String: Known], Int) -> Void) {
        var start = 0
        while start < count {
            let end = min(start + 4096, count)
            known.withLock { known in
                for position in start..<end { body(&known, position) }
            }
            start = end
        }
    }

    /// Makes room for `count` more nodes at once: a first cycle of a hundred thousand nodes
    /// would otherwise grow the book (and move every entry) a dozen times.
    private func reserveCapacity(forMore count: Int) {
        known.withLock { $0.reserveCapacity($0.count + count) }
    }

    /// The addresses of `node`, resolving it when it is new or its entry is due.
    public func addresses(of node: String) async -> Entry {
        let instant = now()
        if let current = known.withLock({ $0[node] })?.current(at: instant) { return current }
        let resolved = await resolution(of: node)
        defer { version.add(1, ordering: .releasing) }
        return known.withLock { record(resolved, of: node, at: instant, in: &$0) }
    }

    /// Resolves each of `nodes` (those `knownAddresses(of:)` found new or due), `concurrency` at
    /// a time, and returns their entries in order.
    ///
    /// The book is written a few thousand nodes at a time once all are resolved: a first cycle
    /// of a hundred thousand nodes took the book's lock twice per node otherwise, its workers
    /// waiting on each other for it.
    public func resolve(_ nodes: [String], concurrency: Int) async -> [Entry] {
        guard !nodes.isEmpty else { return [] }
        reserveCapacity(forMore: nodes.count)
        let instant = now()
        let cursor = NodeCursor()
        var resolutions = [Entry?](repeating: nil, count: nodes.count)
        await withTaskGroup(of: [(Int, Entry)].self) { group in
            for _ in 0..<min(nodes.count, max(concurrency, 1)) {
                group.addTask {
                    var done: [(Int, Entry)] = []
                    while case let next = cursor.next(), next < nodes.count {
                        done.append((next, await self.resolution(of: nodes[next])))
                    }
                    return done
                }
            }
            for await done in group {
                for (position, resolution) in done { resolutions[position] = resolution }
            }
        }
        var entries: [Entry] = []
        entries.reserveCapacity(nodes.count)
        inLockedChunks(of: nodes.count) { known, position in
            let resolved = resolutions[position] ?? .failure("not resolved")
            entries.append(record(resolved, of: nodes[position], at: instant, in: &known))
        }
        version.add(1, ordering: .releasing)
        return entries
    }

    /// What resolving `node` gives now: its addresses, or why there are none.
    private func resolution(of node: String) async -> Entry {
        do {
            // Converted here, once: the poller and the reports carry these values as they are.
            return .addresses(try await resolve(node, port).compactMap(PolledAddress.init))
        } catch {
            return .failure("\(error)")
        }
    }

    /// Writes what resolving `node` at `instant` gave into `known` and returns the entry now in
    /// force: a name that failed keeps its last good addresses while they are younger than
    /// `keepStale`.
    private func record(
        _ resolved: Entry, of node: String, at instant: ContinuousClock.Instant,
        in known: inout [String: Known]
    ) -> Entry {
        guard case .addresses(let addresses) = resolved else {
            let previous = known[node]
            if let stale = previous?.lastAddresses, let resolvedAt = previous?.resolvedAt,
                instant - resolvedAt < keepStale
            {
                known[node] = Known(
                    entry: .addresses(stale), lastAddresses: stale, resolvedAt: resolvedAt,
                    nextResolution: instant + retryAfterFailure)
                return .addresses(stale)
            }
            known[node] = Known(
                entry: resolved, lastAddresses: nil, resolvedAt: instant,
                nextResolution: instant + retryAfterFailure)
            return resolved
        }
        known[node] = Known(
            entry: resolved, lastAddresses: addresses, resolvedAt: instant, nextResolution: instant + refresh)
        return resolved
    }

    /// The nodes whose resolved (or last good) addresses include `address`, sorted: whom a
    /// notification from `address` may come from. Nodes not resolved yet are not known.
    public func nodes(at address: NodeAddress) -> [String] {
        known.withLock { known in
            known.compactMap { node, entry -> String? in
                let holds = { (addresses: [PolledAddress]) in addresses.contains { $0.node == address } }
                if case .addresses(let current) = entry.entry, holds(current) { return node }
                return entry.lastAddresses.map(holds) == true ? node : nil
            }
        }.sorted()
    }

    /// Forgets nodes that are no longer members of any alias.
    public func keepOnly(_ nodes: Set<String>) {
        known.withLock { known in known = known.filter { nodes.contains($0.key) } }
        version.add(1, ordering: .releasing)
    }
}
