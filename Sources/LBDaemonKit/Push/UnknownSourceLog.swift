import LBCore
import Logging
import Synchronization

/// Logs notifications from sources that are no member's address at most once a minute per
/// source, so that a scan or a misdirected fleet cannot flood the log. Remembers at most
/// `capacity` sources.
final class UnknownSourceLog: Sendable {
    private let logger: Logger
    private let interval: Duration
    private let capacity: Int
    private let now: @Sendable () -> ContinuousClock.Instant
    private let state = Mutex(State())

    private struct State {
        var lastLogged: [NodeAddress: ContinuousClock.Instant] = [:]
        /// While the table is full, when its oldest entry expires: no purge frees a place
        /// before then, so a spray of spoofed sources does not pay for one per datagram (this
        /// runs on the listener's event loop, for every datagram from an unknown source).
        var fullUntil: ContinuousClock.Instant?
    }

    init(
        logger: Logger, interval: Duration = .seconds(60), capacity: Int = 1_024,
        now: @escaping @Sendable () -> ContinuousClock.Instant
    ) {
        self.logger = logger
        self.interval = interval
        self.capacity = capacity
        self.now = now
    }

    /// Logs `source` unless it was logged within the interval; `because` says why it is unknown.
    func note(_ source: String, address: NodeAddress?, because reason: String) {
        let instant = now()
        let shouldLog = state.withLock { state -> Bool in
            guard let address else { return true }
            if let last = state.lastLogged[address], instant - last < interval { return false }
            if state.lastLogged.count >= capacity {
                if let fullUntil = state.fullUntil, instant < fullUntil { return false }
                state.lastLogged = state.lastLogged.filter { instant - $0.value < interval }
                guard state.lastLogged.count < capacity else {
                    state.fullUntil = state.lastLogged.values.min().map { $0 + interval }
                    return false
                }
                state.fullUntil = nil
            }
            state.lastLogged[address] = instant
            return true
        }
        guard shouldLog else { return }
        logger.warning(
            "push from unknown source \(source): \(reason); dropped (logged once a minute per source)",
            metadata: ["action": "push", "source": "\(source)"])
    }
}
