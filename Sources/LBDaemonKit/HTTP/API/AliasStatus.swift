import LBCore

/// An alias's health in one word, as `/api/v1/aliases` and the index page show it.
public enum AliasStatus: String, Hashable, Sendable, Codable, CaseIterable {
    /// As many usable members as `best_hosts` asks, and every place took the decision.
    case healthy
    /// Fewer usable members than `best_hosts`, or some place (not all) failed to take it.
    case degraded
    /// No member usable: the `when_none_usable` policy decided.
    case noneUsable = "none_usable"
    /// Every place failed to take the decision.
    case failingToPublish = "failing_to_publish"
    /// Not evaluated since start (or since its definition changed).
    case notEvaluated = "not_evaluated"

    /// The status of an alias whose latest evaluation is `evaluation`.
    public init(_ evaluation: AliasEvaluation?) {
        guard let evaluation else {
            self = .notEvaluated
            return
        }
        let decision = evaluation.decision
        let action = evaluation.action
        if action == "failed" {
            self = .failingToPublish
        } else if decision.usableCount == 0 {
            self = .noneUsable
        } else if action == "partly-failed" {
            self = .degraded
        } else if case .count(let wanted) = decision.parameters.bestHosts,
            decision.usableCount < min(wanted, decision.members.count)
        {
            self = .degraded
        } else {
            self = .healthy
        }
    }
}
