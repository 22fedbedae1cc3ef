import Foundation
import LBCore

/// One evaluation of one alias: what was decided, what the publishers did with it, and when.
/// The engine keeps the latest per alias for the logs, `lbd evaluate` and the APIs.
public struct AliasEvaluation: Sendable {
    public var decision: Decision
    /// One result per place each publisher writes to; empty when the decision keeps DNS as it is
    /// (no usable member and the alias's policy is to keep) or there is no publisher.
    public var results: [PublicationResult]
    /// When the evaluation finished (wall clock, for people).
    public var finishedAt: Date
    /// This instance was the standby: the decision was not handed to the publishers the
    /// leadership gates (RFC 2136 UPDATEs; the embedded zone when it follows the active's).
    public var standby: Bool

    public init(decision: Decision, results: [PublicationResult], finishedAt: Date, standby: Bool = false) {
        self.decision = decision
        self.results = results
        self.finishedAt = finishedAt
        self.standby = standby
    }

    /// What happened, in one word: `keep` (DNS left alone by policy), `unchanged`, `updated`,
    /// `would-update` (dry run), `failed` when every place failed, `partly-failed` when some did,
    /// `standby` when the decision was not published because another instance publishes.
    public var action: String {
        guard decision.publish != nil else { return "keep" }
        if standby && results.isEmpty { return "standby" }
        let actions = results.map(\.action)
        let failures = actions.filter { if case .failed = $0 { return true } else { return false } }.count
        if failures > 0 {
            // Said apart, so that a dead RFC 2136 server does not read as nothing being served
            // when the embedded zone did take the change.
            return failures == actions.count ? "failed" : "partly-failed"
        }
        if actions.contains(.updated) { return "updated" }
        if actions.contains(.wouldUpdate) { return "would-update" }
        return "unchanged"
    }

    /// Why the alias got what it got, for the log line.
    public var reason: String {
        guard let publish = decision.publish else {
            return "no usable member: keeping what DNS has (\(decision.parameters.whenNoneUsable.rawValue))"
        }
        if let policy = decision.appliedPolicy {
            return "no usable member: \(policy.rawValue) policy publishes \(publish.count) address(es)"
        }
        // Counted, not `decision.chosen`, which sorts them: this line is built for every alias
        // at every evaluation.
        return
            "\(decision.members.count(where: \.isChosen)) of \(decision.usableCount) usable member(s) chosen"
    }
}
