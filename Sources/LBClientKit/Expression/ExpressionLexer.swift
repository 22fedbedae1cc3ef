/// Splits a metric expression into tokens.
///
/// Blanks separate tokens (golbclient deleted every space before parsing, so `[ 13163 ]` still
/// names metric 13163: blanks inside brackets are dropped). A `#` is an invalid token, not a
/// comment, as in golbclient.
struct ExpressionLexer {
    private let characters: [Character]
    private var position = 0

    init(_ text: String) {
        characters = Array(text)
    }

    /// The column just after the last character, where "missing value" errors point.
    var endColumn: Int { characters.count + 1 }

    /// All tokens of `text`, in order.
    static func tokens(of text: String) throws(ExpressionError) -> [ExpressionToken] {
        var lexer = ExpressionLexer(text)
        var tokens: [ExpressionToken] = []
        while let token = try lexer.next() {
            tokens.append(token)
        }
        return tokens
    }

    /// The next token, or nil at the end of the text.
    mutating func next() throws(ExpressionError) -> ExpressionToken? {
        skipBlanks()
        guard position < characters.count else { return nil }
        let start = position
        let column = start + 1
        let character = characters[start]

        if isDigit(at: start) || (character == "." && isDigit(at: start + 1)) {
            return ExpressionToken(kind: .number(try readNumber()), column: column)
        }
        if character == "'" || character == "\"" {
            return ExpressionToken(kind: .string(try readString()), column: column)
        }
        if character == "[" {
            return ExpressionToken(kind: .metric(try readBracketedMetric()), column: column)
        }
        if character == "_" {
            return ExpressionToken(kind: .metric(try readLegacyMetric()), column: column)
        }
        if character.isLetter {
            let name = readIdentifier()
            switch name {
            case "true": return ExpressionToken(kind: .boolean(true), column: column)
            case "false": return ExpressionToken(kind: .boolean(false), column: column)
            case "in": return ExpressionToken(kind: .symbol(.in), column: column)
            default: return ExpressionToken(kind: .identifier(name), column: column)
            }
        }
        if character == "=" && !isCharacter("=", at: start + 1) && !isCharacter("~", at: start + 1) {
            try readLegacyEquals()
            return ExpressionToken(kind: .symbol(.equal), column: column)
        }
        for (spelling, symbol) in ExpressionSymbol.punctuationBySpelling where matches(spelling, at: start) {
            position += spelling.count
            return ExpressionToken(kind: .symbol(symbol), column: column)
        }
        if character == "#" {
            throw ExpressionError(
                "invalid token '#': a '#' does not start a comment inside an expression", column: column)
        }
        throw ExpressionError("invalid token '\(character)'", column: column)
    }

    // MARK: - Characters

    private mutating func skipBlanks() {
        while position < characters.count && characters[position].isWhitespace {
            position += 1
        }
    }

    func isDigit(at index: Int) -> Bool {
        index < characters.count && characters[index].isASCII && characters[index].isNumber
    }

    func isCharacter(_ character: Character, at index: Int) -> Bool {
        index >= 0 && index < characters.count && characters[index] == character
    }

    private func isHexDigit(at index: Int) -> Bool {
        index < characters.count && characters[index].isHexDigit && characters[index].isASCII
    }

    private func matches(_ spelling: [Character], at index: Int) -> Bool {
        guard index + spelling.count <= characters.count else { return false }
        for (offset, character) in spelling.enumerated() where characters[index + offset] != character {
            return false
        }
        return true
    }

    /// The nearest non-blank character before `index`, if any.
    func previousNonBlank(before index: Int) -> Character? {
        var cursor = index - 1
        while cursor >= 0 {
            if !characters[cursor].isWhitespace { return characters[cursor] }
            cursor -= 1
        }
        return nil
    }

    /// The index of the nearest non-blank character at or after `index`.
    func nextNonBlankIndex(from index: Int) -> Int {
        var cursor = index
        while cursor < characters.count && characters[cursor].isWhitespace {
            cursor += 1
        }
        return cursor
    }

    var currentPosition: Int { position }

    func text(from start: Int, to end: Int) -> String {
        String(characters[start..<end])
    }

    mutating func advance(by count: Int) {
        position += count
    }

    // MARK: - Token readers

    private mutating func readNumber() throws(ExpressionError) -> Double {
        let start = position
        if characters[start] == "0" && (isCharacter("x", at: start + 1) || isCharacter("X", at: start + 1)) {
            position += 2
            var value = 0.0
            var digits = 0
            while isHexDigit(at: position), let digit = characters[position].hexDigitValue {
                value = value * 16 + Double(digit)
                digits += 1
                position += 1
            }
            guard digits > 0 else {
                throw ExpressionError("invalid hexadecimal number: '0x' needs digits", column: start + 1)
            }
            return value
        }
        while isDigit(at: position) || isCharacter(".", at: position) {
            position += 1
        }
        // An exponent only when digits follow, so `2e` stays a number followed by a name.
        if isCharacter("e", at: position) || isCharacter("E", at: position) {
            var cursor = position + 1
            if isCharacter("+", at: cursor) || isCharacter("-", at: cursor) { cursor += 1 }
            if isDigit(at: cursor) {
                position = cursor
                while isDigit(at: position) { position += 1 }
            }
        }
        let text = String(characters[start..<position])
        guard let value = Double(text) else {
            throw ExpressionError("invalid number '\(text)'", column: start + 1)
        }
        return value
    }

    private mutating func readString() throws(ExpressionError) -> String {
        let start = position
        let quote = characters[start]
        position += 1
        var text = ""
        while position < characters.count {
            let character = characters[position]
            if character == quote {
                position += 1
                return text
            }
            if character == "\\" && position + 1 < characters.count {
                text.append(characters[position + 1])
                position += 2
                continue
            }
            text.append(character)
            position += 1
        }
        throw ExpressionError("unterminated string: no closing \(quote)", column: start + 1)
    }

    private mutating func readBracketedMetric() throws(ExpressionError) -> String {
        let start = position
        position += 1
        var name = ""
        while position < characters.count {
            let character = characters[position]
            if character == "]" {
                position += 1
                guard !name.isEmpty else {
                    throw ExpressionError("empty metric reference '[]'", column: start + 1)
                }
                return name
            }
            if character == "[" {
                throw ExpressionError(
                    "'[' inside the metric reference opened at column \(start + 1)", column: position + 1)
            }
            if !character.isWhitespace { name.append(character) }
            position += 1
        }
        throw ExpressionError("unclosed '[': no matching ']'", column: start + 1)
    }

    private mutating func readIdentifier() -> String {
        let start = position
        while position < characters.count {
            let character = characters[position]
            guard character.isLetter || character.isNumber || character == "_" || character == "." else {
                break
            }
            position += 1
        }
        return String(characters[start..<position])
    }
}
