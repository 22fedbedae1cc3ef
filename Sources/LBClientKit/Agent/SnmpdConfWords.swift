/// Words of an snmpd.conf line as net-snmp reads them (`copy_nword` in snmplib/read_config.c),
/// and the inverse: how to write a value so that net-snmp reads it back unchanged.
///
/// net-snmp's rules: a word that starts with `"` or `'` runs to the same quote, blanks included;
/// elsewhere a word runs to the next blank; in both, a backslash takes the next character as it
/// is (`\"`, `\\`, `\ `). A quote inside an unquoted word is an ordinary character. A line whose
/// first word starts with `#` is a comment.
///
/// One rule of ours on top: an unquoted word starting with `#` ends the line, so that
/// `rocommunity public 10.0.0.0/8  # the office` works. net-snmp would read `#` as a word there,
/// so a password starting with `#` must be quoted, which ``quoted(_:)`` does.
enum SnmpdConfWords {
    /// The words of `line`, or why it cannot be read (a quote left open).
    static func split(_ line: Substring) -> Result<[String], Problem> {
        var words: [String] = []
        var characters = line.unicodeScalars[...]
        while true {
            characters = characters.drop(while: isBlank)
            guard let first = characters.first else { break }
            if first == "#" { break }
            var word = String.UnicodeScalarView()
            if first == "\"" || first == "'" {
                characters = characters.dropFirst()
                var closed = false
                while let next = characters.popFirst() {
                    if next == first {
                        closed = true
                        break
                    }
                    if next == "\\", let escaped = characters.popFirst() {
                        word.append(escaped)
                    } else {
                        word.append(next)
                    }
                }
                guard closed else {
                    return .failure(Problem("a \(first == "\"" ? "double" : "single") quote is not closed"))
                }
            } else {
                while let next = characters.first, !isBlank(next) {
                    characters = characters.dropFirst()
                    if next == "\\", let escaped = characters.popFirst() {
                        word.append(escaped)
                    } else {
                        word.append(next)
                    }
                }
            }
            words.append(String(word))
        }
        return .success(words)
    }

    /// `value` written so that ``split(_:)`` and net-snmp read exactly `value` back: as it is when
    /// it has no blank, quote, backslash or leading `#`, else in double quotes with `"` and `\`
    /// escaped. `nil` for a value no snmpd.conf line can hold (a line end or another control
    /// character than the tab).
    static func quoted(_ value: String) -> String? {
        // A tab is a blank, kept inside quotes; other control characters would end or garble the line.
        guard !value.unicodeScalars.contains(where: { ($0.value < 0x20 && $0 != "\t") || $0.value == 0x7F })
        else {
            return nil
        }
        let special =
            value.isEmpty || value.hasPrefix("#")
            || value.unicodeScalars.contains { isBlank($0) || $0 == "\"" || $0 == "'" || $0 == "\\" }
        guard special else { return value }
        var text = "\""
        for scalar in value.unicodeScalars {
            if scalar == "\"" || scalar == "\\" { text.unicodeScalars.append("\\") }
            text.unicodeScalars.append(scalar)
        }
        return text + "\""
    }

    /// C's `isspace` in the "C" locale, which net-snmp uses to end words.
    private static func isBlank(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" || scalar == "\u{0B}"
            || scalar == "\u{0C}"
    }
}
