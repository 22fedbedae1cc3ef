import LBCore

/// `AliasStatus` as the index page spells it: its CSS classes and the `?status=` filter use
/// hyphens. The status itself is the API's, so that the page and `/api/v1/aliases` never disagree.
enum DashboardAliasStatus: String, CaseIterable, Hashable, Sendable {
    case healthy
    case degraded
    case noneUsable = "none-usable"
    case failing
    case notEvaluated = "not-evaluated"

    init(_ status: AliasStatus) {
        switch status {
        case .healthy: self = .healthy
        case .degraded: self = .degraded
        case .noneUsable: self = .noneUsable
        case .failingToPublish: self = .failing
        case .notEvaluated: self = .notEvaluated
        }
    }

    /// The status of an alias given its latest evaluation.
    init(evaluation: AliasEvaluation?) {
        self.init(AliasStatus(evaluation))
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
