import Foundation
import LBCore
import LBTestSupport
import Testing

@testable import LBDaemonKit

/// `lbd simulate` shows what stickiness, rise/fall, min_usable, max_changes and drains do: the
/// reports file's `published`, `drains` and `rounds`, `--drain`, and the words of the table and
/// the JSON.
@Suite struct SimulationOptionsTests {
    private static func configuration(_ text: String) throws -> Configuration {
        try ConfigurationLoader.parse(text, file: "lbd.yaml").configuration
    }

    private static func reports(_ json: String) throws -> NodeReportsFile {
        try NodeReportsFile.parse(Data(json.utf8), file: "reports.json")
    }

    private static func rounds(_ config: String, _ json: String, drains: [Drain] = []) throws -> [[Decision]]
    {
        var random = SeededRandomNumberGenerator(seed: 1)
        return Simulation.rounds(
            configuration: try configuration(config), reports: try reports(json), drains: drains,
            using: &random)
    }

    private static func member(_ decision: Decision?, _ node: String) throws -> MemberDecision {
        try #require(decision?.members.first { $0.node == node })
    }

    private static let twoAliases = """
        aliases:
          www.example.org: [n1, n2]
          api.example.org: [n1, n2]
        """

    @Test func aDrainInTheFileTakesTheNodeOutAndSaysWhoAndWhy() throws {
        let json = """
            {"nodes": {"n1": {"192.0.2.1": 5}, "n2": {"192.0.2.2": 10}},
             "drains": [{"node": "n1", "alias": "www.example.org", "by": "alice", "reason": "kernel upgrade"}]}
            """
        let decisions = try #require(try Self.rounds(Self.twoAliases, json).last)
        let www = decisions.first { $0.alias == "www.example.org" }
        let api = decisions.first { $0.alias == "api.example.org" }
        #expect(www?.publish == [NodeAddress("192.0.2.2")!])
        #expect(api?.publish == [NodeAddress("192.0.2.1")!], "a drain for one alias leaves the others")
        let drained = try Self.member(www, "n1")
        #expect(drained.reason == .drained)
        let table = DecisionTable.render(decisions)
        #expect(table.contains("drained by alice: kernel upgrade"), "\(table)")
        let document = try Self.json(DecisionJSON.render(decisions, seed: 1))
        let members = try #require(
            (document["aliases"] as? [String: Any])?["www.example.org"] as? [String: Any])
        let first = try #require((members["members"] as? [[String: Any]])?.first)
        #expect(first["reason"] as? String == "drained")
        #expect(first["notes"] as? [String] == ["drained by alice: kernel upgrade"])
        #expect(first["detail"] as? String == "drained by alice: kernel upgrade")
    }

    @Test func aDrainWithoutAliasCoversEveryAliasAndDrainsGivenAsArgumentsToo() throws {
        let json = #"{"nodes": {"n1": {"192.0.2.1": 5}, "n2": {"192.0.2.2": 10}}}"#
        let drain = try DrainArgument.parse("N1.:kernel upgrade", by: "bob")
        let decisions = try #require(try Self.rounds(Self.twoAliases, json, drains: [drain]).last)
        for decision in decisions {
            #expect(decision.publish == [NodeAddress("192.0.2.2")!], "\(decision.alias)")
            #expect(
                try Self.member(decision, "n1").notes.map(\.description) == ["drained by bob: kernel upgrade"]
            )
        }
    }

    @Test func publishedShowsStickinessAtWork() throws {
        let config = """
            aliases:
              www.example.org:
                members: [n1, n2]
                stickiness: 10%
            """
        let json = """
            {"nodes": {"n1": {"192.0.2.1": 100}, "n2": {"192.0.2.2": 95}},
             "published": {"WWW.example.org.": ["192.0.2.1"]}}
            """
        let decision = try #require(try Self.rounds(config, json).last?.first)
        #expect(decision.publish == [NodeAddress("192.0.2.1")!])
        let table = DecisionTable.render([decision])
        #expect(table.contains("stickiness 10%"), "\(table)")
        #expect(table.contains("kept: no other member is lower by more than 10% (stickiness)"), "\(table)")
        #expect(table.contains("not lower than a published member by more than 10% (stickiness)"), "\(table)")
        let document = try Self.json(DecisionJSON.render([decision], seed: 1))
        let alias = try #require(
            (document["aliases"] as? [String: Any])?["www.example.org"] as? [String: Any])
        #expect(alias["stickiness"] as? String == "10%")
        #expect(alias["max_changes"] == nil)
        // Without `published`, the lower load wins.
        let fresh = try #require(
            try Self.rounds(config, #"{"nodes": {"n1": {"192.0.2.1": 100}, "n2": {"192.0.2.2": 95}}}"#).last?
                .first)
        #expect(fresh.publish == [NodeAddress("192.0.2.2")!])
    }

    @Test func roundsShowFallCountingDown() throws {
        let config = """
            aliases:
              www.example.org:
                members: [n1, n2]
                fall: 3
            """
        let good = #"{"nodes": {"n1": {"192.0.2.1": 5}, "n2": {"192.0.2.2": 50}}}"#
        let bad = #"{"nodes": {"n1": {"192.0.2.1": -1}, "n2": {"192.0.2.2": 50}}}"#
        let json = #"{"rounds": [\#(good), \#(bad), \#(bad), \#(bad)]}"#
        let rounds = try Self.rounds(config, json)
        #expect(rounds.count == 4)
        #expect(
            rounds.map { $0[0].publish?.map(\.description) ?? [] } == [
                ["192.0.2.1"], ["192.0.2.1"], ["192.0.2.1"], ["192.0.2.2"],
            ])
        let table = DecisionTable.render(rounds: rounds)
        #expect(table.contains("== round 2 of 4 =="))
        #expect(table.contains("failing: 1 of 3 failed polls"), "\(table)")
        #expect(table.contains("failing: 2 of 3 failed polls"), "\(table)")
        #expect(table.contains("fall 3"))
        let document = try Self.json(DecisionJSON.render(rounds: rounds, seed: 1))
        let listed = try #require(document["rounds"] as? [[String: Any]])
        #expect(listed.count == 4)
        let last = try #require((document["aliases"] as? [String: Any])?["www.example.org"] as? [String: Any])
        #expect(last["publish"] as? [String] == ["192.0.2.2"])
        #expect(last["fall"] as? Int == 3)
    }

    @Test func roundsShowRiseAndAPerRoundDrain() throws {
        let config = """
            aliases:
              www.example.org:
                members: [n1, n2]
                best_hosts: -1
                rise: 2
            """
        let json = """
            {"rounds": [
              {"nodes": {"n1": {"192.0.2.1": -1}, "n2": {"192.0.2.2": 50}}},
              {"nodes": {"n1": {"192.0.2.1": 5}, "n2": {"192.0.2.2": 50}}},
              {"nodes": {"n1": {"192.0.2.1": 5}, "n2": {"192.0.2.2": 50}}},
              {"nodes": {"n1": {"192.0.2.1": 5}, "n2": {"192.0.2.2": 50}},
               "drains": [{"node": "n2", "by": "carol", "reason": "disk swap"}]}
            ]}
            """
        let rounds = try Self.rounds(config, json)
        #expect(
            rounds.map { $0[0].publish?.map(\.description) ?? [] } == [
                ["192.0.2.2"], ["192.0.2.2"], ["192.0.2.1", "192.0.2.2"], ["192.0.2.1"],
            ])
        #expect(
            try Self.member(rounds[1][0], "n1").notes.map(\.description) == [
                "coming back: 1 of 2 passed polls (rise 2)"
            ])
        #expect(DecisionTable.render(rounds: rounds).contains("drained by carol: disk swap"))
    }

    @Test func maxChangesHoldsBackNewcomersAndSaysSo() throws {
        let config = """
            aliases:
              www.example.org:
                members: [n1, n2, n3, n4]
                best_hosts: 2
                max_changes: 1
            """
        let bad =
            #"{"n1": {"192.0.2.1": -1}, "n2": {"192.0.2.2": -1}, "n3": {"192.0.2.3": 7}, "n4": {"192.0.2.4": 8}}"#
        let json = """
            {"published": {"www.example.org": ["192.0.2.1", "192.0.2.2"]},
             "rounds": [{"nodes": \(bad)}, {"nodes": \(bad)}]}
            """
        let rounds = try Self.rounds(config, json)
        #expect(
            rounds.map { $0[0].publish?.map(\.description) ?? [] } == [
                ["192.0.2.1", "192.0.2.3"], ["192.0.2.3", "192.0.2.4"],
            ])
        let table = DecisionTable.render(rounds[0])
        #expect(
            table.contains("held back: at most 1 member(s) may be replaced in one evaluation (max_changes)"),
            "\(table)")
        #expect(
            table.contains("kept in DNS: at most 1 member(s) may leave in one evaluation (max_changes)"),
            "\(table)")
        #expect(
            table.contains("warning: 2 member(s) should leave DNS, max_changes lets 1 go in one evaluation"))
        #expect(table.contains("kept by max changes"))
    }

    @Test func belowMinUsableShowsInTheTableAndTheJSON() throws {
        let config = """
            aliases:
              www.example.org:
                members: [n1, n2, n3]
                min_usable: 2
              keep.example.org:
                members: [n1, n2, n3]
                min_usable: 67%
                below_min_usable: keep
            """
        let json = #"{"nodes": {"n1": {"192.0.2.1": 5}, "n2": {"192.0.2.2": -1}, "n3": null}}"#
        let decisions = try #require(try Self.rounds(config, json).last)
        let open = try #require(decisions.first { $0.alias == "www.example.org" })
        #expect(open.publish?.map(\.description) == ["192.0.2.1", "192.0.2.2"])
        let table = DecisionTable.render(decisions)
        #expect(table.contains("min_usable 2 (fail_open below)"), "\(table)")
        #expect(table.contains("below min_usable 2"), "\(table)")
        #expect(
            table.contains("published: only 1 usable, below min_usable 2, the alias fails open"), "\(table)")
        #expect(table.contains("keep.example.org: leave DNS unchanged"), "\(table)")
        let document = try Self.json(DecisionJSON.render(decisions, seed: 1))
        let aliases = try #require(document["aliases"] as? [String: [String: Any]])
        #expect(aliases["www.example.org"]?["floor_applied"] as? String == "fail_open")
        #expect(aliases["www.example.org"]?["min_usable"] as? String == "2")
        #expect(aliases["keep.example.org"]?["floor_applied"] as? String == "keep")
        #expect(aliases["keep.example.org"]?["below_min_usable"] as? String == "keep")
    }

    @Test func anOldReportsFileIsOneRoundWithNothingPublishedOrDrained() throws {
        let file = try NodeReportsFile.load(path: fixturePath("simulate/selection-reports.json"))
        #expect(file.rounds.count == 1)
        #expect(file.published.isEmpty)
        #expect(file.drains.isEmpty)
        #expect(file.reports.count == file.rounds[0].reports.count)
    }

    @Test func badOptionsInTheReportsFileAreErrorsNamingTheProblem() {
        func errors(_ json: String) -> [String] {
            do {
                _ = try NodeReportsFile.parse(Data(json.utf8), file: "reports.json")
                return []
            } catch {
                return error.errors.map(\.description)
            }
        }
        #expect(errors(#"{"nodes": {}, "rounds": []}"#).first?.contains("not both") == true)
        #expect(errors(#"{"rounds": []}"#).first?.contains("rounds is empty") == true)
        #expect(
            errors(#"{"rounds": [{"nodes": {"n": {"x": 1}}}]}"#).first?.contains("round 1: node n: 'x'")
                == true)
        #expect(
            errors(#"{"nodes": {}, "published": {"a.example.org": ["nope"]}}"#).first?.contains(
                "published a.example.org: 'nope' is not an IPv4 or IPv6 address") == true)
        #expect(
            errors(#"{"nodes": {}, "drains": [{"node": "n1"}]}"#).first?.contains(
                "drain 1 needs a \"node\" and a \"reason\"") == true)
        #expect(errors(#"{"nodes": {}, "drains": [{"node": "n1", "reason": "x"}]}"#).isEmpty)
    }

    @Test func drainArgumentsAreReadWithTheirAliasAndReason() throws {
        let plain = try DrainArgument.parse("node1.example.org:kernel upgrade", by: "alice")
        #expect(plain == Drain(node: "node1.example.org", by: "alice", reason: "kernel upgrade", since: 0))
        let one = try DrainArgument.parse("node1.example.org@www.example.org: reboot: now ", by: "alice")
        #expect(one.alias == "www.example.org")
        #expect(one.reason == "reboot: now")
        let v6 = try DrainArgument.parse("[2001:db8::1]@www.example.org:disk", by: "alice")
        #expect(v6.node == "2001:db8::1")
        #expect(v6.alias == "www.example.org")
        for bad in [
            "node1", "node1:", ":reason", "node1@:reason", "node1@www", "[2001:db8::1:x", "node1@www: ",
        ] {
            #expect(throws: DrainArgument.Invalid.self, "\(bad)") {
                try DrainArgument.parse(bad, by: "alice")
            }
        }
        do {
            _ = try DrainArgument.parse("node1", by: "alice")
        } catch {
            #expect(error.description.contains("NODE[@ALIAS]:REASON"))
        }
    }

    @Test func theCommandTakesDrainsAndRounds() throws {
        let directory = try Peers.temporaryDirectory("lbd-simulate-options")
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("lbd.yaml")
        try "aliases:\n  www.example.org:\n    members: [n1, n2]\n    fall: 2\n".write(
            to: config, atomically: true, encoding: .utf8)
        let reports = directory.appendingPathComponent("reports.json")
        try
            #"{"rounds": [{"nodes": {"n1": {"192.0.2.1": 5}, "n2": {"192.0.2.2": 9}}}, {"nodes": {"n1": {"192.0.2.1": -1}, "n2": {"192.0.2.2": 9}}}]}"#
            .write(to: reports, atomically: true, encoding: .utf8)
        let cli = LBDCommandLineTests()
        let table = try cli.lbd("simulate", "--config", config.path, "--reports", reports.path, "--seed", "1")
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.contains("== round 2 of 2 =="), "\(table.stdout)")
        #expect(table.stdout.contains("failing: 1 of 2 failed polls"), "\(table.stdout)")
        let drained = try cli.lbd(
            "simulate", "--config", config.path, "--reports", reports.path, "--seed", "1", "--json",
            "--drain", "n2@www.example.org:kernel upgrade")
        #expect(drained.status == 0, "\(drained.stderr)")
        let document = try Self.json(drained.stdout)
        let alias = try #require(
            (document["aliases"] as? [String: Any])?["www.example.org"] as? [String: Any])
        #expect(alias["publish"] as? [String] == ["192.0.2.1"])
        let members = try #require(alias["members"] as? [[String: Any]])
        let notes = try #require(members.last?["notes"] as? [String])
        #expect(
            notes.count == 1 && notes[0].hasPrefix("drained by ") && notes[0].hasSuffix(": kernel upgrade"))
        let refused = try cli.lbd(
            "simulate", "--config", config.path, "--reports", reports.path, "--drain", "n2")
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("NODE[@ALIAS]:REASON"), "\(refused.stderr)")
    }

    private static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }
}
