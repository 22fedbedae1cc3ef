/// The `=~` and `!~` operators' regular expressions: RE2 syntax, as golbclient's Go `regexp`
/// read them, matched in linear time by ``LinearRegex``.
enum PatternMatching {
    /// Why `pattern` does not compile, or nil when it does.
    static func problem(with pattern: String) -> String? {
        do {
            _ = try LinearRegex(pattern)
            return nil
        } catch {
            return error.message
        }
    }

    /// Whether `pattern` matches somewhere in `text` (not necessarily all of it, as Go's
    /// `MatchString`).
    ///
    /// - Throws: ``RegexError`` when the pattern does not compile, the match exceeds its step
    ///   budget or the task is cancelled.
    static func matches(_ text: String, pattern: String) throws(RegexError) -> Bool {
        try LinearRegex(pattern).matches(text)
    }
}
