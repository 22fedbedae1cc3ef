import DNS
import Foundation
import LBCore
import Testing

@testable import LBDaemonKit

/// The words of `lbd explain` and of the `_explain` TXT answer, and `decisions.json`: a round
/// trip keeps every decision whole, damaged or random files are refused naming the file.
@Suite struct ExplanationTests {
    static let alias = "www.lb.example.org"
    static let finished = Date(timeIntervalSince1970: 1_780_000_000)

    static func report(_ node: String, _ address: String, _ reply: AddressReply) -> NodeReport {
        NodeReport(node: node, addresses: [AddressReport(address: NodeAddress(address)!, reply: reply)])
    }

    /// Five members: two usable chosen, one ranked out, one silent, one failing a check; the
    /// two results of a publication, one failed.
    static func evaluation(
        members: [NodeReport]? = nil, parameters: AliasParameters = AliasParameters(bestHosts: .count(2))
    ) -> AliasEvaluation {
        let members =
            members ?? [
                report("a1.example.org", "192.0.2.1", .integer(3)),
                report("a2.example.org", "2001:db8::2", .integer(5)),
                report("a3.example.org", "192.0.2.3", .integer(8)),
                report("b.example.org", "192.0.2.4", .failure(.timeout(attempts: 2))),
                report("c.example.org", "192.0.2.5", .integer(-2)),
            ]
        var random = SeededRandomNumberGenerator(seed: 1)
        let decision = Selection.decide(
            alias: alias, parameters: parameters, members: members, using: &random)
        return AliasEvaluation(
            decision: decision,
            results: [
                PublicationResult(
                    target: "embedded zone", previous: [NodeAddress("192.0.2.1")!], previousTTL: 60,
                    action: .updated),
                PublicationResult(
                    target: "internal view", previous: nil,
                    action: .failed(PublishingFailure(.timeout, "internal view: no answer from 192.0.2.53"))),
            ], finishedAt: finished)
    }

    // MARK: The one-line summary

    @Test func theSummarySaysWhoIsChosenAndWhyTheOthersAreNot() {
        let line = DecisionSummary.line(Self.evaluation(), now: Self.finished.addingTimeInterval(12))
        #expect(
            line
                == "partly-failed 12s ago: 3/5 usable, best 2: a1.example.org load 3, a2.example.org load 5; "
                + "a3.example.org: load 8, ranked out; b.example.org: no answer (timeout after 2 attempts); "
                + "c.example.org: load -2: a check failed on the node")
    }

    @Test func theSummaryNamesThePolicyWhenNothingIsUsable() {
        let members = [Self.report("b.example.org", "192.0.2.4", .failure(.noSuchObject))]
        let keep = DecisionSummary.line(Self.evaluation(members: members))
        #expect(keep.hasPrefix("keep: 0/1 usable, none usable: DNS left unchanged (when_none_usable keep); "))
        #expect(
            keep.hasSuffix("b.example.org: error: noSuchObject: the agent does not serve the load report OID")
        )
        let empty = DecisionSummary.line(
            Self.evaluation(members: members, parameters: AliasParameters(whenNoneUsable: .empty)))
        #expect(empty.contains("0/1 usable, none usable: no address published (when_none_usable empty)"))
    }

    @Test func hostileTextStaysOnOneBoundedPrintableLine() {
        let hostile = "line\nbreak\r\u{0}\u{7F}é\u{202E}\"quoted\";" + String(repeating: "x", count: 5000)
        var members = [
            Self.report("evil.example.org", "192.0.2.9", .failure(.reported(hostile))),
            Self.report("evil2.example.org", "192.0.2.10", .failure(.malformed(hostile))),
        ]
        for index in 0..<200 {
            members.append(Self.report("n\(index).example.org", "192.0.2.\(index % 250 + 1)", .integer(-1)))
        }
        let line = DecisionSummary.line(Self.evaluation(members: members), now: Self.finished)
        #expect(line.utf8.count <= DecisionSummary.maximumLength)
        #expect(line.unicodeScalars.allSatisfy { (0x20...0x7E).contains($0.value) }, "\(line)")
        #expect(line.contains("evil.example.org: error: line?break?????"))
        #expect(line.contains("...; evil2.example.org: "))
        #expect(line.range(of: #"; \+\d+ more$"#, options: .regularExpression) != nil, "\(line.suffix(40))")
        let strings = DecisionSummary.characterStrings(line)
        #expect(strings.allSatisfy { $0.count <= 255 })
        #expect(strings.flatMap { $0 } == Array(line.utf8))
    }

    /// The summary as first written: every member's text built, then cut. The line, which builds
    /// only what fits, must say exactly the same.
    static func wholeLine(_ evaluation: AliasEvaluation, now: Date) -> String {
        let decision = evaluation.decision
        let chosen = decision.chosen.map { member in
            member.evaluation.load.map { "\(member.node) load \($0)" } ?? member.node
        }
        let outcome: String
        switch decision.appliedPolicy {
        case .keep?: outcome = "none usable: DNS left unchanged (when_none_usable keep)"
        case .empty?: outcome = "none usable: no address published (when_none_usable empty)"
        case .random?:
            outcome =
                "none usable, picked at random: "
                + (chosen.isEmpty ? "nothing to pick" : chosen.joined(separator: ", "))
        case nil:
            outcome =
                decision.publish == nil
                ? "DNS left unchanged"
                : "best \(decision.parameters.bestHosts): " + chosen.joined(separator: ", ")
        }
        let age = max(0, Int(now.timeIntervalSince(evaluation.finishedAt).rounded()))
        let head =
            "\(evaluation.action) \(age)s ago: \(decision.usableCount)/\(decision.members.count) usable, "
            + outcome
        let others = decision.members.filter { !$0.isChosen }.map { member in
            let detail =
                member.reason == .rankedOut
                ? (member.evaluation.load.map { "load \($0), ranked out" } ?? "ranked out")
                : DecisionExplanation.stateDetail(member.evaluation.state)
            return DecisionSummary.cut("\(member.node): \(detail)", to: DecisionSummary.maximumMemberLength)
        }
        var line = DecisionSummary.cut(head, to: DecisionSummary.maximumLength / 2)
        for (index, member) in others.enumerated() {
            let left = others.count - index
            let more = left > 1 ? "; +\(left - 1) more".utf8.count : 0
            if line.utf8.count + 2 + member.utf8.count + more > DecisionSummary.maximumLength {
                return line + "; +\(left) more"
            }
            line += "; " + member
        }
        return line
    }

    /// An attacker may ask `_explain` for the largest alias at line rate: the line is built from
    /// what fits only, and says what building every member's text would say, for aliases of any
    /// size, policy and name length (non-ASCII names included).
    @Test func theLineOfALargeAliasIsTheSameBuiltOnlyFromWhatFits() {
        var random = SeededRandomNumberGenerator(seed: 15)
        let policies: [NoUsableNodePolicy] = [.keep, .empty, .random]
        for round in 0..<60 {
            let size = [0, 1, 3, 40, 400, 3000][round % 6]
            let nameLength = Int.random(in: 1...60, using: &random)
            let members = (0..<size).map { index -> NodeReport in
                let name =
                    (index % 7 == 0 ? "é" : "")
                    + String(repeating: "n", count: Int.random(in: 1...nameLength, using: &random))
                    + "\(index).example.org"
                let reply: AddressReply =
                    switch Int.random(in: 0..<5, using: &random) {
                    case 0: .failure(.timeout(attempts: 2))
                    case 1: .integer(-1)
                    case 2 where round / 6 % 2 == 0: .failure(.noSuchObject)
                    default: .integer(Int.random(in: 1...500, using: &random))
                    }
                return Self.report(name, "192.0.2.\(index % 250 + 1)", reply)
            }
            let bestHosts: BestHosts =
                round % 4 == 0 ? .allUsable : .count(Int.random(in: 1...50, using: &random))
            let evaluation = Self.evaluation(
                members: members,
                parameters: AliasParameters(bestHosts: bestHosts, whenNoneUsable: policies[(round / 6) % 3]))
            let now = Self.finished.addingTimeInterval(Double(round))
            let line = DecisionSummary.line(evaluation, now: now)
            #expect(line == Self.wholeLine(evaluation, now: now), "round \(round), \(size) members")
            #expect(line.utf8.count <= DecisionSummary.maximumLength)
        }
    }

    @Test func characterStringsCutAnyTextToTheLimit() {
        let strings = DecisionSummary.characterStrings(String(repeating: "é\n", count: 2000))
        #expect(strings.map(\.count) == [255, 255, 255, 235])
        #expect(strings.joined().allSatisfy { $0 == UInt8(ascii: "?") })
        #expect(DecisionSummary.characterStrings("") == [[]])
    }

    @Test func theExplainNameGivesTheAliasCaseFolded() throws {
        #expect(ExplainTXT.alias(in: try DomainName(parsing: "_Explain.WWW.lb.example.org.")) == Self.alias)
        #expect(ExplainTXT.alias(in: try DomainName(parsing: "_explain.")) == nil)
        #expect(ExplainTXT.alias(in: try DomainName(parsing: "www.lb.example.org.")) == nil)
        #expect(ExplainTXT.alias(in: try DomainName(parsing: "_explainx.www.example.org.")) == nil)
    }

    @Test func theHookAnswersFromTheRecorderAtQueryTime() async throws {
        let recorder = LastDecisionsRecorder(
            stateDirectory: nil, instance: "lbd1", logger: .init(label: "test"))
        let text = ExplainTXT.dynamicText(recorder, now: { Self.finished })
        let name = try DomainName(parsing: "_explain.www.lb.example.org.")
        #expect(text(name) == nil)
        await recorder.observe(
            EvaluationRound(
                evaluations: [Self.evaluation()], startedAt: Self.finished, pollDuration: .zero,
                duration: .zero,
                nodesPolled: 5, scheduled: true))
        let strings = try #require(text(name))
        #expect(
            String(decoding: strings.joined(), as: UTF8.self)
                == DecisionSummary.line(Self.evaluation(), now: Self.finished))
        #expect(text(try DomainName(parsing: "_explain.other.lb.example.org.")) == nil)
    }

    // MARK: The table of lbd explain

    @Test func theReportIsSimulatesTableWithWhenByWhomAndWhetherPublished() {
        let explanation = AliasExplanation(
            evaluation: Self.evaluation(), instance: "lbd1.example.org",
            source: .stateFile(path: "/var/lib/lbd/decisions.json", writtenAt: Self.finished))
        let text = AliasExplanationReport.render(explanation, now: Self.finished.addingTimeInterval(42))
        let evaluation = Self.evaluation()
        #expect(
            text.hasPrefix(
                DecisionTable.render(
                    [evaluation.decision], publications: [Self.alias: evaluation.results])))
        #expect(
            text.contains(
                "  a3.example.org  8     ranked out  usable, but 2 less loaded member(s) were chosen\n"))
        #expect(text.contains("decided 2026-05-28T20:26:40Z (42 s ago) by lbd1.example.org\n"), "\(text)")
        #expect(
            text.contains(
                "published: partly: publishing failed in some places (embedded zone, internal view)\n"))
        #expect(text.contains("source: /var/lib/lbd/decisions.json, written 2026-05-28T20:26:40Z"))
    }

    @Test func closeNamesAreThoseWithinAFewEditsOrContainingTheName() {
        let known = ["www.lb.example.org", "ww2.lb.example.org", "api.lb.example.org", "other.example.net"]
        #expect(AliasNameSuggestions.close(to: "www.lb.exampel.org", in: known) == ["www.lb.example.org"])
        #expect(AliasNameSuggestions.close(to: "api", in: known) == ["api.lb.example.org"])
        #expect(AliasNameSuggestions.close(to: "zzzzzz", in: known).isEmpty)
    }

    /// The API gives a failure's code and sentence, not its values: `lbd explain` rebuilds the
    /// failure whole when the code and the sentence's number are all it carries, and otherwise
    /// as its sentence; either way it renders as lbd said it.
    @Test func aFailureFromTheAPIRendersAsLbdSaidItAndIsWholeWhenItCanBe() {
        let whole: [PollFailure] = [
            .timeout(attempts: 3), .timeout(attempts: 1), .noSuchObject, .noSuchInstance, .endOfMibView,
            .emptyVarbindList, .tooManyVarbinds(4), .security(.wrongDigest), .security(.notInTimeWindow),
            .unexpectedReport(nil), .engineMismatch, .cancelled, .reported("down"),
        ]
        let bySentence: [PollFailure] = [
            .malformed("x"), .wrongOID(".1.2"), .wrongType("Gauge32"),
            .agentError(status: "genErr", index: 1),
            .unexpectedReport(".1.3"), .sendFailed("no route"), .malformedLoad("abc"),
        ]
        for failure in whole + bySentence {
            let detail = DecisionExplanation.outcomeDetail(.failure(failure))
            let back = AliasDetail.failure(code: failure.code, detail: detail)
            #expect(DecisionExplanation.outcomeDetail(.failure(back)) == detail, "\(failure)")
            #expect((back == failure) == whole.contains(failure), "\(failure) came back as \(back)")
        }
        #expect(AliasDetail.failure(code: nil, detail: "error: gremlins") == .reported("gremlins"))
        #expect(AliasDetail.failure(code: "gremlins", detail: "error: x") == .reported("x"))
    }

    // MARK: decisions.json

    @Test func decisionsFileRoundTripsEveryEvaluation() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "lbd-decisions-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let failures: [PollFailure] = [
            .timeout(attempts: 3), .malformed("x"), .wrongOID(".1.2"), .wrongType("Gauge32"), .noSuchObject,
            .noSuchInstance, .endOfMibView, .emptyVarbindList, .tooManyVarbinds(4),
            .agentError(status: "genErr", index: 1), .security(.wrongDigest), .unexpectedReport(nil),
            .unexpectedReport(".1.3"), .engineMismatch, .sendFailed("no route"), .cancelled,
            .malformedLoad("abc"), .reported("down for maintenance"),
        ]
        var members = failures.enumerated().map { index, failure in
            Self.report("f\(index).example.org", "192.0.2.\(index + 10)", .failure(failure))
        }
        members.append(Self.report("listed.example.org", "192.0.2.60", .text("other=3")))
        members.append(NodeReport(node: "gone.example.org", addresses: [], resolutionFailure: "NXDOMAIN"))
        members.append(
            NodeReport(
                node: "dual.example.org",
                addresses: [
                    AddressReport(address: NodeAddress("192.0.2.70")!, reply: .integer(4)),
                    AddressReport(
                        address: NodeAddress("2001:db8::70")!, reply: .failure(.timeout(attempts: 1))),
                ]))
        var evaluations = [
            Self.alias: Self.evaluation(),
            "many.example.org": Self.evaluation(
                members: members, parameters: AliasParameters(bestHosts: .count(3), ttl: 10)),
            "random.example.org": Self.evaluation(
                members: [Self.report("z.example.org", "192.0.2.80", .integer(0))],
                parameters: AliasParameters(bestHosts: .allUsable, whenNoneUsable: .random, external: true)),
        ]
        evaluations["many.example.org"]?.decision.alias = "many.example.org"
        evaluations["random.example.org"]?.decision.alias = "random.example.org"
        evaluations["random.example.org"]?.standby = true
        let path = DecisionsFile.path(inStateDirectory: directory.path)
        try DecisionsFile.write(evaluations, instance: "lbd1", writtenAt: Self.finished, to: path)
        let read = try DecisionsFile.read(path)
        #expect(read.instance == "lbd1")
        #expect(read.writtenAt == Self.finished)
        #expect(Set(read.evaluations.keys) == Set(evaluations.keys))
        for (alias, evaluation) in evaluations {
            let back = try #require(read.evaluations[alias])
            #expect(back.decision == evaluation.decision, "\(alias)")
            #expect(back.results == evaluation.results)
            #expect(back.finishedAt == evaluation.finishedAt)
            #expect(back.standby == evaluation.standby)
        }
        let json = try String(contentsOfFile: path, encoding: .utf8)
        #expect(json.contains("\"version\" : 1"))
        #expect(json.contains("\"best_hosts\" : 2"))
    }

    @Test func aMissingDamagedOrForeignFileIsRefusedNamingIt() throws {
        let path = "/nonexistent-\(UUID())/decisions.json"
        #expect(throws: DecisionsFileError.missing(path: path)) { try DecisionsFile.read(path) }
        let valid = try DecisionsFile.encode(
            [Self.alias: Self.evaluation()], instance: "i", writtenAt: Self.finished)
        let text = String(decoding: valid, as: UTF8.self)
        let cases: [(String, (DecisionsFileError) -> Bool)] = [
            ("", { if case .malformed = $0 { true } else { false } }),
            (String(text.prefix(text.count / 2)), { if case .malformed = $0 { true } else { false } }),
            (
                text.replacingOccurrences(of: "\"version\" : 1", with: "\"version\" : 7"),
                {
                    $0 == .unsupportedVersion(path: "f.json", version: 7)
                }
            ),
            (
                text.replacingOccurrences(of: "\"192.0.2.1\"", with: "\"192.0.2.999\""),
                {
                    if case .invalidContent(_, let alias, let reason) = $0 {
                        alias == Self.alias && reason.contains("192.0.2.999")
                    } else {
                        false
                    }
                }
            ),
            (
                text.replacingOccurrences(of: "\"code\" : \"timeout\"", with: "\"code\" : \"gremlins\""),
                {
                    if case .invalidContent(_, _, let reason) = $0 {
                        reason.contains("gremlins")
                    } else {
                        false
                    }
                }
            ),
            (
                text.replacingOccurrences(of: "\"reason\" : \"ranked_out\"", with: "\"reason\" : 3"),
                {
                    if case .malformed = $0 { true } else { false }
                }
            ),
        ]
        for (content, expected) in cases {
            do {
                _ = try DecisionsFile.decode(Data(content.utf8), path: "f.json")
                Issue.record("accepted: \(content.prefix(80))")
            } catch {
                #expect(expected(error), "\(error)")
                #expect(error.description.contains("f.json"))
                #expect(!error.description.contains("\n"))
            }
        }
    }

    @Test func randomAndMutatedFilesGiveAnErrorNeverACrash() throws {
        let valid = Array(
            try DecisionsFile.encode([Self.alias: Self.evaluation()], instance: "i", writtenAt: Self.finished)
        )
        var random = SeededRandomNumberGenerator(seed: 14)
        var refused = 0
        for round in 0..<400 {
            var bytes = valid
            if round % 4 == 0 {
                bytes = (0..<Int.random(in: 0..<300, using: &random)).map { _ in
                    UInt8.random(in: 0...255, using: &random)
                }
            } else {
                for _ in 0..<Int.random(in: 1...8, using: &random) {
                    let index = Int.random(in: 0..<bytes.count, using: &random)
                    bytes[index] = UInt8.random(in: 0...255, using: &random)
                }
            }
            do {
                _ = try DecisionsFile.decode(Data(bytes), path: "fuzz.json")
            } catch {
                refused += 1
                #expect(error.description.contains("fuzz.json"))
            }
        }
        #expect(refused > 100)
    }
}
