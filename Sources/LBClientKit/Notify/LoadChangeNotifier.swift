import Logging

/// Tells one receiver when the node's answer changed, as ``LoadChangeDetector`` defines a
/// change, compared with the answer that receiver was last told of.
///
/// Comparing with what was delivered, not with the previous evaluation, means a load that
/// creeps by small steps is told once the steps add up, and a notification that failed is
/// sent again: at the next change, or once `retryBackoff` (doubling from its lower bound to its
/// upper one) has passed. Failures are logged at most once per `logInterval`, with a count.
///
/// Invariant: `told` only ever holds an answer the receiver acknowledged (or, for a trap, that
/// was sent).
public actor LoadChangeNotifier {
    /// What one ``offer(_:)`` did, for tests and logs.
    public enum Outcome: Hashable, Sendable {
        /// Nothing changed since the receiver was last told.
        case unchanged
        /// The receiver was told of these changes.
        case sent([LoadChangeDetector.Change])
        /// Sending failed; it is retried at the next change or after the backoff.
        case failed([LoadChangeDetector.Change])
        /// A send failed recently and the answer is still the one that failed: waiting for the
        /// backoff.
        case waitingToRetry
    }

    public nonisolated let sender: any LoadNotificationSending
    private let detector: LoadChangeDetector
    private let retryBackoff: ClosedRange<Duration>
    private let logInterval: Duration
    private let now: @Sendable () -> ContinuousClock.Instant
    private let logger: Logger

    private var told = NodeLoads()
    private var retry: (loads: NodeLoads, notBefore: ContinuousClock.Instant, backoff: Duration)?
    private var failureLog: (loggedAt: ContinuousClock.Instant, unlogged: Int)?

    public init(
        sender: any LoadNotificationSending, detector: LoadChangeDetector = LoadChangeDetector(),
        retryBackoff: ClosedRange<Duration> = .seconds(1)...(.seconds(60)),
        logInterval: Duration = .seconds(60),
        now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }, logger: Logger
    ) {
        self.sender = sender
        self.detector = detector
        self.retryBackoff = retryBackoff
        self.logInterval = logInterval
        self.now = now
        self.logger = logger
    }

    /// Considers a new evaluation of the node; sends when it is a change for the receiver.
    /// Waits for the send (bounded by the sender's timeout and retries).
    @discardableResult
    public func offer(_ answer: PassAnswer?) async -> Outcome {
        let current = NodeLoads(answer)
        let changes = detector.changes(from: told, to: current)
        guard !changes.isEmpty else {
            // Back to what the receiver knows: nothing is owed any more.
            retry = nil
            return .unchanged
        }
        if let retry, now() < retry.notBefore, detector.changes(from: retry.loads, to: current).isEmpty {
            return .waitingToRetry
        }
        do {
            try await sender.send(report: answer?.value ?? "")
        } catch {
            recordFailure(of: current, error: error)
            return .failed(changes)
        }
        told = current
        retry = nil
        recordSuccess(changes)
        return .sent(changes)
    }

    private func recordFailure(of loads: NodeLoads, error: any Error) {
        let time = now()
        let backoff = retry.map { min($0.backoff * 2, retryBackoff.upperBound) } ?? retryBackoff.lowerBound
        retry = (loads, time + backoff, backoff)
        if let failureLog, time - failureLog.loggedAt < logInterval {
            self.failureLog = (failureLog.loggedAt, failureLog.unlogged + 1)
            return
        }
        let earlier =
            failureLog.map { $0.unlogged > 0 ? " (\($0.unlogged) more failures since the last line)" : "" }
            ?? ""
        logger.warning(
            "cannot notify \(sender.receiverDescription) of the new answer: \(error); retrying at the next change or in \(backoff)\(earlier)"
        )
        failureLog = (time, 0)
    }

    private func recordSuccess(_ changes: [LoadChangeDetector.Change]) {
        let reason = changes.map(\.description).joined(separator: ", ")
        if failureLog != nil {
            logger.notice("notified \(sender.receiverDescription) again after failures: \(reason)")
            failureLog = nil
        } else {
            logger.info("notified \(sender.receiverDescription): \(reason)")
        }
    }
}
