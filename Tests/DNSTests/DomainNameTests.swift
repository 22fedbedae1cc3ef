import LBCore
import Testing

@testable import DNS

@Suite struct DomainNameTests {
    private func label(_ length: Int, _ character: Character = "a") -> String {
        String(repeating: character, count: length)
    }

    @Test func theTrailingDotIsOptional() throws {
        let dotted = try DomainName(parsing: "www.example.org.")
        let bare = try DomainName(parsing: "www.example.org")
        #expect(dotted.labels == ["www", "example", "org"])
        #expect(bare.labels == ["www", "example", "org"])
        #expect(dotted == bare)
        #expect(bare.description == "www.example.org.")
    }

    @Test func aLoneDotIsTheRoot() throws {
        let root = try DomainName(parsing: ".")
        #expect(root.labels.isEmpty)
        #expect(root.description == ".")
        #expect(root.normalised == "")
    }

    @Test func aSingleLabelIsAName() throws {
        #expect(try DomainName(parsing: "localhost").labels == ["localhost"])
    }

    @Test func anEmptyTextIsRefused() {
        #expect(throws: DomainName.ParseError.empty) { try DomainName(parsing: "") }
    }

    @Test(arguments: ["a..b", ".a", "..", "a.b..", "..a", "a..", "..."])
    func anEmptyLabelIsRefused(text: String) {
        #expect(throws: DomainName.ParseError.emptyLabel) { try DomainName(parsing: text) }
    }

    @Test func labelsMayHave63OctetsButNot64() throws {
        #expect(try DomainName(parsing: label(63) + ".example.org").labels.first?.count == 63)
        #expect(throws: DomainName.ParseError.labelTooLong(label(64))) {
            try DomainName(parsing: label(64) + ".example.org")
        }
        #expect(throws: DomainName.ParseError.labelTooLong(label(64, "b"))) {
            try DomainName(parsing: "www." + label(64, "b"))
        }
    }

    @Test func theNameMayHave255OctetsOnTheWireButNot256() throws {
        // Wire length: one length octet per label plus the label, plus the root octet.
        let longest = [label(63), label(63), label(63), label(61)].joined(separator: ".")
        #expect(longest.utf8.count == 253)
        #expect(try DomainName(parsing: longest).labels.count == 4)
        #expect(try DomainName(parsing: longest + ".").labels.count == 4)
        let tooLong = [label(63), label(63), label(63), label(62)].joined(separator: ".")
        #expect(throws: DomainName.ParseError.nameTooLong(256)) { try DomainName(parsing: tooLong) }
        let manyLabels = Array(repeating: "a", count: 128).joined(separator: ".")
        #expect(throws: DomainName.ParseError.nameTooLong(257)) { try DomainName(parsing: manyLabels) }
        let mostLabels = Array(repeating: "a", count: 127).joined(separator: ".")
        #expect(try DomainName(parsing: mostLabels).labels.count == 127)
    }

    @Test(
        arguments: [
            ("www example.org", " "), ("www.exa\tmple.org", "\t"), ("www.exämple.org", "ä"),
            ("a\u{7F}.org", "\u{7F}"),
            ("a\nb", "\n"), ("a\r\n.org", "\r\n"), ("a\u{0}.org", "\u{0}"), ("bücher.example", "ü"),
        ] as [(String, Character)])
    func invalidCharactersAreRefused(text: String, character: Character) {
        #expect(throws: DomainName.ParseError.invalidCharacter(character)) { try DomainName(parsing: text) }
    }

    @Test func serviceLabelsAndDigitsAreAccepted() throws {
        #expect(
            try DomainName(parsing: "_ldap._tcp.example.org").labels == ["_ldap", "_tcp", "example", "org"])
        #expect(try DomainName(parsing: "123.example.org").labels.first == "123")
        #expect(try DomainName(parsing: "itpes-internal.").labels == ["itpes-internal"])
    }

    @Test func namesCompareAndHashCaseInsensitively() throws {
        let upper = try DomainName(parsing: "WWW.Example.ORG")
        let lower = try DomainName(parsing: "www.example.org.")
        #expect(upper == lower)
        #expect(upper.hashValue == lower.hashValue)
        #expect(Set([upper, lower]).count == 1)
        #expect(try DomainName(parsing: "www.example.org") != DomainName(parsing: "www.example.com"))
        #expect(try DomainName(parsing: "a.b") != DomainName(parsing: "a.b.c"))
        #expect(try DomainName(parsing: "ab.c") != DomainName(parsing: "a.bc"))
    }

    @Test func descriptionKeepsTheSpellingAndNormalisedLowercases() throws {
        let name = try DomainName(parsing: "WWW.Example.ORG")
        #expect(name.description == "WWW.Example.ORG.")
        #expect(name.normalised == "www.example.org")
        #expect(try DomainName(parsing: "www.example.org.").normalised == "www.example.org")
    }

    @Test func errorsExplainThemselves() {
        #expect(DomainName.ParseError.empty.description.contains("empty"))
        #expect(DomainName.ParseError.labelTooLong(label(70)).description.contains("63"))
        #expect(DomainName.ParseError.nameTooLong(300).description.contains("300"))
        #expect(DomainName.ParseError.invalidCharacter("\t").description.contains("\\t"))
    }

    @Test func randomTextNeverCrashesAndWhatParsesRespectsTheLimits() throws {
        var random = SeededRandomNumberGenerator(seed: 21)
        let alphabet = Array("ab-_.Z9.. \tä\u{301}")
        for _ in 0..<20_000 {
            let length = Int.random(in: 0...300, using: &random)
            let text = String((0..<length).map { _ in alphabet.randomElement(using: &random)! })
            guard let name = try? DomainName(parsing: text) else { continue }
            #expect(name.labels.allSatisfy { (1...63).contains($0.utf8.count) })
            #expect(name.labels.reduce(1) { $0 + $1.utf8.count + 1 } <= 255)
            #expect(try DomainName(parsing: name.description) == name)
        }
    }
}
