/// The `lbaliases` file: the aliases this node serves, one `lbalias=NAME` line each.
///
/// golbclient's reading is kept (`^\s*lbalias\s*=\s*(\S+)`, case-sensitive `lbalias`, every
/// other line ignored), except that an alias listed twice is reported once.
public enum AliasListFile {
    /// The aliases of `text`, in file order, without repeats.
    public static func parse(_ text: String) -> [String] {
        var aliases: [String] = []
        var seen = Set<String>()
        for rawLine in textLines(text) {
            var rest = rawLine.drop(while: \.isWhitespace)
            guard rest.hasPrefix("lbalias") else { continue }
            rest = rest.dropFirst("lbalias".count).drop(while: \.isWhitespace)
            guard rest.first == "=" else { continue }
            rest = rest.dropFirst().drop(while: \.isWhitespace)
            let name = String(rest.prefix(while: { !$0.isWhitespace }))
            guard !name.isEmpty else { continue }
            if seen.insert(name).inserted { aliases.append(name) }
        }
        return aliases
    }
}
