import LBCore

/// Which rule gave an alias its addresses in one evaluation, as the decisions page and the
/// history name it.
public enum AppliedPolicy: String, Hashable, Sendable, Codable, CaseIterable {
    /// The `best_hosts` least loaded usable members.
    case bestN = "best_n"
    /// Every usable member (`best_hosts: -1`).
    case allUsable = "all_usable"
    /// Nothing was usable: members picked at random (`when_none_usable: random`).
    case random
    /// Nothing was usable: no address published (`when_none_usable: empty`).
    case empty
    /// Nothing was usable: DNS left as it was (`when_none_usable: keep`).
    case keep

    /// The policy behind `decision`.
    public init(_ decision: Decision) {
        switch decision.appliedPolicy {
        case .random: self = .random
        case .empty: self = .empty
        case .keep: self = .keep
        case nil: self = decision.parameters.bestHosts == .allUsable ? .allUsable : .bestN
        }
    }
}
