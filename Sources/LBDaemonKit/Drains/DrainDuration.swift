/// How long a drain lasts (`lbd drain --for`, the API's `for`): one or more numbers with a
/// unit, `30m`, `1h`, `2h30m`, `1d`, `90s`; each part is read as the configuration reads a
/// duration (`ConfigurationValues.duration`), with days added.
public enum DrainDuration {
    /// The longest drain: a year; longer is surely a typo.
    public static let maximum = 366 * 86_400

    /// The whole seconds `text` means, or an error saying what is accepted.
    public static func seconds(_ text: String) throws(DrainBookError) -> Int {
        let failure = DrainBookError.invalidDrain(
            "--for must be a duration such as 30m, 1h, 2h30m or 1d (at least 1s, at most 366d), not '\(text.prefix(40))'"
        )
        var parts: [String] = []
        var part = ""
        for character in text.lowercased() where character != " " {
            if character.isLetter {
                part.append(character)
            } else {
                // A digit after a unit starts the next part.
                if let last = part.last, last.isLetter {
                    parts.append(part)
                    part = ""
                }
                part.append(character)
            }
        }
        if !part.isEmpty { parts.append(part) }
        guard !parts.isEmpty else { throw failure }
        var total = 0.0
        for part in parts {
            guard let first = part.first, first.isNumber || first == "." else { throw failure }
            if part.hasSuffix("d") {
                guard let days = Double(part.dropLast()), days.isFinite, days >= 0 else { throw failure }
                total += days * 86_400
            } else {
                do {
                    total += try ConfigurationValues.duration(part, key: "--for")
                } catch {
                    throw failure
                }
            }
        }
        guard total >= 1, total <= Double(maximum) else { throw failure }
        return Int(total.rounded())
    }
}
