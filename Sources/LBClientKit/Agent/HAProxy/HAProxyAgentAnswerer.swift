/// Decides the agent-check reply from the cached answer, the latest evaluation's reasons and
/// HAProxy's request. Pure: every connection's reply comes from here.
///
/// Which alias answers:
/// - `agent-send` naming an alias: that alias (case-insensitive); an alias this node does not
///   report is `down`, so a misspelt name shows in HAProxy instead of passing silently;
/// - no `agent-send` and several aliases: the worst one, that is the first failed alias in
///   answer order, else the highest load, so the node takes traffic only as fast as its
///   busiest alias allows;
/// - a request that is not an alias name: `down`, with the reason.
///
/// Which reply: a negative value (a failed check) is `down #<check>: <why>`; a load in
/// 1...99999 is `up ready <w>%` by ``LoadWeight``; a load above 99999, which lbd would not
/// choose either, is `up drain`; 0 is `down` (lbd does not use it).
public enum HAProxyAgentAnswerer {
    public static func reply(
        answer: PassAnswer?, latest: OutcomeRecord.Latest, request: HAProxyAgentRequest
    ) -> HAProxyAgentReply {
        if case .invalid(let why) = request { return .down(reason: "bad request: \(why)") }
        guard let answer else {
            if case .noConfiguration(let message) = latest {
                return .down(reason: "no lbclient configuration: \(message)")
            }
            return .noChange
        }
        let outcomes = Self.outcomes(of: answer, latest: latest)
        switch request {
        case .alias(let name):
            guard let outcome = outcomes.first(where: { $0.alias.isEmpty || $0.alias.lowercased() == name })
            else {
                return .down(reason: "this node reports no alias \(name)")
            }
            return reply(for: outcome, namingAlias: false)
        case .node, .invalid:
            guard let worst = worst(of: outcomes) else { return .noChange }
            var several = false
            if case .perAlias(let loads) = answer { several = loads.count > 1 }
            return reply(for: worst, namingAlias: several)
        }
    }

    /// The first failed alias in answer order, else the one with the highest load.
    static func worst(of outcomes: [AliasOutcome]) -> AliasOutcome? {
        outcomes.first { $0.value <= 0 } ?? outcomes.max { $0.value < $1.value }
    }

    static func reply(for outcome: AliasOutcome, namingAlias: Bool) -> HAProxyAgentReply {
        let suffix = namingAlias && !outcome.alias.isEmpty ? " (alias \(outcome.alias))" : ""
        switch outcome.value {
        case ..<0:
            let why = outcome.failure ?? Self.failureName(outcome.value)
            return .down(reason: why + suffix)
        case 0:
            return .down(reason: "load 0 is not usable" + suffix)
        case 1...LoadWeight.highestUsableLoad:
            return .ready(weight: LoadWeight.percent(forLoad: outcome.value))
        default:
            return .drain(reason: "load \(outcome.value) is above \(LoadWeight.highestUsableLoad)" + suffix)
        }
    }

    /// The outcomes the cached answer gives, with the record's reasons where the record agrees
    /// with the answer (it may be one evaluation ahead of the cache for a moment).
    static func outcomes(of answer: PassAnswer, latest: OutcomeRecord.Latest) -> [AliasOutcome] {
        var recorded: [AliasOutcome] = []
        if case .outcomes(let outcomes) = latest { recorded = outcomes }
        switch answer {
        case .integer(let value):
            let agreeing = recorded.filter { $0.value == value }
            return agreeing.isEmpty || agreeing.count != recorded.count
                ? [AliasOutcome(alias: "", value: value)] : agreeing
        case .perAlias(let loads):
            return loads.map { pair in
                let failure = recorded.first { $0.alias == pair.alias && $0.value == pair.load }?.failure
                return AliasOutcome(alias: pair.alias, value: pair.load, failure: failure)
            }
        }
    }

    /// `code -1 (nologin)`: the keyword whose failure value this is, when the record has no
    /// reason.
    static func failureName(_ value: Int) -> String {
        guard let keyword = Keyword.allCases.first(where: { $0.failureValue == value }) else {
            return "load \(value) is negative"
        }
        return "code \(value) (\(keyword.rawValue))"
    }
}
