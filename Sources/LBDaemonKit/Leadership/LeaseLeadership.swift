import Foundation
import Logging

/// `ha.mode: lease`: the instance that holds the partition's PostgreSQL lease publishes, with
/// the lease's fencing token on every UPDATE.
///
/// The holder renews every ttl/3 and a standby tries to take the lease every ttl/3, so a standby
/// takes over at most ttl + ttl/3 after the holder stopped renewing (at once after a clean stop,
/// which releases the lease). The expiry is the database's clock; the holder also keeps a local
/// deadline on the monotonic clock, counted from the moment its last successful request was
/// *sent*: the database's expiry can only be later than that instant plus the TTL.
///
/// Invariant: a permit is given only before `deadline = sent + ttl − safetyMargin`, so an
/// instance that is frozen (SIGSTOP) or cut off from the database stops publishing by itself
/// before another can take the lease, even before it learns that it lost it.
public actor LeaseLeadership: Leadership {
    public nonisolated let partition: String
    public nonisolated let instance: String
    /// Seconds a lease lasts unless renewed.
    public nonisolated let ttl: Double
    private let store: LeaseStore
    private let clock: any LeaseClock
    private let logger: Logger

    private var role: LeadershipRole = .standby
    /// The token of the lease this instance holds (or held until its deadline passed, which a
    /// renewal may still confirm); nil when it knows the lease is not its own.
    private var heldToken: Int64?
    private var deadline: ContinuousClock.Instant?
    private var lastRenewal: ContinuousClock.Instant?
    private var peer: String?
    /// The other holder's row as last read, and when: the standby's `age`.
    private var observed: (record: LeaseRecord, at: ContinuousClock.Instant)?
    private var since: Date?
    private var reason = "starting: the lease has not been tried yet"
    private var subscribers = RoleSubscribers()
    private var failures = FailureWarnings()

    /// Seconds between two renewals by the holder, or two attempts by a standby.
    public nonisolated var interval: Double { ttl / 3 }
    /// Seconds before the lease can expire at which the holder stops publishing, for the drift
    /// between its clock and the database's.
    public nonisolated var safetyMargin: Double { ttl / 10 }

    /// Seconds allowed to connect, and again for each statement: a third of the TTL, so that
    /// attempts keep their pace when the database does not answer.
    public static func operationTimeout(ttl: Double) -> Double { max(1, ttl / 3) }

    /// - Parameters:
    ///   - partition: the row's key: the config's `partition`, or "default".
    ///   - instance: the holder's name (`--instance-name`, else the host name).
    public init(
        settings: LeaseSettings, partition: String, instance: String, logger: Logger,
        clock: any LeaseClock = SystemLeaseClock()
    ) throws(LeaseError) {
        let store = try LeaseStore(
            settings: settings, timeout: Self.operationTimeout(ttl: settings.ttl), logger: logger)
        self.init(
            store: store, ttl: settings.ttl, partition: partition, instance: instance, logger: logger,
            clock: clock)
    }

    /// A leadership over an existing store (tests share one database between instances).
    public init(
        store: LeaseStore, ttl: Double, partition: String, instance: String, logger: Logger,
        clock: any LeaseClock = SystemLeaseClock()
    ) {
        self.store = store
        self.ttl = ttl
        self.partition = partition
        self.instance = instance
        self.clock = clock
        var logger = logger
        logger[metadataKey: "partition"] = "\(partition)"
        self.logger = logger
    }

    // MARK: - Leadership

    public func publishingPermit() async -> PublishingPermit? {
        expireIfDue()
        guard role == .active, let heldToken else { return nil }
        return PublishingPermit(fencingToken: heldToken)
    }

    public func status() async -> LeadershipStatus {
        expireIfDue()
        let now = clock.now
        var age: Double?
        if role == .active, let lastRenewal {
            age = Self.seconds(lastRenewal.duration(to: now))
        } else if let observed {
            // How long ago the holder last renewed, from the expiry the database reported.
            age = max(0, ttl - observed.record.remaining + Self.seconds(observed.at.duration(to: now)))
        }
        return LeadershipStatus(
            mode: "lease", role: role, instance: instance, peer: peer, since: since, age: age,
            fencingToken: role == .active ? heldToken : nil, reason: reason)
    }

    public func run() async {
        logger.info(
            "lease leadership started: ttl \(LeaseError.seconds(ttl)), attempts every \(LeaseError.seconds(interval))",
            metadata: ["database": "\(store.url)", "table": "\(store.table)"])
        while !Task.isCancelled {
            let sent = clock.now
            await attempt(sentAt: sent)
            var wake = sent.advanced(by: Self.duration(interval))
            // While the database does not answer, give up the role at the deadline, not later.
            if role == .active, let deadline, deadline < wake { wake = deadline }
            do {
                try await clock.sleep(until: wake)
            } catch {
                break
            }
            expireIfDue()
        }
        await stop()
    }

    /// Nothing to do: the lease says the process renews, not that the engine completes rounds.
    public func roundCompleted() async {}

    public func roleChanges() async -> AsyncStream<LeadershipRole> {
        subscribers.subscribe(current: role) { [weak self] id in
            Task { await self?.unsubscribe(id) }
        }
    }

    // MARK: - Rounds

    private func attempt(sentAt sent: ContinuousClock.Instant) async {
        if let token = heldToken {
            await renew(token: token, sentAt: sent)
            // Lost it: try to take it again in the same round only if it is free.
            if heldToken != nil || Task.isCancelled { return }
        }
        do {
            switch try await store.acquire(partition: partition, holder: instance, ttl: ttl) {
            case .acquired(let token, let remaining):
                answered()
                hold(token: token, remaining: remaining, sentAt: sent, acquired: true)
            case .refused(let current):
                answered()
                observe(current, at: sent)
            }
        } catch {
            failed(error, operation: "acquire")
        }
    }

    private func renew(token: Int64, sentAt sent: ContinuousClock.Instant) async {
        do {
            let remaining = try await store.renew(
                partition: partition, holder: instance, token: token, ttl: ttl)
            answered()
            guard heldToken == token else { return }
            if let remaining {
                hold(token: token, remaining: remaining, sentAt: sent, acquired: false)
                return
            }
            heldToken = nil
            let why =
                "the database refused the renewal: the lease with token \(token) expired or was taken over"
            if role == .active {
                lose(why, level: .notice)
            } else {
                // Its deadline had already ended the permit (a frozen or cut-off holder): now it knows.
                reason = "standby: \(why)"
                logger.notice(
                    "the lease of partition \(partition) is gone: \(why)", metadata: ["action": "lost-lease"])
            }
        } catch {
            failed(error, operation: "renew")
        }
    }

    /// The database confirmed that this instance holds the lease with `token` since `sent` (a
    /// renewal confirms even a lease whose local deadline passed: nobody could take it meanwhile).
    private func hold(token: Int64, remaining: Double, sentAt sent: ContinuousClock.Instant, acquired: Bool) {
        heldToken = token
        lastRenewal = sent
        deadline = sent.advanced(by: Self.duration(min(ttl, remaining) - safetyMargin))
        observed = nil
        reason = "holds the lease of partition \(partition) with token \(token)"
        guard role != .active else { return }
        role = .active
        since = Date()
        logger.notice(
            acquired
                ? "acquired the lease of partition \(partition) with token \(token): publishing"
                : "the lease of partition \(partition) with token \(token) was confirmed again: publishing",
            metadata: ["action": "takeover", "token": "\(token)"])
        announce()
    }

    private func observe(_ current: LeaseRecord?, at sent: ContinuousClock.Instant) {
        guard let current else {
            reason = "another instance took the lease of partition \(partition) at the same moment"
            return
        }
        observed = (current, sent)
        if current.holder != instance { peer = current.holder }
        let who = current.holder == instance ? "an earlier run of this instance" : current.holder
        reason =
            "standby: \(who) holds the lease of partition \(partition) (token \(current.token), expires in \(LeaseError.seconds(max(0, current.remaining.rounded()))))"
    }

    /// Gives up the role when the deadline passed without a confirmed renewal.
    private func expireIfDue() {
        guard role == .active, let deadline, clock.now >= deadline else { return }
        lose(
            "no renewal was confirmed in time: the lease may expire in the database within \(LeaseError.seconds(safetyMargin)); stopped publishing",
            level: .warning)
    }

    private func lose(_ why: String, level: Logger.Level) {
        deadline = nil
        reason = "standby: \(why)"
        guard role == .active else { return }
        role = .standby
        since = Date()
        logger.log(
            level: level, "lost the lease of partition \(partition): \(why)",
            metadata: ["action": "lost-lease"])
        announce()
    }

    private func stop() async {
        let token = heldToken
        heldToken = nil
        deadline = nil
        if role == .active {
            role = .standby
            since = Date()
            announce()
        }
        reason = "stopped"
        let (store, partition, instance) = (store, partition, instance)
        if let token {
            // Unstructured: the task running `run()` is cancelled, which would abandon it at once.
            let outcome = await Task { () -> Result<Bool, LeaseError> in
                do {
                    return .success(
                        try await store.release(partition: partition, holder: instance, token: token))
                } catch {
                    return .failure(error as? LeaseError ?? .cancelled(operation: "release"))
                }
            }.value
            switch outcome {
            case .success(true):
                logger.notice(
                    "released the lease of partition \(partition) (token \(token))",
                    metadata: ["action": "released-lease", "token": "\(token)"])
            case .success(false):
                logger.info("the lease of partition \(partition) with token \(token) was no longer held")
            case .failure(let error):
                logger.warning(
                    "could not release the lease of partition \(partition): \(error); the standby takes it when it expires",
                    metadata: ["action": "release-failed"])
            }
        }
        await Task { await store.close() }.value
        subscribers.finish()
    }

    // MARK: - Failures

    private func failed(_ error: LeaseError, operation: String) {
        if case .cancelled = error { return }
        let now = clock.now
        var consequence = "stays standby"
        if role == .active, let deadline, let heldToken {
            let left = max(0, Self.seconds(now.duration(to: deadline)))
            consequence =
                "keeps publishing for at most \(LeaseError.seconds((left * 10).rounded() / 10)) unless renewed"
            reason =
                "holds the lease of partition \(partition) with token \(heldToken); the last renewal failed: \(error)"
        } else {
            reason = "standby: \(error)"
        }
        let message = "lease \(operation) failed: \(error); \(consequence)"
        if let suppressed = failures.shouldWarn(at: now) {
            logger.warning(
                "\(message)\(suppressed > 0 ? " (\(suppressed) similar failures not logged)" : "")",
                metadata: ["action": "lease-failed"])
        } else {
            logger.debug("\(message)")
        }
    }

    private func answered() {
        if failures.recovered() {
            logger.notice("the lease database answers again", metadata: ["action": "lease-recovered"])
        }
    }

    // MARK: - Subscribers

    private func announce() {
        subscribers.announce(role)
    }

    private func unsubscribe(_ id: Int) {
        subscribers.remove(id)
    }

    private static func duration(_ seconds: Double) -> Duration {
        .nanoseconds(Int64((seconds * 1_000_000_000).rounded()))
    }

    private static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

/// A warning per minute while the lease database fails, not one per attempt.
private struct FailureWarnings {
    private var lastWarning: ContinuousClock.Instant?
    private var suppressed = 0
    private var failing = false

    /// The number of failures not logged since the last warning when this one should be logged
    /// as a warning, else nil.
    mutating func shouldWarn(at now: ContinuousClock.Instant, every period: Duration = .seconds(60)) -> Int? {
        failing = true
        if let lastWarning, lastWarning.duration(to: now) < period {
            suppressed += 1
            return nil
        }
        defer { suppressed = 0 }
        lastWarning = now
        return suppressed
    }

    /// Whether the failures just ended.
    mutating func recovered() -> Bool {
        defer {
            failing = false
            lastWarning = nil
            suppressed = 0
        }
        return failing
    }
}
