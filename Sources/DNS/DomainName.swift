/// A fully qualified domain name, validated against the DNS limits (RFC 1035 section 2.3.4):
/// labels of 1 to 63 octets, 255 octets in wire form.
///
/// Names compare case-insensitively (RFC 4343); `description` keeps the spelling given and ends
/// with a dot.
public struct DomainName: Hashable, Sendable, CustomStringConvertible {
    /// Why a text is not a domain name.
    public enum ParseError: Error, Hashable, Sendable, CustomStringConvertible {
        case empty
        case emptyLabel
        case labelTooLong(String)
        case nameTooLong(Int)
        case invalidCharacter(Character)

        public var description: String {
            switch self {
            case .empty: return "the name is empty"
            case .emptyLabel: return "the name has an empty label (two dots in a row, or a leading dot)"
            case .labelTooLong(let label): return "label '\(label.prefix(20))...' is longer than 63 octets"
            case .nameTooLong(let length): return "the name is \(length) octets long, over the 255 allowed"
            case .invalidCharacter(let character):
                return "'\(character.unicodeScalars.map { $0.escaped(asASCII: true) }.joined())' "
                    + "is not allowed in a name"
            }
        }
    }

    /// The labels, in the spelling given, without the root.
    public let labels: [String]

    /// Parses `text`; the trailing dot is optional. Only printable ASCII other than blanks is
    /// allowed, which covers host names and `_service` labels.
    public init(parsing text: String) throws(ParseError) {
        var body = Substring(text)
        if body == "." {
            labels = []
            return
        }
        if body.hasSuffix(".") { body = body.dropLast() }
        guard !body.isEmpty else { throw .empty }
        if let bad = body.first(where: { !($0.isASCII && $0 > " " && $0 < "\u{7F}") }) {
            throw .invalidCharacter(bad)
        }
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        var wireLength = 1
        for part in parts {
            if part.isEmpty { throw .emptyLabel }
            if part.utf8.count > 63 { throw .labelTooLong(String(part)) }
            wireLength += part.utf8.count + 1
        }
        if wireLength > 255 { throw .nameTooLong(wireLength) }
        labels = parts.map(String.init)
    }

    /// The name with a trailing dot.
    public var description: String {
        labels.isEmpty ? "." : labels.joined(separator: ".") + "."
    }

    /// The name without the trailing dot, lower-cased: the key lbd uses for aliases.
    public var normalised: String {
        labels.joined(separator: ".").lowercased()
    }

    public static func == (lhs: DomainName, rhs: DomainName) -> Bool {
        lhs.labels.count == rhs.labels.count
            && zip(lhs.labels, rhs.labels).allSatisfy { $0.lowercased() == $1.lowercased() }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(normalised)
    }
}
