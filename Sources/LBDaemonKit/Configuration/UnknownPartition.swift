/// The partition an instance is told to serve (`partition` in the file, or `--partition`) that
/// no alias is in.
///
/// Most often a typo, and one that would start an lbd that polls and publishes nothing while
/// looking healthy: `lbd check-config` reports it as an error, and `lbd run` can refuse to start
/// with the same words. The message names the partitions that exist.
public struct UnknownPartition: Error, Hashable, Sendable, CustomStringConvertible {
    /// The partition asked for.
    public var partition: String
    /// The partitions of the configuration, sorted by name; empty when it has no alias.
    public var existing: [AliasPartition]

    public init(partition: String, existing: [AliasPartition]) {
        self.partition = partition
        self.existing = existing
    }

    /// An existing partition whose name differs only in case or by one or two characters (and
    /// not in every character).
    public var suggestion: String? {
        let wanted = partition.lowercased()
        return existing.map(\.name)
            .map { (name: $0, distance: Self.editDistance(wanted, $0.lowercased())) }
            .filter { $0.distance <= 2 && $0.distance < wanted.count }
            .min { $0.distance < $1.distance }?.name
    }

    public var description: String {
        let head = "no alias is in partition '\(partition)': this instance would serve nothing"
        guard !existing.isEmpty else { return head + " (the configuration has no alias)" }
        let list = existing.map {
            "\($0.name) (\($0.aliases.count) alias\($0.aliases.count == 1 ? "" : "es"))"
        }
        return head + "; the partitions are: " + list.joined(separator: ", ")
            + (suggestion.map { "; did you mean '\($0)'?" } ?? "")
    }

    /// Levenshtein distance; partition names are at most 63 characters.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1] + Array(repeating: 0, count: b.count)
            for (j, y) in b.enumerated() {
                current[j + 1] = min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}

extension Configuration {
    /// Why this configuration would serve nothing because of its partition: `partition` is set
    /// and no alias is in it. Nil when `partition` is unset or names a partition that exists.
    /// Pure, for `lbd check-config` and for `lbd run` at start.
    public func partitionProblem() -> UnknownPartition? {
        guard let partition, !aliases.contains(where: { $0.partition == partition }) else { return nil }
        return UnknownPartition(partition: partition, existing: partitions)
    }
}
