/// The short text `lbd check-config` prints for a valid configuration: counts, partitions, and
/// every alias with its parameters and members, so that two files can be compared at a glance.
public enum ConfigurationSummary {
    public static func render(_ loaded: LoadedConfiguration, file: String) -> String {
        let configuration = loaded.configuration
        let aliases = configuration.aliases
        let memberships = aliases.reduce(0) { $0 + $1.members.count }
        let nodes = Set(aliases.flatMap(\.members)).count
        let partitions = Dictionary(grouping: aliases, by: \.partition).mapValues(\.count)
        var lines = [
            "\(file): OK (\(loaded.format))",
            "\(aliases.count) alias(es), \(memberships) member(s), \(nodes) distinct node(s), "
                + "\(partitions.count) partition(s)",
        ]
        for (name, count) in partitions.sorted(by: { $0.key < $1.key }) {
            let served = configuration.partition.map { $0 == name ? " (served by this instance)" : "" } ?? ""
            lines.append("partition \(name): \(count) alias(es)\(served)")
        }
        for alias in aliases.sorted(by: { $0.name < $1.name }) {
            let parameters = alias.parameters
            lines.append(
                "alias \(alias.name): best_hosts \(parameters.bestHosts.golbdValue), "
                    + "when_none_usable \(parameters.whenNoneUsable.rawValue), "
                    + "polling_interval \(parameters.pollingInterval)s, ttl \(parameters.effectiveTTL)s"
                    + (parameters.external ? ", external" : "") + ", partition \(alias.partition)")
            lines.append("  members: " + alias.members.joined(separator: " "))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
