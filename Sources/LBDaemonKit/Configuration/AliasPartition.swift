/// One partition of a shared configuration file: a set of aliases served by one lbd pair.
///
/// Invariant: `aliases` is never empty (a partition exists only through its aliases) and is
/// sorted by name.
public struct AliasPartition: Hashable, Sendable {
    /// The partition name, as the aliases' `partition` key gives it (case matters).
    public var name: String
    /// The names of the aliases in it, sorted.
    public var aliases: [String]

    public init(name: String, aliases: [String]) {
        self.name = name
        self.aliases = aliases.sorted()
    }
}

extension Configuration {
    /// Every partition some alias is in, sorted by name.
    public var partitions: [AliasPartition] {
        Dictionary(grouping: aliases, by: \.partition)
            .map { AliasPartition(name: $0.key, aliases: $0.value.map(\.name)) }
            .sorted { $0.name < $1.name }
    }
}
