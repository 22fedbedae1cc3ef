import Foundation
import LBCore
import Testing

@testable import LBDaemonKit

/// `lbd simulate`'s engine on a golbd line-format file with one alias per selection rule.
@Suite struct SimulationTests {
    let configuration: Configuration
    let reports: NodeReportsFile

    init() throws {
        configuration = try ConfigurationLoader.load(path: fixturePath("simulate/selection.conf"))
            .configuration
        reports = try NodeReportsFile.load(path: fixturePath("simulate/selection-reports.json"))
    }

    private func decisions(seed: UInt64) -> [String: Decision] {
        var random = SeededRandomNumberGenerator(seed: seed)
        let decisions = Simulation.run(configuration: configuration, reports: reports, using: &random)
        return Dictionary(uniqueKeysWithValues: decisions.map { ($0.alias, $0) })
    }

    private func published(_ alias: String, seed: UInt64 = 1) -> [String]? {
        decisions(seed: seed)[alias]?.publish?.map(\.description)
    }

    @Test func bestHostsPublishesTheLeastLoadedUsableMembers() throws {
        #expect(published("ranked.example.org") == ["192.0.2.1", "192.0.2.3", "2001:db8::1"])
        let decision = try #require(decisions(seed: 1)["ranked.example.org"])
        let reasons = decision.members.map { "\($0.node):\($0.reason):\($0.rank.map(String.init) ?? "-")" }
        #expect(
            reasons == [
                "a.example.org:chosen:2", "b.example.org:rankedOut:3", "c.example.org:chosen:1",
                "d.example.org:unusable:-",
            ])
    }

    @Test func bestHostsMinusOnePublishesEveryUsableMember() {
        #expect(published("all.example.org") == ["192.0.2.1", "192.0.2.2", "2001:db8::1"])
        #expect(decisions(seed: 1)["all.example.org"]?.warnings == [])
    }

    @Test func tiesAreBrokenAtRandomButReproduciblyForASeed() {
        var seen: Set<[String]> = []
        for seed in UInt64(0)..<64 {
            let first = published("ties.example.org", seed: seed)
            #expect(first == published("ties.example.org", seed: seed))
            #expect(first?.count == 1)
            seen.insert(first ?? [])
        }
        #expect(seen == [["192.0.2.11"], ["192.0.2.12"], ["192.0.2.13"]])
    }

    @Test func aDualStackNodeIsPublishedOnlyOnTheFamilyThatAnswered() {
        #expect(published("dualstack.example.org") == ["192.0.2.21", "2001:db8::22"])
    }

    @Test func aNodeSharedByAliasesIsJudgedPerAliasWithExactNames() {
        #expect(published("shared-a.example.org") == ["192.0.2.31"])
        #expect(published("shared-b.example.org") == ["192.0.2.32"])
    }

    @Test func cmsfrontierLeavesDNSUnchangedWhenNothingIsUsable() throws {
        let decision = try #require(decisions(seed: 1)["keep.example.org"])
        #expect(decision.publish == nil)
        #expect(decision.appliedPolicy == .keep)
        #expect(decision.warnings.contains(.noUsableMembers(.keep)))
    }

    @Test func mininoPublishesNothingWhenNothingIsUsable() throws {
        let decision = try #require(decisions(seed: 1)["empty.example.org"])
        #expect(decision.publish == [])
        #expect(decision.appliedPolicy == .empty)
    }

    @Test func minimumPublishesAllAddressesOfRandomResolvedMembers() {
        var seen: Set<[String]> = []
        for seed in UInt64(0)..<32 {
            seen.insert(published("random.example.org", seed: seed) ?? ["nil"])
        }
        // d and silent resolve, unresolved does not: only the first two can be picked.
        #expect(seen == [["192.0.2.4", "2001:db8::4"], ["192.0.2.5"]])
    }

    @Test func usableLoadsRunFromOneTo99999() {
        #expect(published("bounds.example.org") == ["192.0.2.41"])
    }

    @Test func fewerUsableMembersThanAskedPublishesThemAllWithAWarning() throws {
        let decision = try #require(decisions(seed: 1)["fewer.example.org"])
        #expect(decision.publish?.map(\.description) == ["192.0.2.1", "192.0.2.2", "2001:db8::1"])
        #expect(decision.warnings == [.fewerUsableThanRequested(usable: 2, requested: 3)])
    }

    @Test func membersSharingAnAddressPublishItOnce() {
        #expect(published("sameip.example.org") == ["192.0.2.1", "2001:db8::1"])
    }

    @Test func membersMissingFromTheReportsAreUnresolved() throws {
        let decision = try #require(decisions(seed: 1)["keep.example.org"])
        let unresolved = try #require(decision.members.first { $0.node == "unresolved.example.org" })
        #expect(unresolved.evaluation.state == .unresolved("did not resolve"))
        let absent = reports.report(for: "nowhere.example.org")
        #expect(absent.addresses.isEmpty)
        #expect(absent.resolutionFailure == "not in the reports file")
    }

    @Test func jsonPublishIsNullToKeepDNSAndASortedListOtherwise() throws {
        var random = SeededRandomNumberGenerator(seed: 7)
        let rendered = DecisionJSON.render(
            Simulation.run(configuration: configuration, reports: reports, using: &random), seed: 7)
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(rendered.utf8)) as? [String: Any])
        let aliases = try #require(document["aliases"] as? [String: [String: Any]])
        #expect(aliases.count == configuration.aliases.count)
        #expect(aliases["keep.example.org"]?["publish"] is NSNull)
        #expect(aliases["empty.example.org"]?["publish"] as? [String] == [])
        #expect(
            aliases["ranked.example.org"]?["publish"] as? [String] == [
                "192.0.2.1", "192.0.2.3", "2001:db8::1",
            ])
        let members = try #require(aliases["ranked.example.org"]?["members"] as? [[String: Any]])
        #expect(members.map { $0["reason"] as? String } == ["chosen", "ranked_out", "chosen", "unusable"])
        #expect(members.map { $0["load"] as? Int } == [10, 20, 5, -1])
        #expect(document["seed"] as? Int == 7)
    }

    @Test func theTableNamesEveryMemberAndTheAction() {
        var random = SeededRandomNumberGenerator(seed: 1)
        let table = DecisionTable.render(
            Simulation.run(configuration: configuration, reports: reports, using: &random))
        #expect(table.contains("keep.example.org: leave DNS unchanged"))
        #expect(table.contains("empty.example.org: publish no address"))
        #expect(table.contains("ranked.example.org: publish 192.0.2.1 192.0.2.3 2001:db8::1"))
        #expect(table.contains("load -1: a check failed on the node"))
    }
}

/// Malformed reports files give errors, never a crash.
@Suite struct NodeReportsFileTests {
    private func errors(_ json: String) -> [String] {
        do {
            _ = try NodeReportsFile.parse(Data(json.utf8), file: "r.json")
            return []
        } catch {
            return error.errors.map(\.description)
        }
    }

    @Test func repliesOfEveryKindAreRead() throws {
        let file = try NodeReportsFile.parse(
            Data(
                #"{"nodes": {"N.example.org.": {"10.0.0.2": "a=1", "10.0.0.1": 5, "::1": null, "10.0.0.3": {"error": "x"}}}}"#
                    .utf8),
            file: "r.json")
        let report = file.report(for: "n.example.org")
        #expect(report.addresses.map(\.address.description) == ["10.0.0.1", "10.0.0.2", "10.0.0.3", "::1"])
        #expect(report.addresses.map(\.reply) == [.integer(5), .text("a=1"), .failure(.reported("x")), .failure(.timeout(attempts: 1))])
    }

    @Test func badInputIsAnErrorNamingTheProblem() {
        #expect(errors("").first?.hasPrefix("r.json: error: is not valid JSON") == true)
        #expect(errors("[]").first?.contains("expected") == true)
        #expect(errors("{}").first?.contains("\"nodes\"") == true)
        #expect(
            errors(#"{"nodes": {"n": {"not-an-ip": 5}}}"#).first?.contains(
                "'not-an-ip' is not an IPv4 or IPv6 address") == true)
        #expect(
            errors(#"{"nodes": {"n": {"10.0.0.1": 1.5}}}"#).first?.contains("node n, address 10.0.0.1")
                == true)
        #expect(errors(#"{"nodes": {"n": {"10.0.0.1": true}}}"#).count == 1)
        #expect(errors(#"{"nodes": {"n": {"10.0.0.1": [1]}}}"#).count == 1)
        #expect(errors(#"{"nodes": {"n": 5}}"#).count == 1)
        #expect(errors(#"{"nodes": {"n": {"10.0.0.1": 99999999999999999999999}}}"#).count == 1)
    }

    @Test func randomAndTruncatedInputNeverCrashes() {
        let valid = Array(
            #"{"nodes": {"a.example.org": {"192.0.2.1": "x=1,y=-2", "::1": null, "10.0.0.1": 5}}}"#.utf8)
        var random = SeededRandomNumberGenerator(seed: 3)
        for round in 0..<2000 {
            var bytes = valid
            if round % 2 == 0 {
                bytes = Array(valid.prefix(Int(random.next() % UInt64(valid.count))))
            }
            for _ in 0..<(round % 5) where !bytes.isEmpty {
                bytes[Int(random.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: random.next())
            }
            _ = errors(String(decoding: bytes, as: UTF8.self))
        }
        _ = errors(String(repeating: "[", count: 100_000))
    }
}
