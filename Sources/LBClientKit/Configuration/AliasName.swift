/// Checks that an alias name from `lbaliases` is a DNS name before it goes into the answer.
///
/// The answer is `alias=value,alias=value`, so a name holding `=` or `,` could add a value for
/// another alias, and a control character could break the line snmpd reads. golbclient copied
/// any run of non-blank characters; we accept what a DNS name can be: labels of letters, digits,
/// hyphens and underscores (service names use `_`), separated by single dots, each label of 1 to
/// 63 octets and the whole name of at most 253.
public enum AliasName {
    public static let maximumLength = 253
    public static let maximumLabelLength = 63

    /// Why `name` is not a valid alias name, or `nil` when it is one.
    public static func problem(with name: String) -> String? {
        let bytes = Array(name.utf8)
        guard !bytes.isEmpty else { return "an alias name is empty" }
        guard bytes.count <= maximumLength else {
            return "the alias name is \(bytes.count) octets long; a DNS name has at most \(maximumLength)"
        }
        if let bad = bytes.first(where: { !isNameByte($0) && $0 != UInt8(ascii: ".") }) {
            return "the alias name `\(printable(name))` contains \(describe(bad)); "
                + "use letters, digits, hyphens, underscores and dots"
        }
        for label in bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false) {
            if label.isEmpty {
                return "the alias name `\(name)` has an empty label (a leading, trailing or double dot)"
            }
            if label.count > maximumLabelLength {
                return
                    "a label of the alias name `\(name)` is \(label.count) octets long; at most \(maximumLabelLength)"
            }
        }
        return nil
    }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
            return true
        default:
            return false
        }
    }

    private static func describe(_ byte: UInt8) -> String {
        if byte < 0x20 || byte == 0x7F { return "a control character (0x\(String(byte, radix: 16)))" }
        if byte >= 0x80 { return "a non-ASCII character" }
        return "`\(Character(Unicode.Scalar(byte)))`"
    }

    /// The name with control characters escaped, so that a log line stays one line.
    private static func printable(_ name: String) -> String {
        String(
            name.unicodeScalars.flatMap { scalar -> [Character] in
                scalar.value < 0x20 || scalar.value == 0x7F
                    ? Array("\\u{\(String(scalar.value, radix: 16))}") : [Character(scalar)]
            })
    }
}
