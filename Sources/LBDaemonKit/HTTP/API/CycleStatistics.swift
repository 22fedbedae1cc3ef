import Foundation

/// The engine's recent batches in figures, for `/api/v1/instance` and `lbd status`.
public struct CycleStatistics: Hashable, Sendable, Codable {
    /// Batches finished since start.
    public var batches: Int
    /// When the last batch started polling.
    public var lastStartedAt: Date
    /// Seconds from the last batch's first poll to its last publication.
    public var lastDuration: Double
    /// The mean of `duration` over the last `window` batches, in seconds.
    public var meanDuration: Double
    /// How many batches the figures below cover (at most `CycleStatisticsRecorder.window`).
    public var window: Int
    /// Member addresses polled over the window (a node shared by two aliases counts in each).
    public var polls: Int
    /// Those that gave no load.
    public var pollFailures: Int
    /// `pollFailures` by `PollFailure.code`.
    public var pollFailuresByCause: [String: Int]
    /// Publications that failed over the window.
    public var publishFailures: Int

    public init(
        batches: Int, lastStartedAt: Date, lastDuration: Double, meanDuration: Double, window: Int,
        polls: Int, pollFailures: Int, pollFailuresByCause: [String: Int], publishFailures: Int
    ) {
        self.batches = batches
        self.lastStartedAt = lastStartedAt
        self.lastDuration = lastDuration
        self.meanDuration = meanDuration
        self.window = window
        self.polls = polls
        self.pollFailures = pollFailures
        self.pollFailuresByCause = pollFailuresByCause
        self.publishFailures = publishFailures
    }
}

/// Keeps the engine's last batches to answer `CycleStatistics`: an `EvaluationObserver` that
/// only counts in memory, so it returns at once.
public actor CycleStatisticsRecorder: EvaluationObserver {
    /// How many batches the means and counts cover.
    public static let window = 100

    private struct Batch {
        var startedAt: Date
        var duration: Double
        var polls: Int
        var failures: [String: Int]
        var publishFailures: Int
    }

    private var recent: [Batch] = []
    private var batches = 0

    public init() {}

    public func observe(_ round: EvaluationRound) {
        let duration =
            Double(round.duration.components.seconds) + Double(round.duration.components.attoseconds) / 1e18
        let polls = round.evaluations.reduce(0) { total, evaluation in
            total + evaluation.decision.members.reduce(0) { $0 + $1.evaluation.addresses.count }
        }
        recent.append(
            Batch(
                startedAt: round.startedAt, duration: duration, polls: polls,
                failures: round.pollFailuresByCause,
                publishFailures: round.publishFailuresByTarget.values.reduce(0, +)))
        if recent.count > Self.window { recent.removeFirst(recent.count - Self.window) }
        batches += 1
    }

    /// The figures; nil before the first batch.
    public var statistics: CycleStatistics? {
        guard let last = recent.last else { return nil }
        var causes: [String: Int] = [:]
        for batch in recent { causes.merge(batch.failures, uniquingKeysWith: +) }
        return CycleStatistics(
            batches: batches, lastStartedAt: last.startedAt, lastDuration: last.duration,
            meanDuration: recent.map(\.duration).reduce(0, +) / Double(recent.count), window: recent.count,
            polls: recent.map(\.polls).reduce(0, +), pollFailures: causes.values.reduce(0, +),
            pollFailuresByCause: causes, publishFailures: recent.map(\.publishFailures).reduce(0, +))
    }
}
