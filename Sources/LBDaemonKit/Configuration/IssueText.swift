/// Makes the text of a configuration issue safe to print: a file's bytes end up in messages
/// (a key, a value), and a terminal or a log pipeline must not receive its control bytes.
///
/// Invariant: the result holds no control character, no line or paragraph separator and no
/// bidirectional override, and at most `limit` (by default `maximumLength`) Unicode scalars plus an ellipsis.
enum IssueText {
    /// Longer messages are cut: an issue names a value, it does not reproduce it.
    static let maximumLength = 500

    static func sanitized(_ message: String, limit: Int = maximumLength) -> String {
        var result = String.UnicodeScalarView()
        var count = 0
        for scalar in message.unicodeScalars {
            if count >= limit {
                result.append("…")
                break
            }
            if needsEscaping(scalar) {
                result.append(
                    contentsOf: "\\u{\(String(scalar.value, radix: 16, uppercase: true))}".unicodeScalars)
            } else {
                result.append(scalar)
            }
            count += 1
        }
        return String(result)
    }

    /// Whether `message` is already safe, so that the common case copies nothing.
    static func isSafe(_ message: String, limit: Int = maximumLength) -> Bool {
        var count = 0
        for scalar in message.unicodeScalars {
            count += 1
            if count > limit || needsEscaping(scalar) { return false }
        }
        return true
    }

    private static func needsEscaping(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: return true  // C0, DEL, C1
        case 0x2028, 0x2029: return true  // line and paragraph separators
        // Bidirectional marks, embeddings, overrides and isolates reorder what a terminal shows.
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }
}
