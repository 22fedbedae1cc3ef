/// A fully qualified domain name, validated against the DNS limits (RFC 1035 section 2.3.4):
/// labels of 1 to 63 octets, 255 octets in wire form.
///
/// Names compare case-insensitively (RFC 4343, ASCII letters only); `description` keeps the
/// spelling given and ends with a dot. The wire-form label octets are the source of truth, so a
/// name read from a packet is written back octet for octet.
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

    /// The labels as octets, in the spelling given, without the root.
    public let wireLabels: [[UInt8]]

    /// The labels, in the spelling given, without the root. Octets that are not UTF-8 (possible
    /// only in names read from the wire) are replaced, so use `wireLabels` to compare or re-encode.
    public var labels: [String] {
        wireLabels.map { String(decoding: $0, as: UTF8.self) }
    }

    /// The root name, `.`.
    public static let root = DomainName(uncheckedWireLabels: [])

    /// A name from labels whose lengths the caller has already checked (1...63 octets each,
    /// 255 octets in all).
    init(uncheckedWireLabels: [[UInt8]]) {
        self.wireLabels = uncheckedWireLabels
    }

    /// Parses `text`; the trailing dot is optional. Only printable ASCII other than blanks is
    /// allowed, which covers host names and `_service` labels.
    public init(parsing text: String) throws(ParseError) {
        var body = Substring(text)
        if body == "." {
            wireLabels = []
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
        wireLabels = parts.map { Array($0.utf8) }
    }

    /// The name with a trailing dot. Octets that cannot appear in a parsed name (a dot inside a
    /// label, blanks, control and non-ASCII octets from the wire) are shown as `\DDD` (RFC 1035
    /// section 5.1), so every name has a readable, unambiguous spelling.
    public var description: String {
        guard !wireLabels.isEmpty else { return "." }
        var text = ""
        for label in wireLabels {
            for octet in label {
                if octet > 0x20, octet < 0x7F, octet != UInt8(ascii: ".") {
                    text.unicodeScalars.append(Unicode.Scalar(octet))
                } else {
                    let digits = String(octet)
                    text += "\\" + String(repeating: "0", count: 3 - digits.count) + digits
                }
            }
            text += "."
        }
        return text
    }

    /// The name without the trailing dot, lower-cased: the key lbd uses for aliases.
    public var normalised: String {
        labels.joined(separator: ".").lowercased()
    }

    /// The length of the name in uncompressed wire form, root octet included.
    public var wireLength: Int {
        wireLabels.reduce(1) { $0 + $1.count + 1 }
    }

    public static func == (lhs: DomainName, rhs: DomainName) -> Bool {
        guard lhs.wireLabels.count == rhs.wireLabels.count else { return false }
        for index in lhs.wireLabels.indices where !labelsMatch(lhs.wireLabels[index], rhs.wireLabels[index]) {
            return false
        }
        return true
    }

    /// Hashes the case-folded labels eight octets at a time: names are hashed on every zone
    /// lookup, and one `combine` per octet was most of the cost.
    public func hash(into hasher: inout Hasher) {
        for label in wireLabels {
            hasher.combine(UInt8(truncatingIfNeeded: label.count))
            var word: UInt64 = 0
            var filled = 0
            for octet in label {
                word = word << 8 | UInt64(DomainName.foldCase(octet))
                filled += 1
                if filled == 8 {
                    hasher.combine(word)
                    word = 0
                    filled = 0
                }
            }
            if filled > 0 { hasher.combine(word) }
        }
    }

    static func foldCase(_ octet: UInt8) -> UInt8 {
        octet >= 0x41 && octet <= 0x5A ? octet | 0x20 : octet
    }

    /// Whether two labels are the same but for the case of ASCII letters. Every zone lookup
    /// ends here, so octets are compared straight from the buffers.
    static func labelsMatch(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        return lhs.withUnsafeBufferPointer { left in
            rhs.withUnsafeBufferPointer { right in
                for index in 0..<left.count where left[index] != right[index] {
                    guard foldCase(left[index]) == foldCase(right[index]) else { return false }
                }
                return true
            }
        }
    }
}
