import LBCore

/// Runs the selection of every served alias on a set of node reports: what lbd would publish.
public enum Simulation {
    /// The decisions of the reports' last round, one per served alias, in alias name order (so a
    /// seed reproduces them).
    ///
    /// - Parameter drains: drains in force in every round besides the file's (`--drain`).
    public static func run<R: RandomNumberGenerator>(
        configuration: Configuration, reports: NodeReportsFile, drains: [Drain] = [],
        using random: inout R
    ) -> [Decision] {
        rounds(configuration: configuration, reports: reports, drains: drains, using: &random).last ?? []
    }

    /// The decisions of every round of the reports, in order: each round starts from what the
    /// previous one left for the alias (what DNS holds, `rise`/`fall` streaks), the first from
    /// the file's `published`, as lbd's engine does from one evaluation to the next.
    public static func rounds<R: RandomNumberGenerator>(
        configuration: Configuration, reports: NodeReportsFile, drains: [Drain] = [],
        using random: inout R
    ) -> [[Decision]] {
        let aliases = configuration.servedAliases.sorted { $0.name < $1.name }
        var memories = aliases.map { alias in
            SelectionMemory(published: reports.published[AliasConfiguration.normalisedName(alias.name)])
        }
        return reports.rounds.indices.map { round in
            let inForce = reports.drains + drains + reports.rounds[round].drains
            return aliases.indices.map { index in
                let alias = aliases[index]
                return Selection.decide(
                    alias: alias.name, parameters: alias.parameters,
                    members: alias.members.map { reports.report(for: $0, round: round) },
                    memory: &memories[index], drains: covering(inForce, alias), using: &random)
            }
        }
    }

    /// The drains that cover members of `alias`, by member name (the first one given wins), as
    /// the engine applies them.
    static func covering(_ drains: [Drain], _ alias: AliasConfiguration) -> [String: Drain] {
        var covering: [String: Drain] = [:]
        for drain in drains {
            for member in alias.members
            where covering[member] == nil && drain.covers(node: member, alias: alias.name) {
                covering[member] = drain
            }
        }
        return covering
    }
}
