/// A compiled `=~` pattern whose matches take time linear in the text (RE2's guarantee, which
/// golbclient had from Go's `regexp`), bounded by a step budget and stopped when the task
/// waiting for it is cancelled. Swift's `Regex` and `NSRegularExpression` backtrack: `(a+)+$`
/// against 30 `a`s and a `b` would run for minutes and could not be interrupted.
public struct LinearRegex: Sendable {
    /// Default budget: far beyond any sensible pattern over a metric's text, a fraction of a second.
    public static let maximumSteps = 20_000_000

    /// The pattern as written.
    public let pattern: String
    let program: RegexProgram

    /// Compiles `pattern`.
    ///
    /// - Throws: ``RegexError`` saying what in the pattern is not RE2 syntax or is too large.
    public init(_ pattern: String) throws(RegexError) {
        self.pattern = pattern
        program = try RegexProgram(RegexParser.parse(pattern))
    }

    /// Whether the pattern matches somewhere in `text` (Go's `MatchString`).
    ///
    /// - Throws: ``RegexError`` when the match exceeds `maximumSteps`, or when the current task
    ///   is cancelled (checked every few thousand steps).
    public func matches(_ text: String, maximumSteps: Int = LinearRegex.maximumSteps) throws(RegexError)
        -> Bool
    {
        try matchesCountingSteps(text, maximumSteps: maximumSteps).matches
    }

    /// ``matches(_:maximumSteps:)`` and the number of steps it took, for tests and benchmarks.
    public func matchesCountingSteps(_ text: String, maximumSteps: Int = LinearRegex.maximumSteps)
        throws(RegexError) -> (matches: Bool, steps: Int)
    {
        var matcher = RegexMatcher(program: program, maximumSteps: maximumSteps) { Task.isCancelled }
        let found = try matcher.matches(Array(text.unicodeScalars))
        return (found, matcher.steps)
    }
}
