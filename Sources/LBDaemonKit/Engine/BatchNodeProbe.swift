import LBCore
import NIOCore
import SNMP

/// A probe that polls a whole batch of addresses from one loop (SNMP: a batch of GETs on a
/// thread of its own), without a task, continuation and timer per poll. `NodePoller` uses it
/// when `pollsInBatches`; at a hundred thousand nodes the tasks cost lbd more CPU than the polls.
public protocol BatchNodeProbe: NodeProbe {
    /// Whether `poll(batch:pacing:started:deliver:)` can be used here and now (a wrapper can
    /// only when what it wraps can).
    var pollsInBatches: Bool { get }

    /// Polls every address of `addresses`, paced by `pacing`, handing each reply over as soon
    /// as it is known, with the time the poll took; returns once every address has been
    /// delivered exactly once. `deliver` may be called from any thread, but from one at a time.
    ///
    /// - Parameter started: called once, when the last address's poll has started.
    func poll(
        batch addresses: [SocketAddress], pacing: SNMPClient.BatchPacing,
        started: @escaping @Sendable () -> Void,
        deliver: @escaping @Sendable (_ address: Int, _ reply: AddressReply, _ elapsed: Duration) -> Void
    ) async
}

extension BatchNodeProbe {
    /// One address after another with `poll(_:)`: for a wrapper around a probe that cannot poll
    /// in batches (`pollsInBatches` false, so `NodePoller` does not call it).
    public func pollOneByOne(
        _ addresses: [SocketAddress], started: @escaping @Sendable () -> Void,
        deliver: @escaping @Sendable (Int, AddressReply, Duration) -> Void
    ) async {
        for (index, address) in addresses.enumerated() {
            if index == addresses.count - 1 { started() }
            let start = ContinuousClock.now
            let reply = await poll(address)
            deliver(index, reply, ContinuousClock.now - start)
        }
    }
}
