import LBCore

/// Parsers for the values shared by every format, each with a message an operator can act on.
enum ConfigurationValues {
    static func integer(_ text: String, key: String) throws(ConfigurationMessage) -> Int {
        let body = text.hasPrefix("+") ? text.dropFirst() : Substring(text)
        guard !body.isEmpty, let value = Int(body) else {
            throw ConfigurationMessage("\(key) must be an integer, not '\(text.prefix(40))'")
        }
        return value
    }

    static func boolean(_ text: String, key: String) throws(ConfigurationMessage) -> Bool {
        switch text.lowercased() {
        case "yes", "true", "on": return true
        case "no", "false", "off": return false
        default:
            throw ConfigurationMessage("\(key) must be yes or no (true or false), not '\(text.prefix(40))'")
        }
    }

    /// `-1` (or `all`) for every usable member, or a count of at least 1.
    static func bestHosts(_ text: String) throws(ConfigurationMessage) -> BestHosts {
        if text.lowercased() == "all" { return .allUsable }
        let value = try integer(text, key: "best_hosts")
        guard let bestHosts = BestHosts(golbdValue: value) else {
            throw ConfigurationMessage(
                "best_hosts must be at least 1, or -1 for every usable member, not \(value)"
                    + (value == 0 ? " (golbd published no host at all with 0)" : ""))
        }
        return bestHosts
    }

    /// A golbd metric name, mapped onto its policy.
    static func metric(_ text: String) throws(ConfigurationMessage) -> NoUsableNodePolicy {
        guard let policy = NoUsableNodePolicy(golbdMetric: text) else {
            throw ConfigurationMessage(
                "unknown metric '\(text.prefix(40))': expected minimum, minino or cmsfrontier")
        }
        return policy
    }

    static func policy(_ text: String) throws(ConfigurationMessage) -> NoUsableNodePolicy {
        guard let policy = NoUsableNodePolicy(rawValue: text.lowercased()) else {
            throw ConfigurationMessage(
                "when_none_usable must be random, empty or keep, not '\(text.prefix(40))'")
        }
        return policy
    }

    /// Seconds, written as a number (`300`, `2.5`) or with a unit (`500ms`, `30s`, `5m`, `1h`).
    static func duration(_ text: String, key: String) throws(ConfigurationMessage) -> Double {
        // Milliseconds are divided by 1000 rather than multiplied by 0.001, which is not exact:
        // "300ms" must be the same number as "0.3".
        let units: [(suffix: String, multiplier: Double, divisor: Double)] = [
            ("ms", 1, 1000), ("s", 1, 1), ("m", 60, 1), ("h", 3600, 1),
        ]
        var number = Substring(text.lowercased())
        var multiplier = 1.0
        var divisor = 1.0
        for unit in units where number.hasSuffix(unit.suffix) {
            number = number.dropLast(unit.suffix.count)
            multiplier = unit.multiplier
            divisor = unit.divisor
            break
        }
        guard let value = Double(number.trimmingBlanks), value.isFinite, value >= 0,
            value * multiplier / divisor < 1e9
        else {
            throw ConfigurationMessage(
                "\(key) must be a duration such as 30, 30s, 500ms or 5m, not '\(text.prefix(40))'")
        }
        return value * multiplier / divisor
    }

    /// A whole number of seconds, at least `minimum`.
    static func seconds(_ text: String, key: String, minimum: Int) throws(ConfigurationMessage) -> Int {
        let value = try duration(text, key: key)
        guard value == value.rounded(), value >= Double(minimum) else {
            throw ConfigurationMessage(
                "\(key) must be a whole number of seconds, at least \(minimum), not '\(text)'")
        }
        return Int(value)
    }

    /// An integer within `range`.
    static func integer(_ text: String, key: String, in range: ClosedRange<Int>) throws(ConfigurationMessage)
        -> Int
    {
        let value = try integer(text, key: key)
        guard range.contains(value) else {
            throw ConfigurationMessage(
                "\(key) must be from \(range.lowerBound) to \(range.upperBound), not \(value)")
        }
        return value
    }

    /// `stickiness`: a percentage from 0% to 99% (`10%`, or `10`).
    static func stickiness(_ text: String) throws(ConfigurationMessage) -> Int {
        let trimmed = text.trimmingBlanks
        let number = trimmed.hasSuffix("%") ? trimmed.dropLast().trimmingBlanks : trimmed
        guard let value = Int(number), (0...99).contains(value) else {
            throw ConfigurationMessage(
                "stickiness must be a whole percentage from 0% to 99%, such as 10%, not '\(text.prefix(40))'")
        }
        return value
    }

    /// `min_usable`: a count of members (`2`) or a share of them (`50%`, 1% to 100%).
    static func minimumUsable(_ text: String) throws(ConfigurationMessage) -> MinimumUsable {
        let trimmed = text.trimmingBlanks
        if trimmed.hasSuffix("%") {
            guard let percent = Int(trimmed.dropLast().trimmingBlanks), (1...100).contains(percent) else {
                throw ConfigurationMessage(
                    "min_usable must be a count of members such as 2, or a whole percentage from 1% to 100% such as 50%, not '\(text.prefix(40))'"
                )
            }
            return .percent(percent)
        }
        guard let count = Int(trimmed), count >= 1 else {
            throw ConfigurationMessage(
                "min_usable must be a count of members such as 2, or a whole percentage from 1% to 100% such as 50%, not '\(text.prefix(40))'"
            )
        }
        return .count(count)
    }

    /// `below_min_usable`: `fail_open` or `keep`.
    static func belowMinimum(_ text: String) throws(ConfigurationMessage) -> BelowMinimumPolicy {
        guard let policy = BelowMinimumPolicy(rawValue: String(text.trimmingBlanks)) else {
            throw ConfigurationMessage("below_min_usable must be fail_open or keep, not '\(text.prefix(40))'")
        }
        return policy
    }

    /// A share from 0 to 1, written as a fraction (`0.5`) or a percentage (`50%`).
    static func share(_ text: String, key: String) throws(ConfigurationMessage) -> Double {
        let trimmed = text.trimmingBlanks
        let isPercent = trimmed.hasSuffix("%")
        let number = isPercent ? trimmed.dropLast().trimmingBlanks : trimmed
        // Percentages are divided by 100 rather than multiplied by 0.01, which is not exact:
        // "30%" must be the same number as "0.3".
        guard let value = Double(number), value.isFinite, value >= 0,
            isPercent ? value <= 100 : value <= 1
        else {
            throw ConfigurationMessage(
                "\(key) must be a share from 0 to 1 or a percentage from 0% to 100%, such as 0.5 or 50%, not '\(text.prefix(40))'"
            )
        }
        return isPercent ? value / 100 : value
    }

    /// Free text (a host name, a path, a password): anything but control characters, which no
    /// file name or password holds, which golbd's line format cannot carry and which YAML only
    /// carries escaped.
    static func freeText(_ text: String, key: String) throws(ConfigurationMessage) -> String {
        if let bad = text.unicodeScalars.first(where: { $0.properties.generalCategory == .control }) {
            throw ConfigurationMessage(
                "\(key) must not contain control characters (found '\(bad.escaped(asASCII: true))')")
        }
        return text
    }

    /// A host or alias name: DNS labels of letters, digits, '-' and '_' (a name of digits and
    /// dots only must be an IPv4 address). `nil` when valid, else why not.
    static func hostNameProblem(_ name: String) -> String? {
        let body = name.hasSuffix(".") ? name.dropLast() : Substring(name)
        if let bad = body.unicodeScalars.first(where: { scalar in
            !(("0"..."9").contains(scalar) || ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
                || scalar == "-" || scalar == "_" || scalar == ".")
        }) {
            return
                "'\(bad.escaped(asASCII: true))' is not allowed in a host name (letters, digits, '-' and '_')"
        }
        if body.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }) {
            return "a name of digits and dots must be an IPv4 address"
        }
        return nil
    }

    /// A base64 secret as BIND and Knot key files write them.
    static func base64Secret(_ text: String, key: String) throws(ConfigurationMessage) -> String {
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        let body = text.reversed().drop(while: { $0 == "=" })
        let padding = text.count - body.count
        guard !text.isEmpty, text.count % 4 == 0, padding <= 2, body.allSatisfy({ allowed.contains($0) })
        else {
            throw ConfigurationMessage("\(key) must be a base64 secret (as in a BIND or Knot key file)")
        }
        return text
    }
}
