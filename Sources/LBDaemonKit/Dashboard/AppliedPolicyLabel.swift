import LBCore

extension AppliedPolicy {
    /// The policy as the dashboards name it: `best 2`, `all usable`, `random (none usable)`...
    /// - Parameter bestHosts: the alias's `best_hosts`, when known, to say how many.
    func dashboardLabel(bestHosts: BestHosts? = nil) -> String {
        switch self {
        case .bestN:
            if case .count(let count) = bestHosts { "best \(count)" } else { "best N" }
        case .allUsable: "all usable"
        case .random: "random (none usable)"
        case .empty: "empty (none usable)"
        case .keep: "keep (none usable)"
        }
    }
}
