/// A regular expression that cannot be compiled, or a match that was given up.
public struct RegexError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong, in the words of Go's `regexp` where it has some.
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }

    /// The match did more work than ``LinearRegex/maximumSteps`` allows.
    static func tooMuchWork(steps: Int) -> RegexError {
        RegexError(
            "regular expression match gave up after \(steps) steps (the text or the pattern is too large)")
    }

    /// The task waiting for the match was cancelled (its line timed out).
    static let cancelled = RegexError("regular expression match cancelled (the line timed out)")
}
