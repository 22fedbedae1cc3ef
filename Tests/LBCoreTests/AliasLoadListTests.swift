import Testing

@testable import LBCore

@Suite struct AliasLoadListTests {
    @Test func findsEachAliasOfAGolbclientAnswer() {
        let list = AliasLoadList(
            parsing: "monit-kafkax.cern.ch=816,monit-kafka.cern.ch=817,test01.cern.ch=-14")
        #expect(list.lookup("monit-kafkax.cern.ch") == .load(816))
        #expect(list.lookup("monit-kafka.cern.ch") == .load(817))
        #expect(list.lookup("test01.cern.ch") == .load(-14))
        #expect(list.lookup("test02.cern.ch") == .notListed)
    }

    @Test func aliasMustNotMatchInsideALongerName() {
        #expect(AliasLoadList(parsing: "xfoo.example.org=5").lookup("foo.example.org") == .notListed)
        #expect(AliasLoadList(parsing: "foo.example.org.uk=5").lookup("foo.example.org") == .notListed)
        #expect(AliasLoadList(parsing: "foo.example.org=5").lookup("oo.example.org") == .notListed)
        #expect(AliasLoadList(parsing: "foo.example.org=5").lookup("foo.example.or") == .notListed)
    }

    @Test func dotsInTheAliasAreNotWildcards() {
        // golbd's unescaped regex `foo.example.org=([0-9]+)` matched this.
        #expect(AliasLoadList(parsing: "fooXexample.org=5").lookup("foo.example.org") == .notListed)
        #expect(AliasLoadList(parsing: "fooXexampleYorg=5").lookup("foo.example.org") == .notListed)
    }

    @Test func aLongerNameListedFirstDoesNotShadowTheExactOne() {
        let list = AliasLoadList(parsing: "xfoo.example.org=5,foo.example.org=7")
        #expect(list.lookup("foo.example.org") == .load(7))
        #expect(list.lookup("xfoo.example.org") == .load(5))
    }

    @Test func matchesCaseInsensitively() {
        #expect(AliasLoadList(parsing: "FOO.Example.ORG=5").lookup("foo.example.org") == .load(5))
        #expect(AliasLoadList(parsing: "foo.example.org=5").lookup("Foo.EXAMPLE.org") == .load(5))
    }

    @Test func ignoresATrailingDotOnEitherSide() {
        #expect(AliasLoadList(parsing: "foo.example.org.=5").lookup("foo.example.org") == .load(5))
        #expect(AliasLoadList(parsing: "foo.example.org=5").lookup("foo.example.org.") == .load(5))
        #expect(AliasLoadList(parsing: "foo.example.org.=5").lookup("foo.example.org.") == .load(5))
        #expect(AliasLoadList(parsing: "foo.example.org..=5").lookup("foo.example.org") == .notListed)
    }

    @Test func readsNegativeAndZeroValues() {
        let list = AliasLoadList(parsing: "a=-3,b=0,c=-200,d=100000,e=+7")
        #expect(list.lookup("a") == .load(-3))
        #expect(list.lookup("b") == .load(0))
        #expect(list.lookup("c") == .load(-200))
        #expect(list.lookup("d") == .load(100_000))
        #expect(list.lookup("e") == .load(7))
    }

    @Test func theFirstEntryNamingTheAliasWins() {
        #expect(AliasLoadList(parsing: "a=5,a=7").lookup("a") == .load(5))
        #expect(AliasLoadList(parsing: "A=5,a=7").lookup("a") == .load(5))
        #expect(AliasLoadList(parsing: "a.=5,a=7").lookup("a") == .load(5))
        #expect(AliasLoadList(parsing: "a=x,a=7").lookup("a") == .malformed("x"))
    }

    @Test func toleratesBlanksAroundNamesAndValues() {
        let list = AliasLoadList(parsing: " a = 5 ,\tb\t=\t7\t, c=9 ")
        #expect(list.lookup("a") == .load(5))
        #expect(list.lookup("b") == .load(7))
        #expect(list.lookup("c") == .load(9))
    }

    @Test func toleratesALineEndAfterTheLastValue() {
        #expect(AliasLoadList(parsing: "a=1,b=2\n").lookup("b") == .load(2))
        #expect(AliasLoadList(parsing: "a=1,b=2\r\n").lookup("b") == .load(2))
        #expect(AliasLoadList(parsing: "a=1\r\n,b=2").lookup("a") == .load(1))
        #expect(AliasLoadList(parsing: "a=1,b=2\r").lookup("b") == .load(2))
    }

    @Test(arguments: [
        ("a=five", "five"),
        ("a=", ""),
        ("a= ", ""),
        ("a=5.5", "5.5"),
        ("a=1e3", "1e3"),
        ("a=5 6", "5 6"),
        ("a=5=6", "5=6"),
        ("a=0x10", "0x10"),
        ("a=99999999999999999999999", "99999999999999999999999"),
        ("a=--1", "--1"),
    ])
    func reportsMalformedValues(text: String, value: String) {
        #expect(AliasLoadList(parsing: text).lookup("a") == .malformed(value))
    }

    @Test func truncatesALongMalformedValueTo64Characters() {
        let value = String(repeating: "x", count: 500)
        #expect(
            AliasLoadList(parsing: "a=" + value).lookup("a") == .malformed(String(repeating: "x", count: 64)))
    }

    @Test func aMalformedEntryDoesNotHideTheOthers() {
        let list = AliasLoadList(parsing: "a=oops,b=4")
        #expect(list.lookup("a") == .malformed("oops"))
        #expect(list.lookup("b") == .load(4))
    }

    @Test func ignoresEntriesWithoutAnEqualsSign() {
        let list = AliasLoadList(parsing: "garbage,a=5,,b,c=6,")
        #expect(list.lookup("a") == .load(5))
        #expect(list.lookup("b") == .notListed)
        #expect(list.lookup("c") == .load(6))
        #expect(list.lookup("garbage") == .notListed)
        #expect(AliasLoadList(parsing: "a").lookup("a") == .notListed)
    }

    @Test func anEmptyAnswerListsNothing() {
        #expect(AliasLoadList(parsing: "").lookup("a") == .notListed)
        #expect(AliasLoadList(parsing: ",,,").lookup("a") == .notListed)
        #expect(AliasLoadList(parsing: "  ").lookup("a") == .notListed)
    }

    /// Lists built from random aliases and values: each alias gets the value of its first entry.
    @Test func randomListsGiveEveryAliasItsFirstValue() {
        var random = SeededRandomNumberGenerator(seed: 11)
        let names = [
            "a", "b.example.org", "xb.example.org", "B.EXAMPLE.ORG.", "c-1.example", "bXexample.org",
        ]
        for _ in 0..<1_000 {
            var entries: [(String, Int)] = []
            for _ in 0..<Int.random(in: 0...8, using: &random) {
                entries.append(
                    (names.randomElement(using: &random)!, Int.random(in: -300...200_000, using: &random)))
            }
            let list = AliasLoadList(parsing: entries.map { "\($0.0)=\($0.1)" }.joined(separator: ","))
            for name in names {
                let key = AliasLoadList.normalisedAlias(Substring(name))
                let expected = entries.first { AliasLoadList.normalisedAlias(Substring($0.0)) == key }
                #expect(list.lookup(name) == (expected.map { .load($0.1) } ?? .notListed))
            }
        }
    }

    /// The byte-level lookup the engine uses gives what the list gives, on random ASCII answers
    /// (blanks, dots, signs, case, values out of range, entries without `=`) and on answers that
    /// are not ASCII, where it hands over to the list.
    @Test func theQuickLookupAgreesWithTheList() {
        var random = SeededRandomNumberGenerator(seed: 13)
        let alphabet = Array("aAbB.=,-+0912 \t\r\n\u{301}é")
        let aliases = ["a", "A.", "b.a", " b.A ", "", ".", "ab", "é", "a\u{301}"]
        for _ in 0..<20_000 {
            let text = randomString(from: alphabet, maxLength: 24, using: &random)
            let list = AliasLoadList(parsing: text)
            for alias in aliases {
                #expect(
                    AliasLoadList.lookup(alias, in: text) == list.lookup(alias),
                    "\(text.debugDescription) \(alias)")
            }
        }
        #expect(AliasLoadList.lookup("a", in: "b=1, A. = -9223372036854775808 ,a=2") == .load(Int.min))
        #expect(AliasLoadList.lookup("a", in: "a=9223372036854775808") == .malformed("9223372036854775808"))
        #expect(AliasLoadList.lookup("a", in: "a=9223372036854775807") == .load(Int.max))
        #expect(AliasLoadList.lookup("a", in: "a=+") == .malformed("+"))
        #expect(AliasLoadList.lookup("a", in: "a=") == .malformed(""))
    }

    /// Random text never crashes the parser; a load found always appears in the text.
    @Test func randomStringsNeverCrash() {
        var random = SeededRandomNumberGenerator(seed: 12)
        let alphabet = Array("ab.=,-+09 \t\r\n\u{301}é=,")
        for _ in 0..<20_000 {
            let text = randomString(from: alphabet, maxLength: 30, using: &random)
            let list = AliasLoadList(parsing: text)
            for alias in ["a", "b", "a.b", "", "."] {
                if case .load(let load) = list.lookup(alias) {
                    #expect(text.contains("="))
                    #expect(text.contains(String(load.magnitude)), "\(text.debugDescription)")
                }
            }
        }
    }
}
