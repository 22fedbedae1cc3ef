import Foundation
import LBCore

/// One batch of the engine, seen from outside: the aliases that fell due together, polled once,
/// decided and published. History, metrics and the service dashboard are built from these.
public struct EvaluationRound: Sendable {
    /// The evaluations of the batch, in alias name order.
    public let evaluations: [AliasEvaluation]
    /// When polling started (wall clock, for people and the history).
    public var startedAt: Date
    /// From the first poll sent to the last answer or timeout.
    public var pollDuration: Duration
    /// From the first poll sent to the last publication finished.
    public var duration: Duration
    /// The distinct nodes polled (a node shared by several aliases counts once).
    public var nodesPolled: Int
    /// Whether the engine's schedule started the batch (false for `evaluateAll()`).
    public var scheduled: Bool

    public init(
        evaluations: [AliasEvaluation], startedAt: Date, pollDuration: Duration, duration: Duration,
        nodesPolled: Int, scheduled: Bool
    ) {
        self.evaluations = evaluations
        self.startedAt = startedAt
        self.pollDuration = pollDuration
        self.duration = duration
        self.nodesPolled = nodesPolled
        self.scheduled = scheduled
        self.pollFailuresByCause = Self.pollFailures(evaluations)
        self.publishFailuresByTarget = Self.publishFailures(evaluations)
    }

    /// Failed polls of the batch by `PollFailure.code`, one per member address that gave no load
    /// (a node shared by two aliases counts in each). Counted once, here: several observers
    /// read it.
    public let pollFailuresByCause: [String: Int]

    /// Publication results that failed, by target (`internal view`, `embedded zone`...).
    public let publishFailuresByTarget: [String: Int]

    private static func pollFailures(_ evaluations: [AliasEvaluation]) -> [String: Int] {
        var counts: [String: Int] = [:]
        for evaluation in evaluations {
            for member in evaluation.decision.members {
                for address in member.evaluation.addresses {
                    if case .failure(let failure) = address.outcome { counts[failure.code, default: 0] += 1 }
                }
            }
        }
        return counts
    }

    private static func publishFailures(_ evaluations: [AliasEvaluation]) -> [String: Int] {
        var counts: [String: Int] = [:]
        for evaluation in evaluations {
            for result in evaluation.results {
                if case .failed = result.action { counts[result.target, default: 0] += 1 }
            }
        }
        return counts
    }
}
