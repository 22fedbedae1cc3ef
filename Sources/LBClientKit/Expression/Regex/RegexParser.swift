/// Reads the RE2 syntax Go's `regexp` accepts (what golbclient's `=~` used), minus what only
/// captures would need: literals and escapes (`\t`, `\x41`, `\x{263a}`, `\Q...\E`, escaped
/// punctuation), `.`, classes (`[a-z]`, `[^...]`, `[[:alpha:]]`, `\d\s\w` and capitals),
/// anchors (`^ $ \A \z \b \B`), groups (`(...)`, `(?:...)`, `(?P<name>...)`, `(?<name>...)`),
/// flags (`(?i)`, `(?ims-U:...)`), alternation and the repetitions `* + ? {n} {n,} {n,m}`, lazy
/// or not. Backreferences, lookaround and Unicode classes (`\p`) are errors, as in Go (RE2 has
/// no backreferences nor lookaround; `\p` is not implemented here).
struct RegexParser {
    /// Go's limit on a `{n,m}` count.
    static let maximumRepeatCount = 1000
    /// Deepest nesting of groups, so a hostile pattern cannot exhaust the stack.
    static let maximumNesting = 200

    private struct Flags {
        var caseInsensitive = false
        var multiLine = false
        var dotMatchesNewline = false
    }

    private let pattern: [Unicode.Scalar]
    private var position = 0
    private var flags = Flags()
    private var nesting = 0

    static func parse(_ pattern: String) throws(RegexError) -> RegexNode {
        var parser = RegexParser(pattern: Array(pattern.unicodeScalars))
        let node = try parser.parseAlternation()
        if parser.position < parser.pattern.count {
            // Only an unmatched `)` stops the top-level alternation early.
            throw RegexError("unexpected ): `\(pattern)`")
        }
        return node
    }

    private init(pattern: [Unicode.Scalar]) { self.pattern = pattern }

    private var peek: Unicode.Scalar? { position < pattern.count ? pattern[position] : nil }

    private func peek(_ offset: Int) -> Unicode.Scalar? {
        position + offset < pattern.count ? pattern[position + offset] : nil
    }

    private var patternText: String {
        var text = ""
        text.unicodeScalars.append(contentsOf: pattern)
        return text
    }

    private mutating func parseAlternation() throws(RegexError) -> RegexNode {
        var branches = [try parseConcatenation()]
        while peek == "|" {
            position += 1
            branches.append(try parseConcatenation())
        }
        return branches.count == 1 ? branches[0] : .alternation(branches)
    }

    private mutating func parseConcatenation() throws(RegexError) -> RegexNode {
        var items: [RegexNode] = []
        while let scalar = peek, scalar != "|", scalar != ")" {
            // `(?i)` changes the flags for the rest of the group and matches nothing.
            if scalar == "(", try parseFlagsOnlyGroup() { continue }
            if scalar == "\\", peek(1) == "Q" {
                position += 2
                items.append(contentsOf: quotedLiterals())
                continue
            }
            let atom = try parseAtom()
            items.append(try parseRepetitions(of: atom))
        }
        switch items.count {
        case 0: return .empty
        case 1: return items[0]
        default: return .concatenation(items)
        }
    }

    /// `\Q...\E`: everything up to `\E` (or the end) is literal.
    private mutating func quotedLiterals() -> [RegexNode] {
        var items: [RegexNode] = []
        while let scalar = peek {
            if scalar == "\\", peek(1) == "E" {
                position += 2
                break
            }
            position += 1
            items.append(literal(scalar))
        }
        return items
    }

    private mutating func parseRepetitions(of atom: RegexNode) throws(RegexError) -> RegexNode {
        guard let (minimum, maximum) = try repetitionOperator() else { return atom }
        if peek == "?" { position += 1 }  // lazy: the same set of matches
        if try repetitionOperator(consume: false) != nil {
            throw RegexError("invalid nested repetition operator: `\(patternText)`")
        }
        return .repetition(atom, minimum: minimum, maximum: maximum)
    }

    /// Reads `*`, `+`, `?` or a well-formed `{n,m}`; a `{` that is not one is a literal.
    private mutating func repetitionOperator(consume: Bool = true) throws(RegexError) -> (Int, Int?)? {
        let start = position
        defer { if !consume { position = start } }
        switch peek {
        case "*":
            position += 1
            return (0, nil)
        case "+":
            position += 1
            return (1, nil)
        case "?":
            position += 1
            return (0, 1)
        case "{":
            position += 1
            guard let minimum = number() else {
                position = start
                return nil
            }
            var maximum: Int? = minimum
            if peek == "," {
                position += 1
                maximum = peek == "}" ? nil : number()
                if maximum == nil && peek != "}" {
                    position = start
                    return nil
                }
            }
            guard peek == "}" else {
                position = start
                return nil
            }
            position += 1
            if minimum > Self.maximumRepeatCount || (maximum ?? 0) > Self.maximumRepeatCount
                || (maximum.map { $0 < minimum } ?? false)
            {
                throw RegexError("invalid repeat count: `\(patternText)`")
            }
            return (minimum, maximum)
        default:
            return nil
        }
    }

    private mutating func number() -> Int? {
        var value = 0
        var digits = 0
        while let scalar = peek, ("0"..."9").contains(scalar) {
            value = min(value * 10 + Int(scalar.value - 0x30), 100_000)
            digits += 1
            position += 1
        }
        return digits > 0 ? value : nil
    }

    private mutating func parseAtom() throws(RegexError) -> RegexNode {
        guard let scalar = peek else { return .empty }
        switch scalar {
        case "(":
            return try parseGroup()
        case "[":
            position += 1
            return .set(try parseClass())
        case ".":
            position += 1
            return .anyScalar(includingNewline: flags.dotMatchesNewline)
        case "^":
            position += 1
            return .assertion(flags.multiLine ? .beginLine : .beginText)
        case "$":
            position += 1
            return .assertion(flags.multiLine ? .endLine : .endText)
        case "*", "+", "?":
            throw RegexError("missing argument to repetition operator: `\(scalar)`")
        case "{":
            if try repetitionOperator(consume: false) != nil {
                throw RegexError("missing argument to repetition operator: `\(patternText)`")
            }
            position += 1
            return literal(scalar)
        case "\\":
            position += 1
            return try parseEscape()
        default:
            position += 1
            return literal(scalar)
        }
    }

    private func literal(_ scalar: Unicode.Scalar) -> RegexNode {
        guard flags.caseInsensitive, !RegexCharacterSet.caseVariants(of: scalar).isEmpty else {
            return .scalar(scalar)
        }
        return .set(RegexCharacterSet(ranges: [scalar.value...scalar.value], caseInsensitive: true))
    }

    /// A `(?flags)` group with no body: applies the flags and returns true. Leaves other groups.
    private mutating func parseFlagsOnlyGroup() throws(RegexError) -> Bool {
        guard peek(1) == "?" else { return false }
        let start = position
        position += 2
        guard let updated = try parseFlags(), peek == ")" else {
            position = start
            return false
        }
        position += 1
        flags = updated
        return true
    }

    /// Reads `ims-U` after `(?`, stopping before `)` or `:`; nil when this is not a flag group.
    private mutating func parseFlags() throws(RegexError) -> Flags? {
        var updated = flags
        var negate = false
        var sawFlag = false
        while let scalar = peek {
            switch scalar {
            case "i": updated.caseInsensitive = !negate
            case "m": updated.multiLine = !negate
            case "s": updated.dotMatchesNewline = !negate
            case "U": break  // ungreedy: the same set of matches
            case "-":
                if negate { throw RegexError("invalid or unsupported Perl syntax: `(?\(patternText)`") }
                negate = true
                sawFlag = false
                position += 1
                continue
            case ":", ")":
                if negate && !sawFlag || (!sawFlag && scalar == ")") {
                    throw RegexError("missing argument to flags: `\(patternText)`")
                }
                return updated
            default:
                return nil
            }
            sawFlag = true
            position += 1
        }
        return nil
    }

    private mutating func parseGroup() throws(RegexError) -> RegexNode {
        position += 1
        nesting += 1
        if nesting > Self.maximumNesting { throw RegexError("expression nests too deeply: `\(patternText)`") }
        let saved = flags
        defer {
            flags = saved
            nesting -= 1
        }
        if peek == "?" {
            position += 1
            try parseGroupPrefix()
        }
        let body = try parseAlternation()
        guard peek == ")" else { throw RegexError("missing closing ): `\(patternText)`") }
        position += 1
        return body
    }

    /// What follows `(?`: `:`, `P<name>`, `<name>` or flags and `:`.
    private mutating func parseGroupPrefix() throws(RegexError) {
        switch peek {
        case ":":
            position += 1
        case "P" where peek(1) == "<", "<" where peek(1) != "=" && peek(1) != "!":
            position += peek == "P" ? 2 : 1
            var length = 0
            while let scalar = peek, scalar != ">" {
                guard RegexCharacterSet.isWordCharacter(scalar) else {
                    throw RegexError("invalid named capture: `\(patternText)`")
                }
                length += 1
                position += 1
            }
            guard peek == ">", length > 0 else { throw RegexError("invalid named capture: `\(patternText)`") }
            position += 1
        default:
            guard let updated = try parseFlags(), peek == ":" else {
                throw RegexError(
                    "invalid or unsupported Perl syntax (lookaround and backreferences do not exist in RE2): `\(patternText)`"
                )
            }
            position += 1
            flags = updated
        }
    }

    /// After a `\` outside brackets.
    private mutating func parseEscape() throws(RegexError) -> RegexNode {
        guard let scalar = peek else { throw RegexError("trailing backslash at end of expression") }
        switch scalar {
        case "A":
            position += 1
            return .assertion(.beginText)
        case "z":
            position += 1
            return .assertion(.endText)
        case "b":
            position += 1
            return .assertion(.wordBoundary)
        case "B":
            position += 1
            return .assertion(.notWordBoundary)
        case "d", "D", "s", "S", "w", "W":
            position += 1
            let perl = RegexCharacterSet.perl(Character(scalar))!
            return .set(RegexCharacterSet(ranges: perl.ranges, negated: perl.negated))
        default:
            return literal(try parseEscapedScalar())
        }
    }

    /// One escaped scalar (after the `\`), inside or outside brackets.
    private mutating func parseEscapedScalar() throws(RegexError) -> Unicode.Scalar {
        guard let scalar = peek else { throw RegexError("trailing backslash at end of expression") }
        position += 1
        switch scalar {
        case "a": return "\u{07}"
        case "f": return "\u{0C}"
        case "t": return "\t"
        case "n": return "\n"
        case "r": return "\r"
        case "v": return "\u{0B}"
        case "0"..."7":
            // `\0`, `\012`; `\1` alone would be a backreference, which RE2 has not.
            guard scalar == "0" || (peek.map { ("0"..."7").contains($0) } ?? false) else {
                throw RegexError("invalid escape sequence (no backreferences in RE2): `\\\(scalar)`")
            }
            var value = scalar.value - 0x30
            for _ in 0..<2 {
                guard let digit = peek, ("0"..."7").contains(digit) else { break }
                value = value * 8 + digit.value - 0x30
                position += 1
            }
            return Unicode.Scalar(value)!
        case "x":
            return try parseHexadecimal()
        default:
            if scalar.isASCII && !scalar.properties.isAlphabetic && !("0"..."9").contains(scalar) {
                return scalar
            }
            throw RegexError("invalid escape sequence: `\\\(scalar)`")
        }
    }

    private mutating func parseHexadecimal() throws(RegexError) -> Unicode.Scalar {
        var digits = ""
        if peek == "{" {
            position += 1
            while let scalar = peek, scalar != "}", digits.count <= 8 {
                digits.unicodeScalars.append(scalar)
                position += 1
            }
            guard peek == "}" else { throw RegexError("invalid escape sequence: `\\x{\(digits)`") }
            position += 1
        } else {
            for _ in 0..<2 {
                guard let scalar = peek else { break }
                digits.unicodeScalars.append(scalar)
                position += 1
            }
        }
        guard !digits.isEmpty, digits.count <= 8, let value = UInt32(digits, radix: 16),
            let scalar = Unicode.Scalar(value)
        else { throw RegexError("invalid escape sequence: `\\x\(digits)`") }
        return scalar
    }

    /// After `[`, up to and including the closing `]`.
    private mutating func parseClass() throws(RegexError) -> RegexCharacterSet {
        var set = RegexCharacterSet(caseInsensitive: flags.caseInsensitive)
        if peek == "^" {
            set.negated = true
            position += 1
        }
        var first = true
        while true {
            guard let scalar = peek else { throw RegexError("missing closing ]: `\(patternText)`") }
            if scalar == "]" && !first {
                position += 1
                return set
            }
            first = false
            if scalar == "[", peek(1) == ":", try parsePosixClass(into: &set) { continue }
            if scalar == "\\", let letter = peek(1), let perl = RegexCharacterSet.perl(Character(letter)) {
                position += 2
                if perl.negated { set.complements.append(perl.ranges) } else { set.ranges += perl.ranges }
                continue
            }
            let low = try classScalar()
            if peek == "-", let next = peek(1), next != "]" {
                position += 1
                if next == "\\", let letter = peek(1), RegexCharacterSet.perl(Character(letter)) != nil {
                    throw RegexError("invalid character class range: `\(patternText)`")
                }
                let high = try classScalar()
                guard low.value <= high.value else {
                    throw RegexError("invalid character class range: `\(low)-\(high)`")
                }
                set.ranges.append(low.value...high.value)
            } else {
                set.ranges.append(low.value...low.value)
            }
        }
    }

    private mutating func classScalar() throws(RegexError) -> Unicode.Scalar {
        guard let scalar = peek else { throw RegexError("missing closing ]: `\(patternText)`") }
        position += 1
        if scalar == "\\" { return try parseEscapedScalar() }
        return scalar
    }

    /// `[:alpha:]` or `[:^alpha:]` inside brackets; false (nothing read) when it is not one.
    private mutating func parsePosixClass(into set: inout RegexCharacterSet) throws(RegexError) -> Bool {
        var end = position + 2
        while end + 1 < pattern.count, !(pattern[end] == ":" && pattern[end + 1] == "]") { end += 1 }
        guard end + 1 < pattern.count else { return false }
        var name = ""
        name.unicodeScalars.append(contentsOf: pattern[(position + 2)..<end])
        let negated = name.hasPrefix("^")
        if negated { name.removeFirst() }
        guard let ranges = RegexCharacterSet.posix(name) else {
            throw RegexError("invalid character class range: `[:\(name):]`")
        }
        if negated { set.complements.append(ranges) } else { set.ranges += ranges }
        position = end + 2
        return true
    }
}
