import Testing

@testable import LBCore

/// A decision and what the selection remembers after it.
@dynamicMemberLookup
fileprivate struct Evaluated {
    var decision: Decision
    var memory: SelectionMemory

    subscript<T>(dynamicMember path: KeyPath<Decision, T>) -> T { decision[keyPath: path] }
}

/// Runs `Selection.decide` from what the previous decision left, with drains and the polled set.
private func select(
    _ parameters: AliasParameters, _ members: [NodeReport], memory: SelectionMemory? = nil,
    drains: [String: Drain] = [:], polled: Set<String>? = nil, seed: UInt64 = 1
) -> Evaluated {
    var random = SeededRandomNumberGenerator(seed: seed)
    var memory = memory ?? SelectionMemory()
    let decision = Selection.decide(
        alias: "www.example.org", parameters: parameters, members: members, memory: &memory,
        drains: drains, polled: polled, using: &random)
    return Evaluated(decision: decision, memory: memory)
}

/// What DNS holds now: these addresses.
private func published(_ addresses: String...) -> SelectionMemory {
    SelectionMemory(published: Set(addresses.map { ip($0) }))
}

private func addresses(_ decision: Evaluated) -> [String]? {
    decision.publish?.map(\.description)
}

private func drain(_ node: String, alias: String? = nil, until: Int? = nil) -> Drain {
    Drain(node: node, alias: alias, by: "alice", reason: "kernel upgrade", since: 1_000, until: until)
}

@Suite struct SelectionTiePropertyTests {
    private let tied = [
        loaded("a", "10.0.0.1", 10), loaded("b", "10.0.0.2", 10), loaded("c", "10.0.0.3", 10),
        loaded("d", "10.0.0.4", 10),
    ]

    @Test func tiesKeepThePublishedMembersWhateverTheSeed() {
        for seed in UInt64(0)..<200 {
            let two = select(
                AliasParameters(bestHosts: .count(2)), tied, memory: published("10.0.0.2", "10.0.0.4"),
                seed: seed)
            #expect(addresses(two) == ["10.0.0.2", "10.0.0.4"])
            #expect(two.members.map(\.reason) == [.rankedOut, .chosen, .rankedOut, .chosen])
            let one = select(
                AliasParameters(bestHosts: .count(1)), tied, memory: published("10.0.0.3"), seed: seed)
            #expect(addresses(one) == ["10.0.0.3"])
        }
    }

    @Test func withoutMemoryTiesAreStillDrawnAtRandom() {
        var seen: Set<[String]> = []
        for seed in UInt64(0)..<100 {
            seen.insert(
                addresses(select(AliasParameters(bestHosts: .count(1)), tied, memory: nil, seed: seed)) ?? [])
            // Memory that publishes nothing of the alias is no preference either.
            seen.insert(
                addresses(
                    select(
                        AliasParameters(bestHosts: .count(1)), tied, memory: published("10.9.9.9"), seed: seed
                    ))
                    ?? [])
        }
        #expect(seen == [["10.0.0.1"], ["10.0.0.2"], ["10.0.0.3"], ["10.0.0.4"]])
    }

    @Test func aPublishedMemberWithAHigherLoadIsStillReplacedWithoutStickiness() {
        let members = [loaded("a", "10.0.0.1", 11), loaded("b", "10.0.0.2", 10)]
        for seed in UInt64(0)..<20 {
            let decision = select(
                AliasParameters(bestHosts: .count(1)), members, memory: published("10.0.0.1"), seed: seed)
            #expect(addresses(decision) == ["10.0.0.2"])
            #expect(decision.members.allSatisfy { $0.notes.isEmpty })
        }
    }

    @Test func equalLoadsFedBackNeverChangeDNS() {
        var memory: SelectionMemory?
        var first: [String]?
        for seed in UInt64(0)..<50 {
            let decision = select(AliasParameters(bestHosts: .count(2)), tied, memory: memory, seed: seed)
            first = first ?? addresses(decision)
            #expect(addresses(decision) == first)
            memory = decision.memory
        }
    }
}

@Suite struct SelectionStickinessTests {
    @Test(arguments: [1, 10, 20, 50, 99])
    func aPublishedMemberIsReplacedOnlyByOneLowerByMoreThanTheShare(percent: Int) throws {
        let parameters = AliasParameters(bestHosts: .count(1), stickiness: percent)
        // Exactly `percent` lower: kept.
        let exact = [loaded("old", "10.0.0.1", 1000), loaded("new", "10.0.0.2", 1000 - 10 * percent)]
        let kept = select(parameters, exact, memory: published("10.0.0.1"))
        #expect(addresses(kept) == ["10.0.0.1"])
        #expect(kept.members[0].reason == .chosen)
        #expect(kept.members[0].notes == [.keptByStickiness(percent: percent)])
        #expect(kept.members[1].reason == .rankedOut)
        #expect(kept.members[1].notes == [.heldOutByStickiness(percent: percent)])
        #expect(kept.members[1].rank == 1, "the newcomer still ranks first")
        // One less: replaced.
        let lower = [loaded("old", "10.0.0.1", 1000), loaded("new", "10.0.0.2", 1000 - 10 * percent - 1)]
        let replaced = select(parameters, lower, memory: published("10.0.0.1"))
        #expect(addresses(replaced) == ["10.0.0.2"])
        #expect(replaced.members.allSatisfy { $0.notes.isEmpty })
    }

    @Test func theThresholdIsExactWithLoadsThatDoNotDivide() {
        // 10% below 37 is 33.3: 34 is not lower by more than 10%, 33 is.
        let parameters = AliasParameters(bestHosts: .count(1), stickiness: 10)
        let keep = select(
            parameters, [loaded("old", "10.0.0.1", 37), loaded("new", "10.0.0.2", 34)],
            memory: published("10.0.0.1"))
        #expect(addresses(keep) == ["10.0.0.1"])
        let swap = select(
            parameters, [loaded("old", "10.0.0.1", 37), loaded("new", "10.0.0.2", 33)],
            memory: published("10.0.0.1"))
        #expect(addresses(swap) == ["10.0.0.2"])
    }

    @Test func zeroStickinessReplacesOnAnyLowerLoadAndKeepsTies() {
        let parameters = AliasParameters(bestHosts: .count(1), stickiness: 0)
        let lower = select(
            parameters, [loaded("old", "10.0.0.1", 10), loaded("new", "10.0.0.2", 9)],
            memory: published("10.0.0.1"))
        #expect(addresses(lower) == ["10.0.0.2"])
        for seed in UInt64(0)..<20 {
            let tie = select(
                parameters, [loaded("new", "10.0.0.2", 10), loaded("old", "10.0.0.1", 10)],
                memory: published("10.0.0.1"), seed: seed)
            #expect(addresses(tie) == ["10.0.0.1"])
        }
    }

    @Test func withoutMemoryStickinessIsPlainRanking() {
        let decision = select(
            AliasParameters(bestHosts: .count(1), stickiness: 50),
            [loaded("a", "10.0.0.1", 10), loaded("b", "10.0.0.2", 9)])
        #expect(addresses(decision) == ["10.0.0.2"])
    }

    @Test func everyKeptMemberAboveTheBestWaitingOneSaysSo() {
        let members = [
            loaded("a", "10.0.0.1", 100), loaded("b", "10.0.0.2", 105), loaded("c", "10.0.0.3", 98),
            loaded("d", "10.0.0.4", 200),
        ]
        let decision = select(
            AliasParameters(bestHosts: .count(2), stickiness: 10), members,
            memory: published("10.0.0.1", "10.0.0.2"))
        #expect(addresses(decision) == ["10.0.0.1", "10.0.0.2"])
        #expect(decision.members[0].notes == [.keptByStickiness(percent: 10)])
        #expect(decision.members[1].notes == [.keptByStickiness(percent: 10)])
        #expect(decision.members[2].notes == [.heldOutByStickiness(percent: 10)])
        #expect(decision.members[3].notes.isEmpty)
    }

    @Test func onlyTheMembersLowerByMoreThanTheShareReplaceTheWorstPublishedOnes() {
        // Published a (100) and b (200): c (85) replaces the worst, b; then e (95) is not lower
        // than a by more than 10%, and d (150) waits behind it.
        let members = [
            loaded("a", "10.0.0.1", 100), loaded("b", "10.0.0.2", 200), loaded("c", "10.0.0.3", 85),
            loaded("d", "10.0.0.4", 150), loaded("e", "10.0.0.5", 95),
        ]
        let decision = select(
            AliasParameters(bestHosts: .count(2), stickiness: 10), members,
            memory: published("10.0.0.1", "10.0.0.2"))
        #expect(addresses(decision) == ["10.0.0.1", "10.0.0.3"])
        #expect(decision.members[0].notes == [.keptByStickiness(percent: 10)])
        #expect(decision.members[4].notes == [.heldOutByStickiness(percent: 10)])
    }

    @Test func aFreeSlotIsFilledWhateverTheStickiness() {
        let members = [
            loaded("a", "10.0.0.1", 100), loaded("b", "10.0.0.2", 99), loaded("c", "10.0.0.3", 98),
        ]
        let decision = select(
            AliasParameters(bestHosts: .count(2), stickiness: 50), members, memory: published("10.0.0.1"))
        #expect(addresses(decision) == ["10.0.0.1", "10.0.0.3"])
    }
}

@Suite struct SelectionRiseFallTests {
    /// A poll result for the subject: passed (load 5) or failed (load -1).
    enum Poll: Character {
        case pass = "P"
        case fail = "F"
    }

    struct PollSequence: CustomTestStringConvertible, Sendable {
        var rise: Int
        var fall: Int
        var polls: String
        /// `I` when the subject is published after the poll, `O` when not.
        var expected: String
        var testDescription: String { "rise \(rise) fall \(fall): \(polls) -> \(expected)" }
    }

    static let sequences = [
        PollSequence(rise: 1, fall: 1, polls: "PFPF", expected: "IOIO"),
        PollSequence(rise: 1, fall: 2, polls: "PFPFF", expected: "IIIIO"),
        PollSequence(rise: 1, fall: 3, polls: "PFFFP", expected: "IIIOI"),
        PollSequence(rise: 2, fall: 1, polls: "FPPFPP", expected: "OOIOOI"),
        PollSequence(rise: 2, fall: 1, polls: "FPFPP", expected: "OOOOI"),
        PollSequence(rise: 3, fall: 2, polls: "PFFPPP", expected: "IIOOOI"),
        PollSequence(rise: 3, fall: 3, polls: "FPPPFFPFFF", expected: "OOOIIIIIIO"),
        PollSequence(rise: 2, fall: 2, polls: "PFPFPFFPPF", expected: "IIIIIIOOII"),
    ]

    /// The subject `x` and an anchor that is always usable, every usable member published.
    static func members(_ poll: Poll) -> [NodeReport] {
        [loaded("x", "10.0.0.1", poll == .pass ? 5 : -1), loaded("anchor", "10.0.0.9", 50)]
    }

    fileprivate static func run(rise: Int, fall: Int, polls: String) -> [Evaluated] {
        var memory: SelectionMemory?
        return polls.map { character in
            let decision = select(
                AliasParameters(bestHosts: .allUsable, rise: rise, fall: fall),
                members(Poll(rawValue: character)!),
                memory: memory)
            memory = decision.memory
            return decision
        }
    }

    @Test(arguments: sequences)
    func aMemberLeavesAfterFallFailuresAndComesBackAfterRisePasses(sequence: PollSequence) {
        let decisions = Self.run(rise: sequence.rise, fall: sequence.fall, polls: sequence.polls)
        let seen = String(decisions.map { $0.publish?.contains(ip("10.0.0.1")) == true ? "I" : "O" })
        #expect(seen == sequence.expected)
    }

    /// Every sequence of six polls for rise and fall from 1 to 3, against a model of the rule.
    @Test func everySequenceOfSixPollsFollowsTheModel() {
        for rise in 1...3 {
            for fall in 1...3 {
                for bits in 0..<64 {
                    let polls = String((0..<6).map { bits & (1 << $0) != 0 ? "P" : "F" })
                    var up: Bool?
                    var streak = 0
                    var expected = ""
                    for poll in polls {
                        let passed = poll == "P"
                        if let current = up, current != passed {
                            streak += 1
                            if streak >= (current ? fall : rise) {
                                up = passed
                                streak = 0
                            }
                        } else {
                            up = passed
                            streak = 0
                        }
                        expected.append(up! ? "I" : "O")
                    }
                    let seen = String(
                        Self.run(rise: rise, fall: fall, polls: polls).map {
                            $0.publish?.contains(ip("10.0.0.1")) == true ? "I" : "O"
                        })
                    #expect(seen == expected, "rise \(rise) fall \(fall): \(polls)")
                }
            }
        }
    }

    @Test func aFailingMemberIsRankedWithItsLastLoadAndPublishedWithEveryAddress() throws {
        let parameters = AliasParameters(bestHosts: .count(1), fall: 3)
        let good = [
            report("x", [("10.0.0.1", .integer(5)), ("2001:db8::1", .integer(5))]),
            loaded("y", "10.0.0.2", 50),
        ]
        let first = select(parameters, good)
        #expect(addresses(first) == ["10.0.0.1", "2001:db8::1"])
        let bad = [
            report("x", [("10.0.0.1", .integer(-1)), ("2001:db8::1", .silent)]), loaded("y", "10.0.0.2", 50),
        ]
        let second = select(parameters, bad, memory: first.memory)
        #expect(addresses(second) == ["10.0.0.1", "2001:db8::1"])
        #expect(second.members[0].reason == .chosen)
        #expect(second.members[0].rankedLoad == 5)
        #expect(second.members[0].notes == [.failing(failedPolls: 1, fall: 3, lastLoad: 5)])
        #expect(second.members[0].notes[0].description.hasPrefix("failing: 1 of 3 failed polls"))
        #expect(second.usableCount == 2)
        let third = select(parameters, bad, memory: second.memory)
        #expect(third.members[0].notes == [.failing(failedPolls: 2, fall: 3, lastLoad: 5)])
        let fourth = select(parameters, bad, memory: third.memory)
        #expect(addresses(fourth) == ["10.0.0.2"])
        #expect(fourth.members[0].reason == .unusable)
        #expect(fourth.members[0].notes.isEmpty)
    }

    @Test func aRisingMemberSaysHowManyPassesItHas() {
        let parameters = AliasParameters(bestHosts: .allUsable, rise: 3)
        var memory = select(parameters, Self.members(.fail)).memory
        for passes in 1...2 {
            let decision = select(parameters, Self.members(.pass), memory: memory)
            #expect(decision.members[0].reason == .unusable)
            #expect(decision.members[0].notes == [.rising(passedPolls: passes, rise: 3)])
            #expect(decision.usableCount == 1)
            memory = decision.memory
        }
        #expect(select(parameters, Self.members(.pass), memory: memory).members[0].reason == .chosen)
    }

    @Test func membersNotPolledKeepTheirStreak() throws {
        let parameters = AliasParameters(bestHosts: .allUsable, fall: 2)
        let start = select(parameters, Self.members(.pass))
        let failedOnce = select(parameters, Self.members(.fail), memory: start.memory)
        #expect(failedOnce.memory.health["x"] == MemberHealth(isUp: true, streak: 1, lastUsableLoad: 5))
        // Refreshes of the anchor alone: x's old failing report does not count again.
        var memory = failedOnce.memory
        for _ in 0..<5 {
            let refresh = select(parameters, Self.members(.fail), memory: memory, polled: ["anchor"])
            #expect(refresh.memory.health["x"] == MemberHealth(isUp: true, streak: 1, lastUsableLoad: 5))
            #expect(refresh.publish?.contains(ip("10.0.0.1")) == true)
            memory = refresh.memory
        }
        let polled = select(parameters, Self.members(.fail), memory: memory, polled: ["x"])
        #expect(polled.memory.health["x"]?.isUp == false)
        #expect(polled.publish == [ip("10.0.0.9")])
        // A member not polled that has no streak yet is taken for what its report says.
        let fresh = select(parameters, Self.members(.pass), memory: SelectionMemory(), polled: [])
        #expect(fresh.memory.health["x"] == MemberHealth(isUp: true, lastUsableLoad: 5))
    }

    @Test func healthFollowsTheRuleStepByStep() {
        var health = MemberHealth.after(nil, usableLoad: nil, rise: 2, fall: 2)
        #expect(health == MemberHealth(isUp: false))
        health = MemberHealth.after(health, usableLoad: 7, rise: 2, fall: 2)
        #expect(health == MemberHealth(isUp: false, streak: 1, lastUsableLoad: 7))
        health = MemberHealth.after(health, usableLoad: 8, rise: 2, fall: 2)
        #expect(health == MemberHealth(isUp: true, streak: 0, lastUsableLoad: 8))
        health = MemberHealth.after(health, usableLoad: nil, rise: 2, fall: 2)
        #expect(health == MemberHealth(isUp: true, streak: 1, lastUsableLoad: 8))
        health = MemberHealth.after(health, usableLoad: 9, rise: 2, fall: 2)
        #expect(health == MemberHealth(isUp: true, streak: 0, lastUsableLoad: 9))
    }
}

@Suite struct SelectionMinimumUsableTests {
    /// One usable member, one failing, one reporting 0, one unresolved.
    private let weak = [
        loaded("a", "10.0.0.1", 10), report("b", [("10.0.0.2", .silent), ("2001:db8::2", .integer(-3))]),
        loaded("c", "10.0.0.3", 0), report("d", [], resolutionFailure: "NXDOMAIN"),
    ]

    @Test func belowTheCountTheAliasFailsOpenWithEveryResolvedMember() {
        let decision = select(AliasParameters(bestHosts: .count(1), minUsable: .count(2)), weak)
        #expect(addresses(decision) == ["10.0.0.1", "10.0.0.2", "10.0.0.3", "2001:db8::2"])
        #expect(decision.appliedFloor == .failOpen)
        #expect(decision.appliedPolicy == nil)
        #expect(decision.members.map(\.reason) == [.failedOpen, .failedOpen, .failedOpen, .unusable])
        #expect(decision.members[1].notes == [.failedOpen(usable: 1, minimum: 2)])
        #expect(decision.warnings.contains(.belowMinimumUsable(usable: 1, minimum: 2, policy: .failOpen)))
        #expect("\(decision.warnings.last!)".contains("below min_usable 2"))
    }

    @Test func belowTheCountKeepLeavesDNSAndItsMemory() {
        let decision = select(
            AliasParameters(bestHosts: .count(1), minUsable: .count(2), belowMinimum: .keep), weak,
            memory: published("10.0.0.3"))
        #expect(decision.publish == nil)
        #expect(decision.appliedFloor == .keep)
        #expect(decision.memory.published == [ip("10.0.0.3")])
        #expect(decision.warnings.contains(.belowMinimumUsable(usable: 1, minimum: 2, policy: .keep)))
    }

    @Test func atTheMinimumTheRankingDecides() {
        let decision = select(AliasParameters(bestHosts: .count(1), minUsable: .count(1)), weak)
        #expect(addresses(decision) == ["10.0.0.1"])
        #expect(decision.appliedFloor == nil)
    }

    @Test(arguments: [
        (50, 3, 2), (34, 3, 2), (33, 3, 1), (100, 4, 4), (1, 4, 1), (25, 4, 1), (26, 4, 2), (50, 0, 0),
    ])
    func aShareIsRoundedUp(percent: Int, members: Int, required: Int) {
        #expect(MinimumUsable.percent(percent).required(members: members) == required)
    }

    @Test func aShareOfTheMembersIsCountedOverEveryMember() {
        // 4 members, 1 usable: 25% needs 1 (fine), 26% needs 2 (fails open).
        #expect(
            select(AliasParameters(bestHosts: .count(1), minUsable: .percent(25)), weak).appliedFloor == nil)
        #expect(
            select(AliasParameters(bestHosts: .count(1), minUsable: .percent(26)), weak).appliedFloor
                == .failOpen)
        #expect(
            select(AliasParameters(bestHosts: .count(1), minUsable: .percent(26), belowMinimum: .keep), weak)
                .publish
                == nil)
    }

    @Test func failingOpenWithNothingResolvedLeavesItToWhenNoneUsable() {
        let members = [report("a", [], resolutionFailure: "NXDOMAIN"), report("b", [])]
        let decision = select(
            AliasParameters(bestHosts: .count(1), whenNoneUsable: .empty, minUsable: .count(1)), members)
        #expect(decision.publish == [])
        #expect(decision.appliedFloor == nil)
        #expect(decision.appliedPolicy == .empty)
    }

    @Test func aDrainedMemberIsNeverFailedOpen() {
        let decision = select(
            AliasParameters(bestHosts: .count(1), minUsable: .count(3)), weak, drains: ["c": drain("c")])
        #expect(addresses(decision) == ["10.0.0.1", "10.0.0.2", "2001:db8::2"])
        #expect(decision.members[2].reason == .drained)
    }
}

@Suite struct SelectionMaxChangesTests {
    private static let names = ["a", "b", "c", "d", "e", "f"]

    /// Six members; those in `bad` report -1, the others their position as load.
    private static func fleet(bad: Set<String>) -> [NodeReport] {
        names.enumerated().map { index, name in
            loaded(name, "10.0.0.\(index + 1)", bad.contains(name) ? -1 : 10 + index)
        }
    }

    @Test func aBadDeploymentOnThePublishedMembersReplacesAtMostMaxChangesPerEvaluation() {
        let parameters = AliasParameters(bestHosts: .count(3), maxChanges: 1)
        var memory = published("10.0.0.1", "10.0.0.2", "10.0.0.3")
        let expected = [
            ["10.0.0.1", "10.0.0.2", "10.0.0.4"], ["10.0.0.1", "10.0.0.4", "10.0.0.5"],
            ["10.0.0.4", "10.0.0.5", "10.0.0.6"], ["10.0.0.4", "10.0.0.5", "10.0.0.6"],
        ]
        for (step, want) in expected.enumerated() {
            let decision = select(
                parameters, Self.fleet(bad: ["a", "b", "c"]), memory: memory, seed: UInt64(step))
            #expect(addresses(decision) == want, "step \(step)")
            let before = memory.published ?? []
            #expect(before.subtracting(decision.publish ?? []).count <= 1)
            memory = decision.memory
        }
    }

    @Test func theLimitSaysWhoWasKeptAndWhoWasHeldBack() throws {
        let decision = select(
            AliasParameters(bestHosts: .count(3), maxChanges: 1), Self.fleet(bad: ["a", "b", "c"]),
            memory: published("10.0.0.1", "10.0.0.2", "10.0.0.3"))
        #expect(decision.warnings == [.changesLimited(leaving: 3, limit: 1)])
        #expect(
            decision.members.map(\.reason) == [
                .keptByMaxChanges, .keptByMaxChanges, .unusable, .chosen, .rankedOut, .rankedOut,
            ])
        #expect(decision.members[0].notes == [.keptByMaxChanges(limit: 1)])
        #expect(decision.members[4].notes == [.heldBackByMaxChanges(limit: 1)])
        #expect(decision.members[5].notes == [.heldBackByMaxChanges(limit: 1)])
        #expect("\(decision.members[4].notes[0])".contains("(max_changes)"))
        // A kept member is published with every address it resolved to, whatever it answered.
        #expect(decision.members[0].published == [ip("10.0.0.1")])
    }

    @Test func keptMembersAreTheUsableOnesFirstInRankOrder() {
        let members = [
            loaded("a", "10.0.0.1", 10), loaded("b", "10.0.0.2", 30), loaded("c", "10.0.0.3", -1),
            loaded("d", "10.0.0.4", 20),
        ]
        let decision = select(
            AliasParameters(bestHosts: .count(1), maxChanges: 1), members,
            memory: published("10.0.0.2", "10.0.0.3", "10.0.0.4"))
        // a enters; b, c and d should leave, two are kept: d (20) and b (30) before c (-1);
        // a is held back as the only newcomer.
        #expect(addresses(decision) == ["10.0.0.2", "10.0.0.4"])
        #expect(
            decision.members.map(\.reason) == [.rankedOut, .keptByMaxChanges, .unusable, .keptByMaxChanges])
    }

    @Test func minusOneEverywhereDoesNotEmptyTheAliasInOneEvaluation() {
        let parameters = AliasParameters(bestHosts: .count(3), whenNoneUsable: .empty, maxChanges: 1)
        var memory = published("10.0.0.1", "10.0.0.2", "10.0.0.3")
        var sizes: [Int] = []
        for step in 0..<4 {
            let decision = select(
                parameters, Self.fleet(bad: Set(Self.names)), memory: memory, seed: UInt64(step))
            sizes.append(decision.publish?.count ?? -1)
            #expect(decision.appliedPolicy == .empty)
            memory = decision.memory
        }
        #expect(sizes == [2, 1, 0, 0])
    }

    @Test func theRandomPolicyPicksThePublishedMembersFirst() {
        let parameters = AliasParameters(bestHosts: .count(2), whenNoneUsable: .random)
        for seed in UInt64(0)..<50 {
            let decision = select(
                parameters, Self.fleet(bad: Set(Self.names)), memory: published("10.0.0.3", "10.0.0.5"),
                seed: seed)
            #expect(addresses(decision) == ["10.0.0.3", "10.0.0.5"])
        }
    }

    @Test func drainedMembersLeaveWhateverTheLimit() {
        let decision = select(
            AliasParameters(bestHosts: .count(3), maxChanges: 1), Self.fleet(bad: []),
            memory: published("10.0.0.1", "10.0.0.2", "10.0.0.3"), drains: ["a": drain("a"), "b": drain("b")])
        #expect(addresses(decision) == ["10.0.0.3", "10.0.0.4", "10.0.0.5"])
        #expect(decision.warnings.isEmpty)
    }

    @Test func withinTheLimitNothingIsKept() {
        let decision = select(
            AliasParameters(bestHosts: .count(3), maxChanges: 2), Self.fleet(bad: ["a", "b"]),
            memory: published("10.0.0.1", "10.0.0.2", "10.0.0.3"))
        #expect(addresses(decision) == ["10.0.0.3", "10.0.0.4", "10.0.0.5"])
        #expect(decision.warnings.isEmpty)
    }
}

@Suite struct SelectionDrainTests {
    private let members = [loaded("a", "10.0.0.1", 5), loaded("b", "10.0.0.2", 50)]

    @Test func aDrainedMemberIsUnusableAndSaysWhoDrainedItAndWhy() throws {
        let decision = select(AliasParameters(bestHosts: .count(1)), members, drains: ["a": drain("a")])
        #expect(addresses(decision) == ["10.0.0.2"])
        #expect(decision.members[0].reason == .drained)
        #expect(decision.members[0].rank == nil)
        #expect(decision.members[0].notes.map(\.description) == ["drained by alice: kernel upgrade"])
        #expect(decision.usableCount == 1)
    }

    @Test func aDrainedMemberLeavesEvenWhenPublishedAndFailingUnderFall() {
        let parameters = AliasParameters(bestHosts: .count(1), fall: 3)
        let start = select(parameters, members)
        let decision = select(parameters, members, memory: start.memory, drains: ["a": drain("a")])
        #expect(addresses(decision) == ["10.0.0.2"])
    }

    @Test func aDrainCoversItsAliasOrEveryAlias() {
        let everywhere = drain("Node1.Example.org.")
        #expect(everywhere.covers(node: "node1.example.org", alias: "www.example.org"))
        #expect(everywhere.covers(node: "node1.example.org", alias: "api.example.org"))
        #expect(!everywhere.covers(node: "node2.example.org", alias: "www.example.org"))
        let one = drain("node1.example.org", alias: "WWW.example.org.")
        #expect(one.covers(node: "node1.example.org.", alias: "www.example.org"))
        #expect(!one.covers(node: "node1.example.org", alias: "api.example.org"))
    }

    @Test func aDrainExpiresAtItsEnd() {
        #expect(drain("a").isActive(at: .max))
        let timed = drain("a", until: 2_000)
        #expect(timed.isActive(at: 1_000))
        #expect(timed.isActive(at: 1_999))
        #expect(!timed.isActive(at: 2_000))
        #expect(!timed.isActive(at: 3_000))
    }

    @Test func aDrainedMemberIsNeverPickedAtRandom() {
        let broken = [loaded("a", "10.0.0.1", -1), loaded("b", "10.0.0.2", -1), loaded("c", "10.0.0.3", 0)]
        let parameters = AliasParameters(bestHosts: .count(1), whenNoneUsable: .random)
        var picked: Set<String> = []
        for seed in UInt64(0)..<100 {
            let decision = select(parameters, broken, drains: ["b": drain("b")], seed: seed)
            picked.formUnion(decision.chosen.map(\.node))
        }
        #expect(picked == ["a", "c"])
        let allUsable = select(
            AliasParameters(bestHosts: .allUsable, whenNoneUsable: .random), broken, drains: ["b": drain("b")]
        )
        #expect(addresses(allUsable) == ["10.0.0.1", "10.0.0.3"])
    }

    @Test func everyMemberDrainedAppliesTheNoUsablePolicy() {
        let drains = ["a": drain("a"), "b": drain("b")]
        let empty = select(
            AliasParameters(bestHosts: .count(1), whenNoneUsable: .empty), members, drains: drains)
        #expect(empty.publish == [])
        let random = select(
            AliasParameters(bestHosts: .count(1), whenNoneUsable: .random), members, drains: drains)
        #expect(random.publish == [])
        #expect(random.warnings.contains(.nothingToPickAtRandom))
    }
}

/// Random aliases, reports, parameters, memories and drains (bounded, seeded).
@Suite struct SelectionRandomPropertyTests {
    private struct Case {
        var members: [NodeReport]
        var parameters: AliasParameters
        var memory: SelectionMemory?
        var drains: [String: Drain]
    }

    private static func randomCase<R: RandomNumberGenerator>(defaults: Bool, using random: inout R) -> Case {
        var members: [NodeReport] = []
        var next = 1
        for index in 0..<Int.random(in: 0...7, using: &random) {
            var replies: [(String, AddressReply)] = []
            for _ in 0..<Int.random(in: 0...2, using: &random) {
                let reply: AddressReply =
                    switch Int.random(in: 0...5, using: &random) {
                    case 0: .silent
                    case 1: .integer(Int.random(in: -3...0, using: &random))
                    default: .integer(Int.random(in: 1...12, using: &random))
                    }
                replies.append(("10.0.\(index).\(next)", reply))
                next += 1
            }
            members.append(
                report("n\(index)", replies, resolutionFailure: replies.isEmpty ? "NXDOMAIN" : nil))
        }
        var parameters = AliasParameters(
            bestHosts: Bool.random(using: &random)
                ? .allUsable : .count(Int.random(in: 1...4, using: &random)),
            whenNoneUsable: NoUsableNodePolicy.allCases.randomElement(using: &random)!)
        var drains: [String: Drain] = [:]
        if !defaults {
            parameters.stickiness = Bool.random(using: &random) ? Int.random(in: 0...99, using: &random) : nil
            parameters.rise = Int.random(in: 1...3, using: &random)
            parameters.fall = Int.random(in: 1...3, using: &random)
            parameters.minUsable =
                Bool.random(using: &random)
                ? (Bool.random(using: &random)
                    ? .count(Int.random(in: 1...4, using: &random))
                    : .percent(Int.random(in: 1...100, using: &random)))
                : nil
            parameters.belowMinimum = BelowMinimumPolicy.allCases.randomElement(using: &random)!
            parameters.maxChanges = Bool.random(using: &random) ? Int.random(in: 1...3, using: &random) : nil
            for member in members where Int.random(in: 0...4, using: &random) == 0 {
                drains[member.node] = drain(member.node)
            }
        }
        let every = members.flatMap { $0.addresses.map(\.address) }
        let memory: SelectionMemory? =
            Bool.random(using: &random)
            ? SelectionMemory(published: Set(every.filter { _ in Bool.random(using: &random) })) : nil
        return Case(members: members, parameters: parameters, memory: memory, drains: drains)
    }

    @Test func thePublishedSetIsAlwaysMadeOfMembersAddressesAndNeverADrainedOnes() {
        var random = SeededRandomNumberGenerator(seed: 16)
        for iteration in 0..<1_500 {
            let test = Self.randomCase(defaults: false, using: &random)
            var memory = test.memory
            // A few evaluations in a row, each fed what the previous one left.
            for step in 0..<3 {
                let decision = select(
                    test.parameters, test.members, memory: memory, drains: test.drains,
                    seed: UInt64(iteration * 3 + step))
                let every = Set(test.members.flatMap { $0.addresses.map(\.address) })
                let drained = Set(
                    test.members.filter { test.drains[$0.node] != nil }.flatMap {
                        $0.addresses.map(\.address)
                    })
                if let publish = decision.publish {
                    #expect(Set(publish).isSubset(of: every), "iteration \(iteration)")
                    #expect(Set(publish).isDisjoint(with: drained), "iteration \(iteration)")
                    #expect(publish == NodeAddress.canonicalSet(publish))
                    #expect(decision.memory.published == Set(publish))
                } else {
                    #expect(decision.memory.published == memory?.published)
                }
                #expect(decision.members.map(\.node) == test.members.map(\.node))
                memory = decision.memory
            }
        }
    }

    @Test func withDefaultOptionsTheChosenLoadsAreTheLowestAsWithGolbd() {
        var random = SeededRandomNumberGenerator(seed: 1_616)
        for iteration in 0..<1_500 {
            let test = Self.randomCase(defaults: true, using: &random)
            let decision = select(test.parameters, test.members, memory: test.memory, seed: UInt64(iteration))
            let usable = test.members.compactMap { member -> Int? in
                if case .usable(let load) = MemberEvaluation(report: member, alias: "www.example.org").state {
                    return load
                }
                return nil
            }.sorted()
            guard !usable.isEmpty else {
                #expect(decision.appliedPolicy == test.parameters.whenNoneUsable)
                continue
            }
            let wanted: Int
            switch test.parameters.bestHosts {
            case .allUsable: wanted = usable.count
            case .count(let count): wanted = min(count, usable.count)
            }
            let chosen = decision.chosen.compactMap(\.evaluation.load).sorted()
            #expect(chosen == Array(usable.prefix(wanted)), "iteration \(iteration)")
            #expect(decision.chosen.allSatisfy { $0.reason == .chosen && $0.notes.isEmpty })
            #expect(
                decision.publish
                    == NodeAddress.canonicalSet(decision.chosen.flatMap(\.evaluation.usableAddresses)))
        }
    }
}
