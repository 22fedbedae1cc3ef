import LBCore
import Logging

/// The log lines of one alias evaluation, built apart from the engine so that they can be tested
/// without running one.
///
/// Every evaluation gives one line for the alias (info when DNS is unchanged, notice otherwise)
/// whose `unusable` field names each unusable member's cause, a debug line per member, and a
/// warning per failed publication with its reason. A member's cause is a line of its own only
/// when it appears or changes, so that 700 aliases with a dead node each do not repeat the same
/// warning every few seconds.
struct EvaluationLog {
    struct Line: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: Logger.Metadata
    }

    /// The cause last logged for each unusable member, by alias then node: a cause is logged
    /// again only when it changes. Invariant: only members that were unusable are kept.
    struct Memory: Sendable {
        /// By alias, the code of each unusable member's cause, in member order: a handful per
        /// alias, found by a look along the list rather than by hashing node names.
        var causes: [String: [Cause]] = [:]

        struct Cause: Equatable, Sendable {
            var node: String
            var code: String
        }

        /// Forgets the aliases not in `aliases` (removed at a reload).
        mutating func keepOnly(_ aliases: Set<String>) {
            causes = causes.filter { aliases.contains($0.key) }
        }
    }

    /// - Parameter minimumLevel: lines below it are not built (a debug line per member is most
    ///   of the cost at info level, the default).
    static func lines(
        for evaluation: AliasEvaluation, memory: inout Memory, minimumLevel: Logger.Level = .trace
    ) -> [Line] {
        let decision = evaluation.decision
        let alias = decision.alias
        var lines = minimumLevel <= .debug ? decision.members.map { memberLine($0, alias: alias) } : []
        lines += causeLines(decision, memory: &memory)
        for result in evaluation.results {
            guard case .failed(let reason) = result.action else { continue }
            lines.append(
                Line(
                    level: .warning,
                    message: "\(alias): publishing to the \(result.target) failed: \(reason)",
                    metadata: [
                        "alias": .string(alias), "action": "failed", "target": .string(result.target),
                        "error": .string(reason.code.rawValue),
                    ]))
        }
        lines.append(aliasLine(evaluation))
        for warning in decision.warnings {
            lines.append(
                Line(level: .warning, message: "\(alias): \(warning)", metadata: ["alias": .string(alias)]))
        }
        return lines
    }

    /// Why a member is not usable, in a few words: the failure, the load, or the answer.
    static func cause(_ state: MemberEvaluation.State) -> String? {
        switch state {
        case .usable: return nil
        case .unusableLoad(let load) where load < 0: return "load \(load): a check failed on the node"
        case .unusableLoad(0): return "load 0: the node asks not to be used"
        case .unusableLoad(let load): return "load \(load) is above 99999"
        case .failed(let failure): return failure.description
        case .notListed: return "the node's answer does not list this alias"
        case .unresolved(let reason): return "no address" + (reason.map { ": \($0)" } ?? "")
        }
    }

    /// A stable code for a member's cause: the failure's code, else the state's.
    static func causeCode(_ state: MemberEvaluation.State) -> String {
        if let failure = state.failure { return failure.code }
        return DecisionExplanation.stateCode(state)
    }

    private static func memberLine(_ member: MemberDecision, alias: String) -> Line {
        let state = member.evaluation.state
        var metadata: Logger.Metadata = [
            "alias": .string(alias), "node": .string(member.node),
            "address": .string(member.evaluation.addresses.map(\.address.description).joined(separator: " ")),
            "state": .string(DecisionExplanation.stateCode(state)),
            "reason": .string(DecisionExplanation.reasonCode(member.reason)),
        ]
        if let load = member.evaluation.load { metadata["load"] = .stringConvertible(load) }
        if let failure = state.failure { metadata["error"] = .string(failure.code) }
        let detail = cause(state) ?? "load \(member.evaluation.load ?? 0)"
        return Line(
            level: .debug,
            message: "\(alias): \(member.node) \(DecisionExplanation.reasonCode(member.reason)): \(detail)",
            metadata: metadata)
    }

    /// A line for each member whose cause appeared or changed, and for each that recovered.
    private static func causeLines(_ decision: Decision, memory: inout Memory) -> [Line] {
        let alias = decision.alias
        let before = memory.causes.isEmpty ? [] : memory.causes[alias] ?? []
        var now: [Memory.Cause] = []
        var lines: [Line] = []
        // By index, so that a member is copied only when it has something to say.
        for index in decision.members.indices {
            let state = decision.members[index].evaluation.state
            guard !state.isUsable else {
                guard !before.isEmpty else { continue }
                let member = decision.members[index]
                if before.contains(where: { $0.node == member.node }) {
                    lines.append(
                        Line(
                            level: .notice,
                            message:
                                "\(alias): \(member.node) is usable again (load \(member.evaluation.load ?? 0))",
                            metadata: [
                                "alias": .string(alias), "node": .string(member.node), "state": "usable",
                                "load": .stringConvertible(member.evaluation.load ?? 0),
                            ]))
                }
                continue
            }
            let member = decision.members[index]
            let code = causeCode(state)
            now.append(Memory.Cause(node: member.node, code: code))
            guard before.first(where: { $0.node == member.node })?.code != code, let cause = cause(state)
            else {
                continue
            }
            var metadata: Logger.Metadata = [
                "alias": .string(alias), "node": .string(member.node),
                "state": .string(DecisionExplanation.stateCode(state)), "error": .string(code),
            ]
            if let load = member.evaluation.load { metadata["load"] = .stringConvertible(load) }
            lines.append(
                Line(
                    level: isFault(state) ? .warning : .info,
                    message: "\(alias): \(member.node) is not usable: \(cause)", metadata: metadata))
        }
        // Most aliases keep their unusable members from one evaluation to the next: nothing to write.
        if now != before { memory.causes[alias] = now.isEmpty ? nil : now }
        return lines
    }

    /// Whether the cause needs an operator (a failure, a name that does not resolve), rather
    /// than being what the node itself reports (a drained node, a failed lbclient check).
    private static func isFault(_ state: MemberEvaluation.State) -> Bool {
        switch state {
        case .failed, .unresolved: return true
        case .usable, .unusableLoad, .notListed: return false
        }
    }

    private static func aliasLine(_ evaluation: AliasEvaluation) -> Line {
        let decision = evaluation.decision
        let chosen =
            decision.publish.map { $0.isEmpty ? "no address" : $0.map(\.description).joined(separator: " ") }
            ?? "(kept)"
        let previous = evaluation.results.first?.previous.map { $0.map(\.description).joined(separator: " ") }
        let action = evaluation.action
        let reason = evaluation.reason
        var metadata: Logger.Metadata = [
            "alias": .string(decision.alias), "action": .string(action),
            "reason": .string(reason), "chosen": .string(chosen),
            "usable": .stringConvertible(decision.usableCount),
            "members": .stringConvertible(decision.members.count),
        ]
        if let previous { metadata["previous"] = .string(previous) }
        var unusable: Logger.Metadata = [:]
        for index in decision.members.indices where !decision.members[index].evaluation.state.isUsable {
            unusable[decision.members[index].node] = .string(
                causeCode(decision.members[index].evaluation.state))
        }
        if !unusable.isEmpty { metadata["unusable"] = .dictionary(unusable) }
        let was = previous.map { $0.isEmpty ? " (was empty)" : " (was \($0))" } ?? ""
        return Line(
            level: action == "unchanged" || action == "standby" ? .info : .notice,
            message: "\(decision.alias): \(action) \(chosen)\(was): \(reason)",
            metadata: metadata)
    }
}
