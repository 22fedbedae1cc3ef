/// The `=~` and `!~` operators' regular expressions (Swift's regex syntax, close to the RE2
/// syntax govaluate used for the patterns a configuration may hold).
enum PatternMatching {
    /// Why `pattern` does not compile, or nil when it does.
    static func problem(with pattern: String) -> String? {
        do {
            _ = try Regex(pattern)
            return nil
        } catch {
            return String(describing: error)
        }
    }

    /// Whether `pattern` matches somewhere in `text` (not necessarily all of it, as Go's
    /// `MatchString`).
    static func matches(_ text: String, pattern: String) -> Bool? {
        guard let regex = try? Regex(pattern) else { return nil }
        return text.contains(regex)
    }
}
