/// The per-alias form of an lbclient answer: `alias1=12,alias2=-5`.
///
/// Aliases match exactly (whole name, case-insensitive as DNS names are, a trailing dot
/// ignored), never as a pattern: `foo.example.org` does not match `xfoo.example.org=5`,
/// which golbd's unanchored regex did.
public struct AliasLoadList: Sendable {
    /// The result of looking an alias up in a per-alias answer.
    public enum Lookup: Hashable, Sendable {
        /// The answer lists the alias with this load.
        case load(Int)
        /// The answer does not mention the alias.
        case notListed
        /// The answer lists the alias but its value is not an integer.
        case malformed(String)
    }

    private let entries: [(alias: String, value: Substring)]

    /// Splits `text` into its `alias=value` entries. Entries without `=` are ignored: they
    /// cannot name an alias.
    public init(parsing text: String) {
        entries = text.split(separator: ",").compactMap { entry in
            guard let equals = entry.firstIndex(of: "=") else { return nil }
            let alias = Self.normalisedAlias(entry[..<equals])
            let value = entry[entry.index(after: equals)...]
            return (alias, Self.trimmed(value))
        }
    }

    /// The load this answer gives `alias`; the first entry naming it wins.
    public func lookup(_ alias: String) -> Lookup {
        let wanted = Self.normalisedAlias(Substring(alias))
        guard let entry = entries.first(where: { $0.alias == wanted }) else { return .notListed }
        guard let load = Int(entry.value) else { return .malformed(String(entry.value.prefix(64))) }
        return .load(load)
    }

    /// The load `text` gives `alias`, as `AliasLoadList(parsing: text).lookup(alias)` says,
    /// without building the list when both are ASCII: every alias of a node reads its answer,
    /// at every evaluation.
    public static func lookup(_ alias: String, in text: String) -> Lookup {
        var alias = alias
        var text = text
        let found: Int?? = alias.withUTF8 { wanted in
            text.withUTF8 { answer in asciiLookup(wanted, in: answer) }
        }
        switch found {
        case .some(.some(let load)): return .load(load)
        case .some(.none): return .notListed
        case .none: return AliasLoadList(parsing: text).lookup(alias)
        }
    }

    /// `lookup` on bytes: the load, or `.some(nil)` when the alias is not listed; nil when the
    /// list must answer: either side is not ASCII (its rules are on characters), or the value is
    /// not an integer (the list words the `.malformed` answer).
    private static func asciiLookup(
        _ wanted: UnsafeBufferPointer<UInt8>, in answer: UnsafeBufferPointer<UInt8>
    )
        -> Int??
    {
        guard wanted.allSatisfy({ $0 < 0x80 }), answer.allSatisfy({ $0 < 0x80 }) else { return nil }
        let wantedName = trimmedName(wanted, 0, wanted.count)
        var entryStart = 0
        while entryStart <= answer.count {
            var entryEnd = entryStart
            while entryEnd < answer.count, answer[entryEnd] != UInt8(ascii: ",") { entryEnd += 1 }
            if let equals = (entryStart..<entryEnd).first(where: { answer[$0] == UInt8(ascii: "=") }) {
                let name = trimmedName(answer, entryStart, equals)
                if sameName(answer, name, wanted, wantedName) {
                    let value = trimmed(answer, equals + 1, entryEnd)
                    guard let load = integer(answer, value) else { return nil }
                    return .some(load)
                }
            }
            entryStart = entryEnd + 1
        }
        return .some(nil)
    }

    private static func isBlank(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A
    }

    private static func trimmed(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Range<Int> {
        var start = start
        var end = end
        while start < end, isBlank(bytes[start]) { start += 1 }
        while end > start, isBlank(bytes[end - 1]) { end -= 1 }
        return start..<end
    }

    /// Trimmed, without one trailing dot, as `normalisedAlias` does.
    private static func trimmedName(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Range<
        Int
    > {
        let range = trimmed(bytes, start, end)
        if !range.isEmpty, bytes[range.upperBound - 1] == UInt8(ascii: ".") {
            return range.lowerBound..<(range.upperBound - 1)
        }
        return range
    }

    private static func sameName(
        _ left: UnsafeBufferPointer<UInt8>, _ leftRange: Range<Int>, _ right: UnsafeBufferPointer<UInt8>,
        _ rightRange: Range<Int>
    ) -> Bool {
        guard leftRange.count == rightRange.count else { return false }
        for offset in 0..<leftRange.count
        where lowercased(left[leftRange.lowerBound + offset])
            != lowercased(right[rightRange.lowerBound + offset])
        {
            return false
        }
        return true
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        (0x41...0x5A).contains(byte) ? byte | 0x20 : byte
    }

    /// The value as `Int(_:)` reads it: an optional sign and decimal digits, within `Int`.
    private static func integer(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int? {
        var index = range.lowerBound
        var negative = false
        if index < range.upperBound, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
            negative = bytes[index] == UInt8(ascii: "-")
            index += 1
        }
        guard index < range.upperBound else { return nil }
        var value = 0
        while index < range.upperBound {
            let digit = bytes[index] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            let (times, overflowTimes) = value.multipliedReportingOverflow(by: 10)
            let (next, overflowAdd) =
                negative
                ? times.subtractingReportingOverflow(Int(digit)) : times.addingReportingOverflow(Int(digit))
            guard !overflowTimes, !overflowAdd else { return nil }
            value = next
            index += 1
        }
        return value
    }

    static func normalisedAlias(_ name: Substring) -> String {
        aliasKey(trimmed(name))
    }

    private static func trimmed(_ text: Substring) -> Substring {
        // "\r\n" is a single Character (one grapheme cluster), distinct from "\r" and "\n".
        let isBlank: (Character) -> Bool = {
            $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" || $0 == "\r\n"
        }
        guard let first = text.firstIndex(where: { !isBlank($0) }),
            let last = text.lastIndex(where: { !isBlank($0) })
        else { return "" }
        return text[first...last]
    }
}
