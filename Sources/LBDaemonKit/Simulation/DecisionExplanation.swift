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
        case .drained: return "drained"
        case .failedOpen: return "failed_open"
        case .keptByMaxChanges: return "kept_by_max_changes"
        }
    }

    /// One sentence on a member, for an operator, followed by what drains, `rise`/`fall`,
    /// stickiness, `max_changes` and `min_usable` did to it.
    static func detail(_ member: MemberDecision, bestHosts: BestHosts) -> String {
        let notes = member.notes.map { note in
            // A drain says until when it lasts: the operator reading it knows when the node returns.
            guard case .drained(let drain) = note, let until = drain.until else { return note.description }
            return "\(note.description) (until \(DrainListing.time(until)))"
        }
        // A drained or failed-open member's note is its whole explanation.
        if member.reason == .drained || member.reason == .failedOpen {
            return notes.joined(separator: "; ")
        }
        return ([reasonDetail(member, bestHosts: bestHosts)] + notes).joined(separator: "; ")
    }

    private static func reasonDetail(_ member: MemberDecision, bestHosts: BestHosts) -> String {
        // Stickiness and max_changes choose otherwise than the load alone: their note says why.
        let overridden = member.notes.contains {
            switch $0 {
            case .keptByStickiness, .heldOutByStickiness, .heldBackByMaxChanges: return true
            default: return false
            }
        }
        switch member.reason {
        case .chosen where overridden:
            return "usable, published"
        case .chosen:
            return "among the \(bestHosts == .allUsable ? "usable" : "\(bestHosts) least loaded") members"
        case .rankedOut where overridden:
            return "usable, not published"
        case .rankedOut:
            return "usable, but \(bestHosts) less loaded member(s) were chosen"
        case .pickedAtRandom:
            return "picked at random: no member was usable (when_none_usable random)"
        case .unusable, .drained, .failedOpen, .keptByMaxChanges:
            return stateDetail(member.evaluation.state)
        }
    }

    /// The options beyond golbd's that the alias sets, as `stickiness 10%, rise 2...`; empty
    /// when it keeps golbd's behaviour.
    static func selectionOptions(_ parameters: AliasParameters) -> [String] {
        var options: [String] = []
        if let stickiness = parameters.stickiness { options.append("stickiness \(stickiness)%") }
        if parameters.rise != 1 { options.append("rise \(parameters.rise)") }
        if parameters.fall != 1 { options.append("fall \(parameters.fall)") }
        if let floor = parameters.minUsable {
            options.append("min_usable \(floor) (\(parameters.belowMinimum.rawValue) below)")
        }
        if let limit = parameters.maxChanges { options.append("max_changes \(limit)") }
        return options
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
