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
    private let lastLogged = Mutex<[NodeAddress: ContinuousClock.Instant]>([:])

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
        let shouldLog = lastLogged.withLock { logged -> Bool in
            guard let address else { return true }
            if let last = logged[address], instant - last < interval { return false }
            if logged.count >= capacity {
                logged = logged.filter { instant - $0.value < interval }
                guard logged.count < capacity else { return false }
            }
            logged[address] = instant
            return true
        }
        guard shouldLog else { return }
        logger.warning(
            "push from unknown source \(source): \(reason); dropped (logged once a minute per source)",
            metadata: ["action": "push", "source": "\(source)"])
    }
}
