import Yams

/// YAML tags in a configuration file: the standard ones are fine, any other is refused.
///
/// A tag (`!!python/object/apply:os.system`, `!custom`, `!!binary`) asks a loader to build a
/// value of some type. lbd builds none, so ignoring the tag would read the file differently from
/// what its author meant (or what another tool does with it): it is an error.
enum YAMLTag {
    /// The tags a plain YAML value has anyway, written or not.
    static let standard: Set<String> = Set(
        [Tag.Name.implicit, .nonSpecific, .str, .int, .bool, .float, .null, .map, .seq, .merge].map(
            \.rawValue))

    /// The tag of `node` as written (`!!binary`, `!custom`), when it is not a standard one.
    static func unsupported(on node: Node) -> String? {
        // The stored tag, as the parser saw it: `Node.tag` would resolve it from the value.
        let name: String
        switch node {
        case .scalar(let scalar): name = scalar.tag.rawValue
        case .mapping(let mapping): name = mapping.tag.rawValue
        case .sequence(let sequence): name = sequence.tag.rawValue
        case .alias: return nil
        }
        guard !standard.contains(name) else { return nil }
        let prefix = "tag:yaml.org,2002:"
        return name.hasPrefix(prefix) ? "!!" + name.dropFirst(prefix.count) : name
    }
}
