/// What `lemon-cli --script -m "<ids>"` prints: one line per metric,
/// `host id timestamp value1 value2 ...`, fields separated by blanks.
struct LemonOutput: Sendable {
    /// The values of each metric id; when an id appears on several lines, the last one wins.
    private(set) var valuesByID: [String: [String]] = [:]

    /// Reads `text`. Blank lines are skipped; a line without at least one value is an error (it
    /// made golbclient panic).
    init(parsing text: String) throws(CheckError) {
        var lineNumber = 0
        for line in textLines(text) {
            lineNumber += 1
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            if fields.isEmpty { continue }
            guard fields.count >= 4 else {
                throw CheckError(
                    "lemon-cli printed a malformed line \(lineNumber), '\(Self.excerpt(line))': expected 'host id timestamp value...'"
                )
            }
            valuesByID[String(fields[1])] = fields[3...].map(String.init)
        }
    }

    /// A lemon value as a number, the way golbclient read it: `true`/`t` are 1, `false`/`f` are
    /// -1, numbers are numbers (as doubles, not golbclient's float32), anything else is -1.
    static func number(_ text: String) -> Double {
        switch text {
        case "t", "T", "true", "TRUE", "True": return 1
        case "f", "F", "false", "FALSE", "False": return -1
        default: return MetricNumber.parse(text) ?? -1
        }
    }

    /// At most 120 characters of an untrusted line, for a message.
    static func excerpt(_ line: Substring) -> String {
        line.count <= 120 ? String(line) : String(line.prefix(120)) + "..."
    }
}
