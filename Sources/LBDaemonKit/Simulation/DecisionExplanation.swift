import LBCore

/// The words lbd uses to explain a decision, shared by the table, JSON and logs.
enum DecisionExplanation {
    /// A stable code for a member's state.
    static func stateCode(_ state: MemberEvaluation.State) -> String {
        switch state {
        case .usable: return "usable"
        case .unusableLoad: return "unusable_load"
        case .failed(let failure) where failure.isSilence: return "no_answer"
        case .failed: return "error"
        case .notListed: return "not_listed"
        case .unresolved: return "unresolved"
        }
    }

    /// A stable code for why a member is or is not published.
    static func reasonCode(_ reason: MemberDecision.Reason) -> String {
        switch reason {
        case .chosen: return "chosen"
        case .rankedOut: return "ranked_out"
        case .pickedAtRandom: return "picked_at_random"
        case .unusable: return "unusable"
        }
    }

    /// One sentence on a member, for an operator.
    static func detail(_ member: MemberDecision, bestHosts: BestHosts) -> String {
        switch member.reason {
        case .chosen:
            return "among the \(bestHosts == .allUsable ? "usable" : "\(bestHosts) least loaded") members"
        case .rankedOut:
            return "usable, but \(bestHosts) less loaded member(s) were chosen"
        case .pickedAtRandom:
            return "picked at random: no member was usable (when_none_usable random)"
        case .unusable:
            return stateDetail(member.evaluation.state)
        }
    }

    static func stateDetail(_ state: MemberEvaluation.State) -> String {
        switch state {
        case .usable(let load): return "load \(load)"
        case .unusableLoad(let load) where load <= 0:
            return "load \(load): "
                + (load < 0 ? "a check failed on the node" : "the node asks not to be used")
        case .unusableLoad(let load): return "load \(load) is above 99999"
        case .failed(let failure) where failure.isSilence: return failure.description
        case .failed(let failure): return "error: \(failure)"
        case .notListed: return "the node's answer does not list this alias"
        case .unresolved(let reason): return "no address" + (reason.map { ": \($0)" } ?? "")
        }
    }

    static func outcomeDetail(_ outcome: MemberEvaluation.AddressOutcome) -> String {
        switch outcome {
        case .load(let load): return "load \(load)"
        case .notListed: return "alias not listed"
        case .failure(let failure) where failure.isSilence: return failure.description
        case .failure(let failure): return "error: \(failure)"
        }
    }
}
