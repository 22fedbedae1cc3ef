import LBCore
import Testing

@testable import LBClientKit

/// The agent-check line: what HAProxy 2.6 parses, always one bounded printable ASCII line.
@Suite struct HAProxyAgentReplyTests {
    @Test func readyCarriesTheWeightAsAPercentage() {
        #expect(HAProxyAgentReply.ready(weight: 59).line == "up ready 59%\n")
    }

    @Test func readyWeightStaysWithinOneToAHundredPercent() {
        #expect(HAProxyAgentReply.ready(weight: 0).line == "up ready 1%\n")
        #expect(HAProxyAgentReply.ready(weight: 500).line == "up ready 100%\n")
    }

    /// HAProxy 2.6 reads `down#x` as one unknown word: the blank before `#` is required.
    @Test func downPutsABlankBeforeTheSharp() {
        #expect(
            HAProxyAgentReply.down(reason: "nologin: /etc/nologin exists").line
                == "down #nologin: /etc/nologin exists\n")
        #expect(
            HAProxyAgentReply.drain(reason: "load 100000 is above 99999").line
                == "up drain #load 100000 is above 99999\n")
    }

    @Test func noChangeIsAnEmptyLine() {
        #expect(HAProxyAgentReply.noChange.line == "\n")
    }

    @Test func reasonsAreCutAndMadePrintable() {
        let reason = "command: \u{1B}[31mred\r\nsecond line\tü" + String(repeating: "x", count: 1000)
        let line = HAProxyAgentReply.down(reason: reason).line
        #expect(line.utf8.count == HAProxyAgentReply.maximumLineLength)
        #expect(line.hasPrefix("down #command: ?[31mred??second line??"))
        #expect(line.utf8.dropLast().allSatisfy { (0x20...0x7E).contains($0) })
        #expect(line.hasSuffix("x\n"))
    }

    @Test func randomReasonsGiveOnePrintableLine() {
        var random = SeededRandomNumberGenerator(seed: 0xA6E1)
        for _ in 0..<2000 {
            let count = random.below(400)
            let scalars = (0..<count).compactMap { _ in Unicode.Scalar(UInt32(random.below(0x3000))) }
            var text = ""
            text.unicodeScalars.append(contentsOf: scalars)
            for reply in [HAProxyAgentReply.down(reason: text), .drain(reason: text)] {
                let bytes = Array(reply.line.utf8)
                #expect(bytes.count <= HAProxyAgentReply.maximumLineLength)
                #expect(bytes.last == UInt8(ascii: "\n"))
                #expect(bytes.dropLast().allSatisfy { (0x20...0x7E).contains($0) })
            }
        }
    }

    @Test func lowerLoadGivesHigherWeightOverTheWholeUsableRange() {
        #expect(LoadWeight.percent(forLoad: 1) == 100)
        #expect(LoadWeight.percent(forLoad: 10) == 80)
        #expect(LoadWeight.percent(forLoad: 100) == 60)
        #expect(LoadWeight.percent(forLoad: 1000) == 41)
        #expect(LoadWeight.percent(forLoad: 10000) == 21)
        #expect(LoadWeight.percent(forLoad: 99999) == 1)
        var previous = 101
        for load in stride(from: 1, through: 99999, by: 7) {
            let weight = LoadWeight.percent(forLoad: load)
            #expect(weight <= previous && (1...100).contains(weight))
            previous = weight
        }
    }
}

/// Which alias answers and how its value becomes a reply.
@Suite struct HAProxyAgentAnswererTests {
    let twoAliases = PassAnswer.perAlias([
        (alias: "a.example.org", load: 50), (alias: "b.example.org", load: 400),
    ])

    private func reply(_ answer: PassAnswer?, _ latest: OutcomeRecord.Latest = .none, _ request: String = "")
        -> HAProxyAgentReply
    {
        HAProxyAgentAnswerer.reply(
            answer: answer, latest: latest, request: HAProxyAgentRequest(Array(request.utf8)))
    }

    @Test func oneLoadGivesItsWeight() {
        #expect(reply(.integer(100)) == .ready(weight: 60))
    }

    @Test func aFailedCheckIsDownNamingTheCheckFromTheRecord() {
        let latest = OutcomeRecord.Latest.outcomes([
            AliasOutcome(alias: "a.example.org", value: -1, failure: "nologin: /etc/nologin exists")
        ])
        #expect(reply(.integer(-1), latest) == .down(reason: "nologin: /etc/nologin exists"))
    }

    @Test func aFailureWithoutARecordIsNamedByItsCode() {
        #expect(reply(.integer(-7)) == .down(reason: "code -7 (sshdaemon)"))
        #expect(reply(.integer(-500)) == .down(reason: "load -500 is negative"))
    }

    /// The record may be one evaluation ahead of the cache: its reason must not be pinned on
    /// a different value.
    @Test func aRecordThatDisagreesWithTheAnswerIsNotUsed() {
        let latest = OutcomeRecord.Latest.outcomes([
            AliasOutcome(alias: "a.example.org", value: -14, failure: "command: exit 1")
        ])
        #expect(reply(.integer(-1), latest) == .down(reason: "code -1 (nologin)"))
    }

    @Test func loadsAboveTheUsableRangeDrainAndZeroIsDown() {
        #expect(reply(.integer(100_000)) == .drain(reason: "load 100000 is above 99999"))
        #expect(reply(.integer(0)) == .down(reason: "load 0 is not usable"))
    }

    @Test func agentSendChoosesTheAlias() {
        #expect(
            reply(twoAliases, .none, "a.example.org\n") == .ready(weight: LoadWeight.percent(forLoad: 50)))
        #expect(reply(twoAliases, .none, "B.Example.Org") == .ready(weight: LoadWeight.percent(forLoad: 400)))
        #expect(
            reply(twoAliases, .none, "c.example.org\n")
                == .down(reason: "this node reports no alias c.example.org"))
    }

    @Test func withoutAgentSendTheWorstAliasAnswers() {
        #expect(reply(twoAliases) == .ready(weight: LoadWeight.percent(forLoad: 400)))
        let failing = PassAnswer.perAlias([
            (alias: "a.example.org", load: 50), (alias: "b.example.org", load: -6), (alias: "c", load: -1),
        ])
        #expect(reply(failing) == .down(reason: "code -6 (tmpfull) (alias b.example.org)"))
    }

    @Test func noAnswerYetChangesNothingButNoConfigurationIsDown() {
        #expect(reply(nil) == .noChange)
        #expect(
            reply(nil, .noConfiguration("no lbclient.conf in /etc"))
                == .down(
                    reason: "no lbclient configuration: no lbclient.conf in /etc"))
    }

    @Test func aBadRequestIsDown() {
        #expect(
            reply(.integer(5), .none, "a b\n")
                == .down(reason: "bad request: agent-send is not an alias name"))
    }
}

/// `agent-send` parsing: anything may arrive on the port, nothing may crash or be trusted.
@Suite struct HAProxyAgentRequestTests {
    @Test func emptyOrBlankAsksForTheNode() {
        #expect(HAProxyAgentRequest([]) == .node)
        #expect(HAProxyAgentRequest(Array(" \t\r\n".utf8)) == .node)
    }

    @Test func theFirstLineTrimmedIsTheAlias() {
        #expect(HAProxyAgentRequest(Array("  WWW.example.org \r\nmore".utf8)) == .alias("www.example.org"))
        #expect(HAProxyAgentRequest(Array("www.example.org".utf8)) == .alias("www.example.org"))
    }

    @Test func malformedInputIsInvalid() {
        for text in ["a b", "a,b", "../etc", "x\u{0}y", "é.example.org", "down #x"] {
            guard case .invalid = HAProxyAgentRequest(Array(text.utf8)) else {
                Issue.record("`\(text)` accepted")
                continue
            }
        }
        guard case .invalid = HAProxyAgentRequest([UInt8](repeating: 0x61, count: 257)) else {
            Issue.record("an over-long request was accepted")
            return
        }
        #expect(
            HAProxyAgentRequest([UInt8](repeating: 0x61, count: 253))
                == .alias(String(repeating: "a", count: 253)))
    }

    @Test func randomBytesNeverCrashAndAliasesAreClean() {
        var random = SeededRandomNumberGenerator(seed: 0x5EED_A6E7)
        let alphabet = Array("abz09.-_ \t\r\n,#%".utf8) + [0, 0x7F, 0xC3, 0xFF]
        for round in 0..<5000 {
            let count = random.below(round % 10 == 0 ? 600 : 40)
            let bytes = (0..<count).map { _ in
                random.below(2) == 0 ? alphabet[random.below(alphabet.count)] : UInt8(random.below(256))
            }
            switch HAProxyAgentRequest(bytes) {
            case .alias(let name):
                #expect(!name.isEmpty && name.utf8.count <= 253)
                #expect(name.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ",") })
            case .node, .invalid:
                break
            }
        }
    }
}
