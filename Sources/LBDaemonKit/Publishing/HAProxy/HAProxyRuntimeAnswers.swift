/// Splits what HAProxy's runtime API wrote in prompt mode into one answer per command.
///
/// In prompt mode HAProxy writes `> ` at the start of a line before reading each command, so the
/// output of `prompt\nA\nB\nquit\n` is `<answer to prompt>> <answer to A>> <answer to B>> `.
/// Invariant: `split` returns exactly `expected` answers or throws; it never traps, whatever the
/// bytes.
public enum HAProxyRuntimeAnswers {
    /// The answers to `expected` commands sent after `prompt` (whose own, empty, answer is
    /// dropped), each without its trailing blank lines.
    public static func split(_ text: String, expected: Int) throws(HAProxyRuntimeError) -> [String] {
        var answers: [String] = []
        var current = ""
        var atLineStart = true
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            let next = text.index(after: index)
            if atLineStart, character == ">", next < text.endIndex, text[next] == " " {
                answers.append(current)
                current = ""
                index = text.index(after: next)
                atLineStart = true
                continue
            }
            current.append(character)
            atLineStart = character == "\n"
            index = next
        }
        // The text after the last prompt is the answer to `quit`: nothing, or the connection cut.
        guard current.allSatisfy(\.isWhitespace) else {
            throw HAProxyRuntimeError(
                .malformedAnswer, "text after the last prompt: '\(current.prefix(80))'")
        }
        // The first piece answers `prompt` itself.
        guard answers.count == expected + 1 else {
            throw HAProxyRuntimeError(
                .malformedAnswer,
                "\(max(0, answers.count - 1)) answer(s) for \(expected) command(s): the connection ended early"
            )
        }
        return answers.dropFirst().map { trimmingTrailingNewlines($0) }
    }

    static func trimmingTrailingNewlines(_ text: String) -> String {
        var text = Substring(text)
        while text.last == "\n" || text.last == "\r" { text = text.dropLast() }
        return String(text)
    }
}
