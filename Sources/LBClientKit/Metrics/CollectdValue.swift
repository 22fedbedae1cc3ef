/// One `name=value` line of a collectd answer (`collectdctl getval` or the unixsock `GETVAL`).
struct CollectdValue: Sendable, Hashable {
    /// The data source name, e.g. `shortterm`.
    var name: String
    /// Any numeric notation collectd prints: `5`, `1.500000e+00`, `-1`, `nan` (NaN stays NaN).
    var value: Double

    init(name: String, value: Double) {
        self.name = name
        self.value = value
    }

    /// Reads one line; `source` names who printed it, for the message.
    init(line: Substring, from source: String) throws(CheckError) {
        let trimmed = line.trimmingBlanks
        guard let equals = trimmed.firstIndex(of: "="), equals != trimmed.startIndex,
            let value = MetricNumber.parse(trimmed[trimmed.index(after: equals)...].trimmingBlanks)
        else {
            throw CheckError(
                "\(source) printed '\(LemonOutput.excerpt(trimmed))', expected 'name=value' with a number")
        }
        self.name = String(trimmed[..<equals].trimmingBlanks)
        self.value = value
    }

    /// Every value of a `collectdctl getval` output; blank lines are skipped.
    static func parseList(_ text: String, from source: String) throws(CheckError) -> [CollectdValue] {
        var values: [CollectdValue] = []
        for line in textLines(text) where !line.trimmingBlanks.isEmpty {
            values.append(try CollectdValue(line: line, from: source))
        }
        return values
    }
}

extension Substring {
    /// Without leading and trailing blanks (spaces, tabs, carriage returns).
    /// Index searches, not a `dropLast()` loop: `Substring.dropLast()` costs the length of the
    /// substring, so a line of 13,000 trailing blanks took a second (found by `lbbench fuzz`).
    fileprivate var trimmingBlanks: Substring {
        guard let first = firstIndex(where: { !$0.isWhitespace }),
            let last = lastIndex(where: { !$0.isWhitespace })
        else { return self[endIndex...] }
        return self[first...last]
    }
}
