import NIOCore
import Synchronization

/// What became of one NOTIFY: the zone and serial announced, the secondary, and the error when
/// it did not acknowledge (after every attempt) or answered with an error.
public struct ZoneNotification: Sendable {
    public let zone: DomainName
    public let serial: UInt32
    public let target: SocketAddress
    /// nil when the secondary answered NOERROR.
    public let error: DNSClientError?
}

/// Tells secondaries that zones changed (RFC 1996), so they transfer the new version at once
/// instead of at their next SOA refresh.
///
/// Each secondary has its own queue and workers, so one that is down delays only its own
/// notifications. A zone that changes again before its NOTIFY went out is announced once, with
/// the newest serial. Nothing is announced while the store's observers are suspended
/// (`ZoneStore.suspendObservers()`): a primary rebuilding its zones tells nobody until done.
final class ZoneNotifier: Sendable {
    /// How many NOTIFYs are outstanding at once per secondary.
    static let workersPerTarget = 8

    private let store: ZoneStore
    private let targets: [SocketAddress]
    private let key: TSIGKey?
    private let client: DNSClient
    private let queues: [ZoneQueue]
    private let report: @Sendable (ZoneNotification) -> Void

    init(
        store: ZoneStore, configuration: DNSServerConfiguration, client: DNSClient = DNSClient(),
        report: @escaping @Sendable (ZoneNotification) -> Void
    ) {
        self.store = store
        self.targets = configuration.notifyTargets
        self.key = configuration.notifyKey
        var client = client
        // A secondary that answers at all has been told: only silence is worth a new attempt.
        client.options.timeout = configuration.notifyTimeout
        client.options.retries = max(1, configuration.notifyAttempts) - 1
        self.client = client
        self.queues = configuration.notifyTargets.map { _ in ZoneQueue() }
        self.report = report
    }

    /// Queues a NOTIFY of `origin` to every secondary; while the store's observers are
    /// suspended, the store keeps it for their resumption instead, which comes back here.
    func zoneChanged(_ origin: DomainName) {
        if store.holdIfSuspended(origin) { return }
        for queue in queues { queue.add(origin) }
    }

    /// Sends queued notifications until the task is cancelled.
    func run() async {
        await withDiscardingTaskGroup { group in
            for (target, queue) in zip(targets, queues) {
                for _ in 0..<Self.workersPerTarget {
                    group.addTask {
                        while let origin = await queue.next() {
                            await self.notify(origin, target: target)
                        }
                    }
                }
            }
        }
    }

    private func notify(_ origin: DomainName, target: SocketAddress) async {
        // The serial announced is the one current when the message leaves, not when queued.
        guard let zone = store.zone(origin) else { return }
        let message = DNSMessage(
            id: 0, opcode: .notify, isAuthoritative: true,
            questions: [Question(name: origin, type: .soa)], answers: [zone.soaRecord])
        var failure: DNSClientError?
        do {
            _ = try await client.update(message, server: target, key: key)
        } catch let error as DNSClientError {
            failure = error
        } catch {
            return  // cancelled: the server is stopping
        }
        report(ZoneNotification(zone: origin, serial: zone.soa.serial, target: target, error: failure))
    }
}

/// The zones waiting to be announced to one secondary, in the order they changed, each once.
final class ZoneQueue: Sendable {
    private struct State {
        var order: [DomainName] = []
        var head = 0
        var pending: Set<DomainName> = []
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    func add(_ origin: DomainName) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard state.pending.insert(origin).inserted else { return nil }
            state.order.append(origin)
            return state.waiters.isEmpty ? nil : state.waiters.removeFirst()
        }
        waiter?.resume()
    }

    /// The next zone to announce, waiting for one; nil once the task is cancelled.
    func next() async -> DomainName? {
        while !Task.isCancelled {
            if let origin = take() { return origin }
            await withTaskCancellationHandler {
                await withCheckedContinuation { continuation in
                    let ready = state.withLock { state in
                        if state.head < state.order.count || Task.isCancelled { return true }
                        state.waiters.append(continuation)
                        return false
                    }
                    if ready { continuation.resume() }
                }
            } onCancel: {
                // Wakes every waiter; those whose task is not cancelled wait again.
                let waiters = state.withLock { state in
                    defer { state.waiters = [] }
                    return state.waiters
                }
                for waiter in waiters { waiter.resume() }
            }
        }
        return nil
    }

    private func take() -> DomainName? {
        state.withLock { state in
            guard state.head < state.order.count else { return nil }
            let origin = state.order[state.head]
            state.head += 1
            // Drop what was taken once it is most of the array, keeping removal amortised O(1).
            if state.head > 64 && state.head * 2 > state.order.count {
                state.order.removeFirst(state.head)
                state.head = 0
            }
            state.pending.remove(origin)
            return origin
        }
    }
}
