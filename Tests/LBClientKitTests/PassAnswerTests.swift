import LBCore
import Testing

@testable import LBClientKit

@Suite struct PassAnswerTests {
    @Test func anIntegerAnswerIsThreeLinesForSnmpdPass() {
        #expect(PassAnswer.integer(5).rendered == ".1.3.6.1.4.1.96.255.1\ninteger\n5\n")
        #expect(PassAnswer.integer(-14).rendered == ".1.3.6.1.4.1.96.255.1\ninteger\n-14\n")
        #expect(PassAnswer.integer(5).value == "5")
    }

    @Test func aPerAliasAnswerIsAStringOfPairsInConfigurationOrder() {
        let answer = PassAnswer.perAlias([("a", 1), ("b", -3)])
        #expect(answer.rendered == ".1.3.6.1.4.1.96.255.1\nstring\na=1,b=-3\n")
        #expect(answer.value == "a=1,b=-3")
        let reversed = PassAnswer.perAlias([("b", -3), ("a", 1)])
        #expect(reversed.value == "b=-3,a=1")
        #expect(reversed != answer)
    }

    @Test func aPerAliasAnswerCanBeReadBackByLbd() {
        let answer = PassAnswer.perAlias([
            ("monit-kafkax.cern.ch", 816), ("monit-kafka.cern.ch", 817), ("test01.cern.ch", -14),
        ])
        let list = AliasLoadList(parsing: answer.value)
        #expect(list.lookup("monit-kafkax.cern.ch") == .load(816))
        #expect(list.lookup("monit-kafka.cern.ch") == .load(817))
        #expect(list.lookup("test01.cern.ch") == .load(-14))
    }

    @Test func anEmptyPerAliasAnswerIsAnEmptyString() {
        #expect(PassAnswer.perAlias([]).rendered == ".1.3.6.1.4.1.96.255.1\nstring\n\n")
    }

    @Test func theFirstLineIsTheLoadReportOID() {
        let firstLine = PassAnswer.integer(1).rendered.split(separator: "\n").first.map(String.init)
        #expect(firstLine == loadReportOID)
    }

    @Test func answersAreEqualWhenTheyRenderTheSame() {
        #expect(PassAnswer.integer(5) == .integer(5))
        #expect(PassAnswer.integer(5) != .integer(6))
        #expect(PassAnswer.perAlias([("a", 5)]) == .perAlias([("a", 5)]))
        #expect(PassAnswer.perAlias([("a", 5)]) != .integer(5))
        #expect(Set([PassAnswer.perAlias([("a", 5)]), .perAlias([("a", 5)]), .integer(5)]).count == 2)
    }
}
