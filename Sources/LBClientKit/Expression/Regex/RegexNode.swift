/// A parsed regular expression: what ``RegexParser`` produces and ``RegexProgram`` compiles.
/// Captures and greediness are gone: `=~` only asks whether there is a match.
indirect enum RegexNode: Sendable, Hashable {
    case empty
    case scalar(Unicode.Scalar)
    case set(RegexCharacterSet)
    /// `.`; `includingNewline` under the `s` flag.
    case anyScalar(includingNewline: Bool)
    case assertion(RegexAssertion)
    case concatenation([RegexNode])
    case alternation([RegexNode])
    /// `maximum` nil: unbounded.
    case repetition(RegexNode, minimum: Int, maximum: Int?)
}

/// The empty-width conditions: `^` `$` (with and without the `m` flag), `\A` `\z` `\b` `\B`.
enum RegexAssertion: Sendable, Hashable {
    case beginText, endText, beginLine, endLine, wordBoundary, notWordBoundary

    /// Whether the condition holds between `previous` and `next` (nil at the text's ends).
    func holds(previous: Unicode.Scalar?, next: Unicode.Scalar?) -> Bool {
        switch self {
        case .beginText: return previous == nil
        case .endText: return next == nil
        case .beginLine: return previous == nil || previous == "\n"
        case .endLine: return next == nil || next == "\n"
        case .wordBoundary:
            return RegexCharacterSet.isWordCharacter(previous) != RegexCharacterSet.isWordCharacter(next)
        case .notWordBoundary:
            return RegexCharacterSet.isWordCharacter(previous) == RegexCharacterSet.isWordCharacter(next)
        }
    }
}
