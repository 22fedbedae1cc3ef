import Testing

@testable import LBCore

@Suite struct SelectionRankingTests {
    @Test func publishesOnlyMembersWithALoadInTheUsableRange() {
        let members = [
            loaded("zero", "10.0.0.1", 0), loaded("one", "10.0.0.2", 1), loaded("max", "10.0.0.3", 99_999),
            loaded("over", "10.0.0.4", 100_000), loaded("code", "10.0.0.5", -14),
        ]
        let decision = decide(AliasParameters(bestHosts: .allUsable), members)
        #expect(decision.publish == [ip("10.0.0.2"), ip("10.0.0.3")])
        #expect(decision.usableCount == 2)
        #expect(decision.members.map(\.reason) == [.unusable, .chosen, .chosen, .unusable, .unusable])
        #expect(decision.appliedPolicy == nil)
        #expect(decision.warnings.isEmpty)
    }

    @Test func bestHostsPicksTheLeastLoaded() {
        let members = [
            loaded("a", "10.0.0.1", 30), loaded("b", "10.0.0.2", 10), loaded("c", "10.0.0.3", 20),
            loaded("d", "10.0.0.4", 40),
        ]
        let decision = decide(AliasParameters(bestHosts: .count(2)), members)
        #expect(decision.publish == [ip("10.0.0.2"), ip("10.0.0.3")])
        #expect(decision.members.map(\.node) == ["a", "b", "c", "d"])
        #expect(decision.members.map(\.reason) == [.rankedOut, .chosen, .chosen, .rankedOut])
        #expect(decision.members.map(\.rank) == [3, 1, 2, 4])
        #expect(decision.members.map(\.published) == [[], [ip("10.0.0.2")], [ip("10.0.0.3")], []])
        #expect(decision.chosen.map(\.node) == ["b", "c"])
        #expect(decision.warnings.isEmpty)
    }

    @Test func bestHostsOnePicksTheSingleLeastLoaded() {
        let members = [loaded("a", "10.0.0.1", 8), loaded("b", "10.0.0.2", 7), loaded("c", "10.0.0.3", 9)]
        for seed in UInt64(0)..<20 {
            let decision = decide(AliasParameters(bestHosts: .count(1)), members, seed: seed)
            #expect(decision.publish == [ip("10.0.0.2")])
            #expect(decision.chosen.map(\.node) == ["b"])
        }
    }

    @Test func allUsablePublishesEveryUsableMemberWithoutWarning() {
        let members = [
            loaded("a", "10.0.0.1", 30), loaded("b", "10.0.0.2", -1), loaded("c", "10.0.0.3", 20),
            report("d", [("10.0.0.4", .silent)]),
        ]
        let decision = decide(AliasParameters(bestHosts: .allUsable), members)
        #expect(decision.publish == [ip("10.0.0.1"), ip("10.0.0.3")])
        #expect(decision.members.map(\.reason) == [.chosen, .unusable, .chosen, .unusable])
        #expect(decision.members.map(\.rank) == [2, nil, 1, nil])
        #expect(decision.chosen.map(\.node) == ["c", "a"])
        #expect(decision.warnings.isEmpty)
    }

    @Test func fewerUsableThanRequestedPublishesAllUsableAndWarns() {
        let members = [
            loaded("a", "10.0.0.1", 30), loaded("b", "10.0.0.2", -1), loaded("c", "10.0.0.3", 20),
        ]
        let decision = decide(AliasParameters(bestHosts: .count(3)), members)
        #expect(decision.publish == [ip("10.0.0.1"), ip("10.0.0.3")])
        #expect(decision.warnings == [.fewerUsableThanRequested(usable: 2, requested: 3)])
        #expect(decision.appliedPolicy == nil)
    }

    @Test func bestHostsAboveTheMemberCountWarnsAndPublishesEveryUsableMember() {
        let members = [loaded("a", "10.0.0.1", 30), loaded("b", "10.0.0.2", 20)]
        let decision = decide(AliasParameters(bestHosts: .count(5)), members)
        #expect(decision.publish == [ip("10.0.0.1"), ip("10.0.0.2")])
        // Like golbd, the request is first capped to the member count: every member is usable,
        // so there is no "fewer usable" warning.
        #expect(decision.warnings == [.bestHostsExceedsMembers(requested: 5, members: 2)])
    }

    @Test func bestHostsAboveTheMemberCountWithAMemberDownGivesBothWarnings() {
        let members = [loaded("a", "10.0.0.1", 30), loaded("b", "10.0.0.2", 0)]
        let decision = decide(AliasParameters(bestHosts: .count(5)), members)
        #expect(decision.publish == [ip("10.0.0.1")])
        #expect(decision.warnings.contains(.bestHostsExceedsMembers(requested: 5, members: 2)))
        #expect(decision.warnings.contains(.fewerUsableThanRequested(usable: 1, requested: 5)))
        #expect(decision.warnings.count == 2)
    }

    @Test func aChosenMemberPublishesOnlyItsAddressesThatAnsweredUsably() {
        let members = [
            report("dual", [("10.0.0.1", .integer(5)), ("2001:db8::1", .silent)]),
            report("both", [("10.0.0.2", .integer(6)), ("2001:db8::2", .integer(6))]),
        ]
        let decision = decide(AliasParameters(bestHosts: .allUsable), members)
        #expect(decision.publish == [ip("10.0.0.1"), ip("10.0.0.2"), ip("2001:db8::2")])
        #expect(decision.members[0].published == [ip("10.0.0.1")])
    }

    @Test func addressesSharedByMembersArePublishedOnceAndSorted() {
        let members = [
            report("a", [("2001:db8::1", .integer(5)), ("10.0.0.9", .integer(5))]),
            report("b", [("10.0.0.10", .integer(6)), ("2001:db8::1", .integer(6))]),
            report("c", [("10.0.0.9", .integer(7))]),
        ]
        let decision = decide(AliasParameters(bestHosts: .allUsable), members)
        #expect(decision.publish == [ip("10.0.0.9"), ip("10.0.0.10"), ip("2001:db8::1")])
    }

    @Test func nodesSharedByTwoAliasesAreJudgedPerAlias() {
        let members = [
            report("n1", [("10.0.0.1", .text("a.example.org=5,b.example.org=-3"))]),
            report("n2", [("10.0.0.2", .text("a.example.org=-1,b.example.org=7"))]),
        ]
        let forA = decide(alias: "a.example.org", AliasParameters(bestHosts: .allUsable), members)
        let forB = decide(alias: "b.example.org", AliasParameters(bestHosts: .allUsable), members)
        #expect(forA.alias == "a.example.org")
        #expect(forA.publish == [ip("10.0.0.1")])
        #expect(forA.members.map(\.reason) == [.chosen, .unusable])
        #expect(forA.members[1].evaluation.state == .unusableLoad(-1))
        #expect(forB.publish == [ip("10.0.0.2")])
        #expect(forB.members.map(\.reason) == [.unusable, .chosen])
        #expect(forB.members[0].evaluation.state == .unusableLoad(-3))
    }

    @Test func theDecisionCarriesTheParameters() {
        let parameters = AliasParameters(
            bestHosts: .count(2), whenNoneUsable: .empty, ttl: 120, external: true)
        let decision = decide(parameters, [loaded("a", "10.0.0.1", 3)])
        #expect(decision.parameters == parameters)
    }
}

@Suite struct SelectionTieBreakTests {
    private let tied = [
        loaded("a", "10.0.0.1", 10), loaded("b", "10.0.0.2", 10), loaded("c", "10.0.0.3", 10),
        loaded("d", "10.0.0.4", 10),
    ]

    @Test func theSameSeedGivesTheSameDecision() {
        for seed in UInt64(0)..<50 {
            let first = decide(AliasParameters(bestHosts: .count(2)), tied, seed: seed)
            let second = decide(AliasParameters(bestHosts: .count(2)), tied, seed: seed)
            #expect(first == second)
        }
    }

    @Test func differentSeedsBreakTiesDifferently() {
        let choices = Set(
            (UInt64(0)..<50).map { decide(AliasParameters(bestHosts: .count(1)), tied, seed: $0).publish! })
        #expect(choices.count > 1)
    }

    @Test func everyTiedMemberIsChosenAboutEquallyOften() {
        var chosen: [String: Int] = [:]
        let runs = 400
        for seed in UInt64(0)..<UInt64(runs) {
            for member in decide(AliasParameters(bestHosts: .count(1)), tied, seed: seed).chosen {
                chosen[member.node, default: 0] += 1
            }
        }
        #expect(chosen.values.reduce(0, +) == runs)
        for node in ["a", "b", "c", "d"] {
            // A fair tie-break gives each about 100 of 400; a biased one is far from it.
            #expect((60...140).contains(chosen[node] ?? 0), "\(node) chosen \(chosen[node] ?? 0) times")
        }
    }

    @Test func tiedMembersGetDistinctRanks() {
        for seed in UInt64(0)..<30 {
            let decision = decide(AliasParameters(bestHosts: .count(2)), tied, seed: seed)
            #expect(Set(decision.members.compactMap(\.rank)) == [1, 2, 3, 4])
            #expect(decision.members.filter { $0.reason == .chosen }.compactMap(\.rank).sorted() == [1, 2])
            #expect(decision.publish?.count == 2)
        }
    }

    @Test func aTieNeverBeatsALowerLoad() throws {
        let members = [
            loaded("x", "10.0.0.1", 10), loaded("best", "10.0.0.2", 5), loaded("y", "10.0.0.3", 10),
            loaded("worst", "10.0.0.4", 11),
        ]
        var second: Set<String> = []
        for seed in UInt64(0)..<100 {
            let decision = decide(AliasParameters(bestHosts: .count(2)), members, seed: seed)
            let chosen = decision.chosen.map(\.node)
            try #require(chosen.count == 2)
            #expect(chosen[0] == "best")
            #expect(decision.members[3].reason == .rankedOut)
            #expect(decision.members[3].rank == 4)
            second.insert(chosen[1])
        }
        #expect(second == ["x", "y"])
    }
}

@Suite struct SelectionNoUsableMemberTests {
    private let broken = [
        report("a", [("10.0.0.1", .integer(-14)), ("2001:db8::1", .silent)]),
        report("b", [("10.0.0.2", .failure(.security(.unknownUserName)))]),
        report("c", [], resolutionFailure: "no such host"),
        report("d", [("10.0.0.4", .silent)]),
    ]

    @Test func keepLeavesDNSUnchanged() {
        let decision = decide(AliasParameters(bestHosts: .count(2), whenNoneUsable: .keep), broken)
        #expect(decision.publish == nil)
        #expect(decision.appliedPolicy == .keep)
        #expect(decision.warnings == [.noUsableMembers(.keep)])
        #expect(
            decision.members.allSatisfy { $0.reason == .unusable && $0.published.isEmpty && $0.rank == nil })
        #expect(decision.usableCount == 0)
        #expect(decision.chosen.isEmpty)
    }

    @Test func emptyPublishesNoAddress() {
        let decision = decide(AliasParameters(bestHosts: .count(2), whenNoneUsable: .empty), broken)
        #expect(decision.publish == [])
        #expect(decision.appliedPolicy == .empty)
        #expect(decision.warnings == [.noUsableMembers(.empty)])
        #expect(decision.chosen.isEmpty)
    }

    @Test func randomPublishesEveryResolvedAddressOfMembersPickedAtRandom() {
        let parameters = AliasParameters(bestHosts: .count(2), whenNoneUsable: .random)
        let everyAddress: [String: [NodeAddress]] = [
            "a": [ip("10.0.0.1"), ip("2001:db8::1")], "b": [ip("10.0.0.2")], "d": [ip("10.0.0.4")],
        ]
        var picked: Set<String> = []
        for seed in UInt64(0)..<100 {
            let decision = decide(parameters, broken, seed: seed)
            #expect(decision.appliedPolicy == .random)
            #expect(decision.warnings == [.noUsableMembers(.random)])
            let chosen = decision.chosen
            #expect(chosen.count == 2)
            #expect(chosen.allSatisfy { $0.reason == .pickedAtRandom && $0.rank == nil })
            #expect(!chosen.contains { $0.node == "c" }, "an unresolved member cannot be published")
            for member in chosen {
                #expect(member.published == everyAddress[member.node])
                picked.insert(member.node)
            }
            #expect(
                decision.publish == NodeAddress.canonicalSet(chosen.flatMap { everyAddress[$0.node] ?? [] }))
            #expect(decision.members.filter { !$0.isChosen }.allSatisfy { $0.reason == .unusable })
        }
        #expect(picked == ["a", "b", "d"])
    }

    @Test func randomIsReproducibleWithASeed() {
        let parameters = AliasParameters(bestHosts: .count(1), whenNoneUsable: .random)
        for seed in UInt64(0)..<20 {
            #expect(decide(parameters, broken, seed: seed) == decide(parameters, broken, seed: seed))
        }
    }

    @Test func randomWithAllUsablePicksEveryResolvedMember() {
        let decision = decide(AliasParameters(bestHosts: .allUsable, whenNoneUsable: .random), broken)
        #expect(decision.publish == [ip("10.0.0.1"), ip("10.0.0.2"), ip("10.0.0.4"), ip("2001:db8::1")])
        #expect(
            decision.members.map(\.reason) == [.pickedAtRandom, .pickedAtRandom, .unusable, .pickedAtRandom])
    }

    @Test func randomWithFewerResolvedMembersThanRequestedPicksThemAll() {
        let members = [
            report("a", [("10.0.0.1", .silent)]), report("b", []), report("c", [], resolutionFailure: "x"),
        ]
        let decision = decide(AliasParameters(bestHosts: .count(2), whenNoneUsable: .random), members)
        #expect(decision.publish == [ip("10.0.0.1")])
        #expect(decision.chosen.map(\.node) == ["a"])
        #expect(!decision.warnings.contains(.nothingToPickAtRandom))
    }

    @Test func randomWithNothingResolvedPublishesNothingAndSaysSo() {
        let members = [report("a", [], resolutionFailure: "no such host"), report("b", [])]
        let decision = decide(AliasParameters(bestHosts: .count(1), whenNoneUsable: .random), members)
        #expect(decision.publish == [])
        #expect(decision.appliedPolicy == .random)
        #expect(decision.warnings == [.noUsableMembers(.random), .nothingToPickAtRandom])
        #expect(decision.chosen.isEmpty)
    }

    @Test func randomDeduplicatesAddressesSharedByPickedMembers() {
        let members = [
            report("a", [("10.0.0.1", .integer(0)), ("10.0.0.2", .silent)]),
            report("b", [("10.0.0.2", .integer(-1))]),
        ]
        let decision = decide(AliasParameters(bestHosts: .allUsable, whenNoneUsable: .random), members)
        #expect(decision.publish == [ip("10.0.0.1"), ip("10.0.0.2")])
    }

    @Test func theMemberCountWarningIsGivenWhenNothingIsUsableToo() {
        let decision = decide(AliasParameters(bestHosts: .count(9), whenNoneUsable: .empty), broken)
        #expect(
            decision.warnings == [
                .bestHostsExceedsMembers(requested: 9, members: 4), .noUsableMembers(.empty),
            ])
    }

    @Test(arguments: NoUsableNodePolicy.allCases)
    func anAliasWithoutMembersAppliesItsPolicy(policy: NoUsableNodePolicy) {
        let decision = decide(AliasParameters(bestHosts: .count(1), whenNoneUsable: policy), [])
        #expect(decision.members.isEmpty)
        #expect(decision.appliedPolicy == policy)
        #expect(decision.publish == (policy == .keep ? nil : []))
    }

    @Test func warningsDescribeThemselves() {
        #expect("\(SelectionWarning.fewerUsableThanRequested(usable: 1, requested: 3))".contains("1"))
        #expect("\(SelectionWarning.bestHostsExceedsMembers(requested: 5, members: 2))".contains("5"))
        let descriptions = Set(
            NoUsableNodePolicy.allCases.map { SelectionWarning.noUsableMembers($0).description }
                + [SelectionWarning.nothingToPickAtRandom.description])
        #expect(descriptions.count == 4)
    }
}

@Suite struct DecisionTests {
    @Test func usableCountCountsUsableMembersWhetherChosenOrNot() {
        let members = [
            loaded("a", "10.0.0.1", 1), loaded("b", "10.0.0.2", 2), loaded("c", "10.0.0.3", 0),
            loaded("d", "10.0.0.4", 3),
        ]
        let decision = decide(AliasParameters(bestHosts: .count(1)), members)
        #expect(decision.usableCount == 3)
        #expect(decision.chosen.map(\.node) == ["a"])
        #expect(decision.chosen.first?.isChosen == true)
        #expect(decision.members[1].isChosen == false)
    }

    @Test func chosenListsPublishedMembersBestFirst() {
        let members = [loaded("a", "10.0.0.1", 9), loaded("b", "10.0.0.2", 3), loaded("c", "10.0.0.3", 6)]
        let decision = decide(AliasParameters(bestHosts: .count(3)), members)
        #expect(decision.chosen.map(\.node) == ["b", "c", "a"])
        #expect(decision.chosen.map(\.rank) == [1, 2, 3])
    }
}
