import Testing

@testable import LBClientKit

@Suite("lbclient configuration syntax")
struct ClientConfigFileTests {
    private func lines(_ text: String) throws -> [ConfigLine] {
        try ClientConfigFile.parse(text, path: "lbclient.conf").get().lines
    }

    private func errors(_ text: String) -> [ClientConfigError] {
        guard case .failure(let errors) = ClientConfigFile.parse(text, path: "lbclient.conf") else {
            return []
        }
        return errors.errors
    }

    @Test func commentsAndBlankLinesAreSkipped() throws {
        let parsed = try lines("# header\n\n   \n\t# indented comment\ncheck nologin\n")
        #expect(parsed.count == 1)
        #expect(parsed[0].keyword == .nologin)
        #expect(parsed[0].lineNumber == 5)
    }

    @Test func verbsAndKeywordsIgnoreCase() throws {
        let parsed = try lines("Check NoLogin\nLOAD CONSTANT 5\nload Collectd_Alarms [{}]")
        #expect(parsed.map(\.keyword) == [.nologin, .constant, .collectdAlarms])
        #expect(parsed.map(\.verb) == [.check, .load, .load])
    }

    /// golbclient's faults: leading blanks, tabs, several blanks and CRLF were errors.
    @Test func whitespaceAndCRLFAreAccepted() throws {
        let parsed = try lines("  check nologin\r\ncheck\t\ttmpfull\r\nload   constant   5   \r\n")
        #expect(parsed.map(\.keyword) == [.nologin, .tmpfull, .constant])
        #expect(parsed[2].arguments == "5")
        #expect(parsed[2].text == "load   constant   5   ")
    }

    @Test func argumentsKeepTheirColumn() throws {
        let parsed = try lines("check  lemon  [13163] > 1")
        #expect(parsed[0].arguments == "[13163] > 1")
        #expect(parsed[0].argumentsColumn == 15)
        let error = parsed[0].error("bad", atArgumentOffset: 2)
        #expect(error.description == "lbclient.conf:1:17: bad")
    }

    @Test func unknownVerbNamesTheColumn() {
        let found = errors("check nologin\n   verify nologin")
        #expect(found.count == 1)
        #expect(found[0].line == 2)
        #expect(found[0].column == 4)
        #expect(found[0].message.contains("expected `check KEYWORD` or `load KEYWORD`"))
    }

    @Test func unknownKeywordListsTheValidOnes() {
        let found = errors("check nologinfoo")
        #expect(found.first?.column == 7)
        #expect(found.first?.message.contains("unknown keyword `nologinfoo`") == true)
        #expect(found.first?.message.contains("tmpfull") == true)
    }

    @Test func keywordGluedToItsExpressionGetsAHint() {
        let found = errors("check collectd[x]>1")
        #expect(found.first?.message.contains("put a blank between `collectd` and its expression") == true)
    }

    @Test func lemonloadIsExplained() {
        #expect(
            errors("check lemonload [1]").first?.message.contains("write `load lemon EXPRESSION`") == true)
    }

    @Test func verbMustSuitTheKeyword() {
        #expect(errors("check constant 4").first?.message == "`constant` is used with load, not check")
        #expect(errors("load nologin").first?.message == "`nologin` is used with check, not load")
    }

    @Test func aVerbAloneIsAnError() {
        #expect(errors("check").first?.message.contains("needs a keyword") == true)
    }

    @Test func everyBadLineIsReported() {
        let found = errors("bogus\ncheck nologin\ncheck nope\nload nologin\n")
        #expect(found.map(\.line) == [1, 3, 4])
    }

    @Test func emptyFileHasNoLines() throws {
        #expect(try lines("").isEmpty)
        #expect(try lines("# nothing\n").isEmpty)
    }

    @Test func randomInputNeverCrashes() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("check load nologin lemon constant [](){}#=_:\t\r\n 0123456789\u{0}é")
        for _ in 0..<5000 {
            let length = Int.random(in: 0..<200, using: &generator)
            let text = String((0..<length).map { _ in alphabet.randomElement(using: &generator)! })
            _ = ClientConfigFile.parse(text, path: "fuzz")
        }
        let bytes = (0..<20000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        _ = ClientConfigFile.parse(String(decoding: bytes, as: UTF8.self), path: "fuzz")
    }
}

@Suite("lbaliases")
struct AliasListFileTests {
    @Test func readsLbaliasLines() {
        let text = """
            lbalias=a.example.org
              lbalias = b.example.org  # comment
            LBALIAS=ignored.example.org
            # lbalias=commented.example.org
            lbalias=a.example.org
            lbalias=
            something else
            lbalias\t=\tc.example.org
            """
        #expect(AliasListFile.parse(text) == ["a.example.org", "b.example.org", "c.example.org"])
    }
}
