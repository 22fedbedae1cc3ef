/// A set of Unicode scalars as a regular expression class describes it: `[a-z\d]`, `[^\s]`,
/// `\W`, `[[:alpha:]]`. One scalar belongs to it when it is in `ranges` or outside one of
/// `complements` (a `\D` inside brackets), the whole flipped when `negated`; with
/// `caseInsensitive` a scalar also belongs when one of its case variants does.
struct RegexCharacterSet: Sendable, Hashable {
    var ranges: [ClosedRange<UInt32>] = []
    var complements: [[ClosedRange<UInt32>]] = []
    var negated = false
    var caseInsensitive = false

    func contains(_ scalar: Unicode.Scalar) -> Bool {
        var found = containsExactly(scalar.value)
        if !found && caseInsensitive {
            found = Self.caseVariants(of: scalar).contains { containsExactly($0) }
        }
        return found != negated
    }

    private func containsExactly(_ value: UInt32) -> Bool {
        if ranges.contains(where: { $0.contains(value) }) { return true }
        return complements.contains { ranges in !ranges.contains(where: { $0.contains(value) }) }
    }

    /// The other cases of `scalar` that are one scalar long (simple case folding, as Go's).
    static func caseVariants(of scalar: Unicode.Scalar) -> [UInt32] {
        if scalar.isASCII {
            switch scalar.value {
            case 0x41...0x5A: return [scalar.value + 0x20]
            case 0x61...0x7A: return [scalar.value - 0x20]
            default: return []
            }
        }
        let properties = scalar.properties
        var variants: [UInt32] = []
        for mapping in [
            properties.lowercaseMapping, properties.uppercaseMapping, properties.titlecaseMapping,
        ] {
            let scalars = mapping.unicodeScalars
            if scalars.count == 1, let only = scalars.first, only != scalar { variants.append(only.value) }
        }
        return variants
    }

    // MARK: Named classes (ASCII, as in RE2)

    static let digits: [ClosedRange<UInt32>] = [0x30...0x39]
    static let spaces: [ClosedRange<UInt32>] = [0x09...0x0A, 0x0C...0x0D, 0x20...0x20]
    static let wordCharacters: [ClosedRange<UInt32>] = [0x30...0x39, 0x41...0x5A, 0x5F...0x5F, 0x61...0x7A]

    /// `\d` `\s` `\w` (and their capitals, `negated`).
    static func perl(_ letter: Character) -> (ranges: [ClosedRange<UInt32>], negated: Bool)? {
        switch letter {
        case "d": return (digits, false)
        case "D": return (digits, true)
        case "s": return (spaces, false)
        case "S": return (spaces, true)
        case "w": return (wordCharacters, false)
        case "W": return (wordCharacters, true)
        default: return nil
        }
    }

    /// `[:alpha:]` and its siblings, by name.
    static func posix(_ name: String) -> [ClosedRange<UInt32>]? {
        switch name {
        case "alnum": return [0x30...0x39, 0x41...0x5A, 0x61...0x7A]
        case "alpha": return [0x41...0x5A, 0x61...0x7A]
        case "ascii": return [0x00...0x7F]
        case "blank": return [0x09...0x09, 0x20...0x20]
        case "cntrl": return [0x00...0x1F, 0x7F...0x7F]
        case "digit": return digits
        case "graph": return [0x21...0x7E]
        case "lower": return [0x61...0x7A]
        case "print": return [0x20...0x7E]
        case "punct": return [0x21...0x2F, 0x3A...0x40, 0x5B...0x60, 0x7B...0x7E]
        case "space": return [0x09...0x0D, 0x20...0x20]
        case "upper": return [0x41...0x5A]
        case "word": return wordCharacters
        case "xdigit": return [0x30...0x39, 0x41...0x46, 0x61...0x66]
        default: return nil
        }
    }

    static func isWordCharacter(_ scalar: Unicode.Scalar?) -> Bool {
        guard let scalar else { return false }
        return wordCharacters.contains { $0.contains(scalar.value) }
    }
}
