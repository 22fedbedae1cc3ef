import LBCore
import Testing

@testable import LBDaemonKit

/// The engine's numbering of the served aliases and their members.
@Suite struct NumberedAliasesTests {
    @Test func membersAreNumberedInNameOrderAndEachAliasListsItsOwnInItsOrder() {
        let served = NumberedAliases([
            AliasConfiguration(name: "b.example", members: ["zeta", "alpha", "mid"]),
            AliasConfiguration(name: "a.example", members: ["mid", "beta"]),
        ])
        #expect(served.members == ["alpha", "beta", "mid", "zeta"])
        #expect(served.aliases.map(\.name) == ["b.example", "a.example"])
        #expect(served.membersOfAlias.rows == [[3, 0, 2], [2, 1]])
        #expect(served.aliasesOfMember.rows == [[0], [1], [0, 1], [0]])
        #expect(served.memberNumbers["mid"] == 2)
        #expect(served.aliasNumbers["a.example"] == 1)
        #expect(served.aliases(ofMember: "mid") == ["b.example", "a.example"])
        #expect(served.aliases(ofMember: "nobody").isEmpty)
        #expect(served.alias(named: "a.example")?.members == ["mid", "beta"])
        #expect(served.alias(named: "c.example") == nil)
    }

    @Test func aNameGivenTwiceKeepsTheFirstAliasAndAMemberWrittenTwiceBelongsOnce() {
        var repeated = AliasConfiguration(name: "www.example", members: ["one"])
        repeated.members = ["one", "two", "one"]
        let served = NumberedAliases([
            repeated, AliasConfiguration(name: "www.example", members: ["three"]),
        ])
        #expect(served.aliases.count == 1)
        #expect(served.members == ["one", "two"])
        #expect(served.membersOfAlias.rows == [[0, 1, 0]])
        #expect(served.aliasesOfMember.rows == [[0], [0]])
    }

    @Test func nothingServedHasNoMembers() {
        let served = NumberedAliases()
        #expect(served.aliases.isEmpty)
        #expect(served.members.isEmpty)
        #expect(served.aliases(ofMember: "any").isEmpty)
    }

    @Test func aBatchTakesEachServedAliasOnceInTheOrderAsked() {
        let served = NumberedAliases([
            AliasConfiguration(name: "a.example", members: ["one"]),
            AliasConfiguration(name: "b.example", members: ["two"]),
            AliasConfiguration(name: "c.example", members: ["one", "two"]),
        ])
        let batch = AliasBatch(
            ["c.example", "gone.example", "a.example", "c.example"], of: served, generation: 4)
        #expect(batch.numbers == [2, 0])
        #expect(batch.alias(at: 0).name == "c.example")
        #expect(batch.position(of: 2) == 0)
        #expect(batch.position(of: 0) == 1)
        #expect(batch.position(of: 1) == nil)
        #expect(batch.generation == 4)
    }
}
