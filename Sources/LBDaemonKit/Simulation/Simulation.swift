import LBCore

/// Runs the selection of every served alias on a set of node reports: what lbd would publish.
public enum Simulation {
    /// The decisions, one per served alias, in alias name order (so a seed reproduces them).
    public static func run<R: RandomNumberGenerator>(
        configuration: Configuration, reports: NodeReportsFile, using random: inout R
    ) -> [Decision] {
        configuration.servedAliases.sorted { $0.name < $1.name }.map { alias in
            Selection.decide(
                alias: alias.name, parameters: alias.parameters,
                members: alias.members.map(reports.report(for:)),
                using: &random)
        }
    }
}
