/// Decides whether a configuration read at a reload may replace the one in force.
///
/// A reload is when a truncated, emptied or half-generated file does the most harm: every alias
/// it lacks is withdrawn at once, and resolvers cache the NXDOMAIN. So a configuration that serves
/// no alias is never accepted, and one that withdraws more than `reload.max_withdrawn_share` of
/// the served aliases is refused unless the new file raises that share. Pure: no I/O, no clock.
public enum ReloadGuard {
    /// Whether `new` may replace `old`; the share allowed is the new configuration's, so that an
    /// operator who means a large withdrawal says so in the file that makes it.
    public static func check(old: Configuration, new: Configuration) -> ReloadDecision {
        let served = Set(old.servedAliases.map(\.name))
        if let refusal = servesNothing(new, served: served.count) { return .refuse(refusal) }
        let withdrawn = served.subtracting(new.servedAliases.map(\.name)).sorted()
        let share = new.reload.maximumWithdrawnShare
        if withdrawn.count > allowedWithdrawals(of: served.count, share: share) {
            return .refuse(
                .tooManyWithdrawn(withdrawn: withdrawn.count, served: served.count, maximumShare: share))
        }
        return .accept(withdrawn: withdrawn)
    }

    /// At start, with nothing in force: a configuration that serves no alias is refused too, since
    /// an lbd that polls and publishes nothing is a mistake, not a setup.
    public static func checkStart(_ configuration: Configuration) throws(ReloadRefusal) {
        if let refusal = servesNothing(configuration, served: 0) { throw refusal }
    }

    /// The most aliases of `served` that `share` lets one reload withdraw.
    static func allowedWithdrawals(of served: Int, share: Double) -> Int {
        // A small tolerance, so that 0.29 × 100 (28.999...) allows 29.
        Int((share * Double(served) + 1e-9).rounded(.down))
    }

    private static func servesNothing(_ configuration: Configuration, served: Int) -> ReloadRefusal? {
        guard configuration.servedAliases.isEmpty else { return nil }
        if let partition = configuration.partition, !configuration.aliases.isEmpty {
            return .noAliasInPartition(
                partition: partition, configured: configuration.aliases.count, served: served)
        }
        return .noAlias(served: served)
    }
}

/// What `ReloadGuard` decided about a new configuration.
public enum ReloadDecision: Hashable, Sendable {
    /// Use it; `withdrawn` are the served aliases it no longer serves, sorted.
    case accept(withdrawn: [String])
    /// Keep the configuration in force.
    case refuse(ReloadRefusal)
}

/// Why a configuration was not put in force, with the numbers an operator needs to decide.
public enum ReloadRefusal: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file configures no alias at all (an empty file, or one whose aliases were left out);
    /// `served` is how many aliases are served now.
    case noAlias(served: Int)
    /// The file has aliases, but none in this instance's partition.
    case noAliasInPartition(partition: String, configured: Int, served: Int)
    /// The file would withdraw `withdrawn` of the `served` aliases, more than `maximumShare`.
    case tooManyWithdrawn(withdrawn: Int, served: Int, maximumShare: Double)

    public var description: String {
        switch self {
        case .noAlias(let served):
            return "the configuration has no alias\(Self.wouldWithdrawAll(served)); "
                + "lbd serves at least one alias (to serve none, stop lbd)"
        case .noAliasInPartition(let partition, let configured, let served):
            return "none of the \(configured) aliases of the configuration is in partition '\(partition)'"
                + "\(Self.wouldWithdrawAll(served)); check `partition` (to serve none, stop lbd)"
        case .tooManyWithdrawn(let withdrawn, let served, let maximumShare):
            return "the configuration would withdraw \(withdrawn) of the \(served) served aliases "
                + "(\(Self.percent(Double(withdrawn) / Double(max(served, 1))))), more than "
                + "reload.max_withdrawn_share \(Self.percent(maximumShare)) allows "
                + "(\(ReloadGuard.allowedWithdrawals(of: served, share: maximumShare))); if this is meant, "
                + "set reload.max_withdrawn_share to 100% in the file and reload, or restart lbd"
        }
    }

    private static func wouldWithdrawAll(_ served: Int) -> String {
        served == 0 ? "" : ": it would withdraw all \(served) served aliases"
    }

    /// `50%`, `33.3%`: one decimal at most.
    static func percent(_ share: Double) -> String {
        let tenths = (share * 1000).rounded()
        return tenths.truncatingRemainder(dividingBy: 10) == 0
            ? "\(Int(tenths / 10))%" : "\(tenths / 10)%"
    }
}
