/// Reads golbd's original line format:
///
/// ```
/// dns_manager = 137.138.28.176
/// parameters www.example.org = best_hosts#2 external#no metric#cmsfrontier polling_interval#300 ttl#60
/// clusters www.example.org = node1.example.org node2.example.org
/// ```
///
/// Every file golbd accepts loads with the same meaning, with golbd's faults fixed: blanks are
/// any run of spaces or tabs, CRLF is accepted, an indented `#` starts a comment, parameters never
/// leak from one alias to the next, and a malformed line is an error with its position instead
/// of a crash.
struct GolbdLineFormatParser {
    let diagnostics: Diagnostics

    private struct Token {
        var text: String
        var column: Int
    }

    func parse(_ text: String) -> Configuration {
        var settings = GolbdSettings()
        var settingLines: [String: Int] = [:]
        var drafts: [AliasDraft] = []
        var draftIndex: [String: Int] = [:]
        var parametersLine: [String: Int] = [:]
        var clustersLine: [String: Int] = [:]
        var builders: [String: AliasParametersBuilder] = [:]

        let lines = text.split(
            omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        for (offset, rawLine) in lines.enumerated() {
            let lineNumber = offset + 1
            let tokens = Self.tokens(of: rawLine)
            guard let first = tokens.first, !first.text.hasPrefix("#") else { continue }
            if tokens.count >= 2, tokens[1].text == "=" {
                readSetting(tokens, line: lineNumber, into: &settings, seen: &settingLines)
                continue
            }
            guard first.text == "parameters" || first.text == "clusters" else {
                reportUnknownLine(tokens, line: lineNumber)
                continue
            }
            guard tokens.count >= 3, tokens[2].text == "=" else {
                diagnostics.error(
                    "expected '\(first.text) ALIAS = ...'", line: lineNumber,
                    column: tokens.count > 2 ? tokens[2].column : first.column)
                continue
            }
            let aliasToken = tokens[1]
            let key = AliasConfiguration.normalisedName(aliasToken.text)
            let location = SourceLocation(line: lineNumber, column: aliasToken.column)
            let index: Int
            if let existing = draftIndex[key] {
                index = existing
            } else {
                index = drafts.count
                draftIndex[key] = index
                drafts.append(AliasDraft(name: aliasToken.text, location: location))
            }
            let values = Array(tokens.dropFirst(3))
            if first.text == "parameters" {
                if let previous = parametersLine[key] {
                    diagnostics.error(
                        "duplicate parameters for alias '\(key)' (first given on line \(previous))",
                        line: lineNumber, column: aliasToken.column)
                    continue
                }
                parametersLine[key] = lineNumber
                builders[key] = readParameters(values, line: lineNumber)
                drafts[index].parametersLocation = location
            } else {
                if let previous = clustersLine[key] {
                    diagnostics.error(
                        "duplicate clusters for alias '\(key)' (first given on line \(previous))",
                        line: lineNumber, column: aliasToken.column)
                    continue
                }
                clustersLine[key] = lineNumber
                drafts[index].members = values.map {
                    AliasDraft.Member(
                        name: $0.text, location: SourceLocation(line: lineNumber, column: $0.column))
                }
                if drafts[index].parametersLocation == nil { drafts[index].location = location }
            }
        }

        var configuration = Configuration()
        settings.apply(to: &configuration, diagnostics: diagnostics)
        var complete: [AliasDraft] = []
        for var draft in drafts {
            let key = AliasConfiguration.normalisedName(draft.name)
            guard let builder = builders[key] else {
                if draft.members?.isEmpty == false {
                    diagnostics.error(
                        "alias '\(key)' has members but no 'parameters \(key) = ...' line",
                        line: draft.location.line, column: draft.location.column)
                }
                continue
            }
            if draft.members?.isEmpty == false {
                GolbdParameters.warnAboutMissingKeys(
                    builder, alias: key, at: draft.parametersLocation ?? draft.location,
                    diagnostics: diagnostics)
            }
            draft.parameters = builder.values
            complete.append(draft)
        }
        configuration.aliases = AliasValidator(diagnostics: diagnostics, missingMembers: .ignore).validate(
            complete)
        return configuration
    }

    private func readSetting(
        _ tokens: [Token], line: Int, into settings: inout GolbdSettings, seen: inout [String: Int]
    ) {
        let key = tokens[0].text
        guard tokens.count == 3 else {
            if tokens.count == 2 {
                diagnostics.error("\(key) has no value", line: line, column: tokens[1].column)
            } else {
                diagnostics.error("\(key) takes a single value", line: line, column: tokens[3].column)
            }
            return
        }
        let value = GolbdSettings.Value(
            text: tokens[2].text, location: SourceLocation(line: line, column: tokens[2].column))
        guard let slot = GolbdSettings.field(lineKey: key) else {
            diagnostics.error(
                "unknown setting '\(key.prefix(40))': expected "
                    + GolbdSettings.lineKeys.joined(separator: ", "),
                line: line, column: tokens[0].column)
            return
        }
        if let previous = seen[key] {
            diagnostics.error(
                "\(key) is set twice (first on line \(previous))", line: line, column: tokens[0].column)
            return
        }
        seen[key] = line
        settings[keyPath: slot] = value
    }

    private func readParameters(_ tokens: [Token], line: Int) -> AliasParametersBuilder {
        var builder = AliasParametersBuilder()
        for token in tokens {
            guard let hash = token.text.firstIndex(of: "#") else {
                diagnostics.error(
                    "expected key#value, not '\(token.text.prefix(40))'", line: line, column: token.column)
                continue
            }
            let key = String(token.text[..<hash])
            let value = String(token.text[token.text.index(after: hash)...])
            if builder.given.contains(key) {
                diagnostics.error("parameter \(key) is given twice", line: line, column: token.column)
                continue
            }
            do {
                try GolbdParameters.apply(key: key, value: value, to: &builder)
            } catch {
                diagnostics.error(error.text, line: line, column: token.column)
            }
        }
        return builder
    }

    private func reportUnknownLine(_ tokens: [Token], line: Int) {
        let first = tokens[0]
        if first.text.contains("=") {
            diagnostics.error(
                "expected 'KEY = VALUE' with blanks around '='", line: line, column: first.column)
        } else {
            diagnostics.error(
                "unknown line starting with '\(first.text.prefix(40))': expected 'KEY = VALUE', "
                    + "'parameters ALIAS = ...' or 'clusters ALIAS = ...'",
                line: line, column: first.column)
        }
    }

    /// The blank-separated words of `line` with their 1-based columns.
    private static func tokens(of line: Substring) -> [Token] {
        var tokens: [Token] = []
        var current = ""
        var start = 0
        for (index, character) in line.enumerated() {
            if character == " " || character == "\t" || character == "\r" || character == "\r\n" {
                if !current.isEmpty {
                    tokens.append(Token(text: current, column: start + 1))
                    current = ""
                }
            } else {
                if current.isEmpty { start = index }
                current.append(character)
            }
        }
        if !current.isEmpty { tokens.append(Token(text: current, column: start + 1)) }
        return tokens
    }
}
