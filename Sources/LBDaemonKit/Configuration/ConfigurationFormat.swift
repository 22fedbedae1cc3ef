/// The configuration file formats lbd reads.
public enum ConfigurationFormat: String, CaseIterable, Hashable, Sendable, CustomStringConvertible {
    /// lbd's own YAML format (docs/configuration.md).
    case native
    /// golbd's original `key = value` / `parameters` / `clusters` line format.
    case golbdLines = "golbd"
    /// golbd's YAML format, with lower-cased Go field names.
    case golbdYAML = "golbd-yaml"

    public var description: String {
        switch self {
        case .native: return "lbd YAML format"
        case .golbdLines: return "golbd line format"
        case .golbdYAML: return "golbd YAML format"
        }
    }

    /// Guesses the format of a file: YAML for `.yaml`/`.yml` names, else the line format when the
    /// first meaningful line looks like `key = value`, `parameters ...` or `clusters ...`.
    /// A YAML file is golbd's when its top-level keys are golbd's (see `ConfigurationLoader`).
    static func guessIsLineFormat(path: String, text: String) -> Bool {
        let lowered = path.lowercased()
        if lowered.hasSuffix(".yaml") || lowered.hasSuffix(".yml") { return false }
        for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let trimmed = line.trimmingBlanks
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let words = trimmed.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if words.count >= 2, words[1] == "=" { return true }
            if words.count >= 3, words[0] == "parameters" || words[0] == "clusters", words[2] == "=" {
                return true
            }
            return false
        }
        return false
    }
}
