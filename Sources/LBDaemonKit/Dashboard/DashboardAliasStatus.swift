import LBCore

/// How an alias is doing, in the words of the index page and its status filter.
enum DashboardAliasStatus: String, CaseIterable, Hashable, Sendable {
    /// Every member usable, and the publication went through.
    case healthy
    /// Some member unusable, or fewer usable than `best_hosts` asks for.
    case degraded
    /// No member usable: the `when_none_usable` policy decided.
    case noneUsable = "none-usable"
    /// A publisher failed to write the decision (every place, or some).
    case failing
    /// Not evaluated since lbd started or the alias was added.
    case notEvaluated = "not-evaluated"

    /// The status of an alias with `members` members, given its latest evaluation.
    init(members: Int, evaluation: AliasEvaluation?) {
        guard let evaluation else {
            self = .notEvaluated
            return
        }
        let decision = evaluation.decision
        let short = decision.warnings.contains {
            if case .fewerUsableThanRequested = $0 { return true } else { return false }
        }
        if evaluation.action == "failed" || evaluation.action == "partly-failed" {
            self = .failing
        } else if decision.usableCount == 0 {
            self = .noneUsable
        } else if short || decision.usableCount < max(members, decision.members.count) {
            self = .degraded
        } else {
            self = .healthy
        }
    }

    var label: String {
        switch self {
        case .healthy: "healthy"
        case .degraded: "degraded"
        case .noneUsable: "none usable"
        case .failing: "failing to publish"
        case .notEvaluated: "not evaluated"
        }
    }

    /// The status as a badge.
    var badge: String {
        "<span class=\"status \(rawValue)\" data-status=\"\(rawValue)\">\(label)</span>"
    }
}
