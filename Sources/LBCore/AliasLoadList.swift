/// The per-alias form of an lbclient answer: `alias1=12,alias2=-5`.
///
/// Aliases match exactly (whole name, case-insensitive as DNS names are, a trailing dot
/// ignored), never as a pattern: `foo.example.org` does not match `xfoo.example.org=5`,
/// which golbd's unanchored regex did.
public struct AliasLoadList: Sendable {
    /// The result of looking an alias up in a per-alias answer.
    public enum Lookup: Hashable, Sendable {
        /// The answer lists the alias with this load.
        case load(Int)
        /// The answer does not mention the alias.
        case notListed
        /// The answer lists the alias but its value is not an integer.
        case malformed(String)
    }

    private let entries: [(alias: String, value: Substring)]

    /// Splits `text` into its `alias=value` entries. Entries without `=` are ignored: they
    /// cannot name an alias.
    public init(parsing text: String) {
        entries = text.split(separator: ",").compactMap { entry in
            guard let equals = entry.firstIndex(of: "=") else { return nil }
            let alias = Self.normalisedAlias(entry[..<equals])
            let value = entry[entry.index(after: equals)...]
            return (alias, Self.trimmed(value))
        }
    }

    /// The load this answer gives `alias`; the first entry naming it wins.
    public func lookup(_ alias: String) -> Lookup {
        let wanted = Self.normalisedAlias(Substring(alias))
        guard let entry = entries.first(where: { $0.alias == wanted }) else { return .notListed }
        guard let load = Int(entry.value) else { return .malformed(String(entry.value.prefix(64))) }
        return .load(load)
    }

    static func normalisedAlias(_ name: Substring) -> String {
        aliasKey(trimmed(name))
    }

    private static func trimmed(_ text: Substring) -> Substring {
        // "\r\n" is a single Character (one grapheme cluster), distinct from "\r" and "\n".
        let isBlank: (Character) -> Bool = {
            $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" || $0 == "\r\n"
        }
        guard let first = text.firstIndex(where: { !isBlank($0) }),
            let last = text.lastIndex(where: { !isBlank($0) })
        else { return "" }
        return text[first...last]
    }
}
