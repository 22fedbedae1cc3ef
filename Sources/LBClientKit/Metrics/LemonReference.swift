/// A lemon metric reference: `[13163]` is the first value of metric 13163, `[13423:2]` its
/// second. golbclient accepted one digit after the `:` and ids of two digits or more; any id and
/// any index work here.
struct LemonReference: Sendable, Hashable {
    /// The metric id passed to `lemon-cli -m`.
    var id: String
    /// Which value of the metric's output line, 1-based.
    var valueIndex: Int

    init(id: String, valueIndex: Int) {
        self.id = id
        self.valueIndex = valueIndex
    }

    /// Reads the text between the brackets: `ID` or `ID:N`.
    init(_ name: String) throws(CheckError) {
        let parts = name.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        let id = String(parts[0])
        guard !id.isEmpty else {
            throw CheckError("a lemon metric needs an id before ':', e.g. [13163:2]")
        }
        guard !id.contains(where: { $0.isWhitespace || $0 == "\"" || $0 == "'" }) else {
            throw CheckError("'\(id)' is not a lemon metric id")
        }
        self.id = id
        guard parts.count == 2 else {
            valueIndex = 1
            return
        }
        let indexText = parts[1]
        guard !indexText.isEmpty, indexText.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw CheckError(
                "'\(indexText)' is not a value number in [\(name)]: write [\(id):N] for the N-th value (1 is the first)"
            )
        }
        guard let index = Int(indexText), index >= 1 else {
            throw CheckError("value numbers start at 1 in [\(name)]: [\(id):1] is the first value")
        }
        valueIndex = index
    }
}
