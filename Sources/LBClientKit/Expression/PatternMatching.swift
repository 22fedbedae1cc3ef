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
}
