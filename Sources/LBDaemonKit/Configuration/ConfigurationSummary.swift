/// The short text `lbd check-config` prints for a valid configuration: counts, partitions with
/// their aliases, what this instance serves, and every alias with its parameters and members, so
/// that two files can be compared at a glance.
public enum ConfigurationSummary {
    /// The width the alias names of a partition are wrapped at.
    static let width = 100

    public static func render(_ loaded: LoadedConfiguration, file: String) -> String {
        let configuration = loaded.configuration
        let aliases = configuration.aliases
        let memberships = aliases.reduce(0) { $0 + $1.members.count }
        let nodes = Set(aliases.flatMap(\.members)).count
        let partitions = configuration.partitions
        var lines = [
            "\(file): OK (\(loaded.format))",
            "\(aliases.count) alias(es), \(memberships) member(s), \(nodes) distinct node(s), "
                + "\(partitions.count) partition(s)",
        ]
        for partition in partitions {
            let served =
                configuration.partition.map { $0 == partition.name ? " (served by this instance)" : "" } ?? ""
            lines.append("partition \(partition.name): \(partition.aliases.count) alias(es)\(served)")
            lines += wrapped(partition.aliases, first: "  aliases: ")
        }
        if let served = servedLine(configuration) { lines.append(served) }
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

    /// What an instance with this configuration serves, when it serves one partition.
    static func servedLine(_ configuration: Configuration) -> String? {
        guard let partition = configuration.partition else { return nil }
        return "this instance serves partition \(partition): "
            + "\(configuration.servedAliases.count) of \(configuration.aliases.count) alias(es)"
    }

    /// `words` after `first`, on as many lines as `width` needs, the next ones indented under
    /// the first word; a word longer than the width gets a line of its own.
    static func wrapped(_ words: [String], first: String) -> [String] {
        let indent = String(repeating: " ", count: first.count)
        var lines: [String] = []
        var line = first
        for word in words {
            if line.count > indent.count, line.count + 1 + word.count > width {
                lines.append(line)
                line = indent
            }
            line += (line.count > indent.count ? " " : "") + word
        }
        lines.append(line)
        return lines
    }
}
