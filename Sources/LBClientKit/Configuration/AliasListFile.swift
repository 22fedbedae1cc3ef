/// The `lbaliases` file: the aliases this node serves, one `lbalias=NAME` line each.
///
/// golbclient's reading is kept (`^\s*lbalias\s*=\s*(\S+)`, case-sensitive `lbalias`, every
/// other line ignored), except that an alias listed twice is reported once and a name that is
/// not a DNS name (``AliasName``) is left out and reported with its line.
public enum AliasListFile {
    /// The valid aliases of `text`, in file order, without repeats.
    public static func parse(_ text: String) -> [String] {
        read(text, path: "lbaliases").aliases
    }

    /// The valid aliases of `text` in file order without repeats, and one error per line whose
    /// name was left out.
    public static func read(_ text: String, path: String) -> (
        aliases: [String], problems: [ClientConfigError]
    ) {
        var aliases: [String] = []
        var problems: [ClientConfigError] = []
        // A node serves a handful of aliases: a linear search finds repeats, and a set (a
        // generic type the runtime builds at start-up, a cost every one-shot run would pay) is
        // made only for a long list.
        var seen: Set<String>?
        var lineNumber = 0
        for rawLine in textLines(text) {
            lineNumber += 1
            var content = rawLine
            if content.last == "\r" { content = content.dropLast() }
            var rest = content.drop(while: \.isWhitespace)
            guard rest.hasPrefix("lbalias") else { continue }
            rest = rest.dropFirst("lbalias".count).drop(while: \.isWhitespace)
            guard rest.first == "=" else { continue }
            rest = rest.dropFirst().drop(while: \.isWhitespace)
            // Blanks end the name as in golbclient; control characters are kept, to be refused.
            let name = String(rest.prefix(while: { !($0.isWhitespace && !isControl($0)) }))
            guard !name.isEmpty else { continue }
            if let problem = AliasName.problem(with: name) {
                problems.append(
                    ClientConfigError(
                        file: path, line: lineNumber, message: "\(problem); the alias is left out"))
                continue
            }
            if seen == nil, aliases.count >= Self.linearSearchLimit { seen = Set(aliases) }
            if seen?.insert(name).inserted ?? !aliases.contains(name) { aliases.append(name) }
        }
        return (aliases, problems)
    }

    /// Aliases beyond which repeats are found with a set.
    static let linearSearchLimit = 32

    private static func isControl(_ character: Character) -> Bool {
        character.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
            && character != " " && character != "\t"
    }
}
