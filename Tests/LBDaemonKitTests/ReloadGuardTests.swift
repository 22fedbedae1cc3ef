import Testing

@testable import LBDaemonKit

/// A reload never withdraws every alias, and withdraws more than `reload.max_withdrawn_share`
/// of them only when the new file says so.
@Suite struct ReloadGuardTests {
    static func configuration(
        _ count: Int, from first: Int = 0, partition: String? = nil, aliasPartition: String = "default",
        share: Double = ReloadSettings.defaultMaximumWithdrawnShare
    ) -> Configuration {
        Configuration(
            partition: partition,
            aliases: (first..<(first + count)).map {
                AliasConfiguration(name: "a\($0).example.org", members: ["n1"], partition: aliasPartition)
            },
            reload: ReloadSettings(maximumWithdrawnShare: share))
    }

    @Test func anEmptyConfigurationIsRefusedWithTheNumberServed() {
        let decision = ReloadGuard.check(old: Self.configuration(10), new: Configuration())
        #expect(decision == .refuse(.noAlias(served: 10)))
        guard case .refuse(let refusal) = decision else { return }
        #expect(refusal.description.contains("no alias"))
        #expect(refusal.description.contains("withdraw all 10 served aliases"))
    }

    @Test func anEmptyConfigurationIsRefusedEvenWhenTheGuardIsOff() {
        var empty = Configuration()
        empty.reload.maximumWithdrawnShare = 1
        #expect(ReloadGuard.check(old: Self.configuration(3), new: empty) == .refuse(.noAlias(served: 3)))
    }

    @Test func aPartitionWithNoAliasIsRefused() {
        let new = Self.configuration(4, partition: "web", aliasPartition: "batch")
        #expect(
            ReloadGuard.check(old: Self.configuration(4), new: new)
                == .refuse(.noAliasInPartition(partition: "web", configured: 4, served: 4)))
    }

    @Test func withdrawingUpToTheShareIsAcceptedAndListed() {
        // 10 served, 5 kept: exactly 50% withdrawn.
        let decision = ReloadGuard.check(old: Self.configuration(10), new: Self.configuration(5))
        #expect(
            decision
                == .accept(withdrawn: (5..<10).map { "a\($0).example.org" }.sorted()))
    }

    @Test func withdrawingMoreThanTheShareIsRefusedWithTheNumbers() {
        let decision = ReloadGuard.check(old: Self.configuration(10), new: Self.configuration(4))
        #expect(decision == .refuse(.tooManyWithdrawn(withdrawn: 6, served: 10, maximumShare: 0.5)))
        guard case .refuse(let refusal) = decision else { return }
        #expect(refusal.description.contains("withdraw 6 of the 10 served aliases (60%)"))
        #expect(refusal.description.contains("reload.max_withdrawn_share 50%"))
    }

    @Test func theNewFilesShareDecides() {
        let old = Self.configuration(10, share: 1)
        #expect(
            ReloadGuard.check(old: old, new: Self.configuration(1))
                == .refuse(.tooManyWithdrawn(withdrawn: 9, served: 10, maximumShare: 0.5)))
        guard
            case .accept(let withdrawn) = ReloadGuard.check(
                old: Self.configuration(10), new: Self.configuration(1, share: 1))
        else {
            Issue.record("a share of 100% must accept any withdrawal but the last alias")
            return
        }
        #expect(withdrawn.count == 9)
    }

    @Test func aShareOfZeroRefusesAnyWithdrawal() {
        #expect(
            ReloadGuard.check(old: Self.configuration(3), new: Self.configuration(2, share: 0))
                == .refuse(.tooManyWithdrawn(withdrawn: 1, served: 3, maximumShare: 0)))
        #expect(
            ReloadGuard.check(old: Self.configuration(3), new: Self.configuration(5, share: 0))
                == .accept(withdrawn: []))
    }

    @Test func replacingEveryAliasWithOthersIsAWithdrawalOfAll() {
        let decision = ReloadGuard.check(old: Self.configuration(4), new: Self.configuration(4, from: 100))
        #expect(decision == .refuse(.tooManyWithdrawn(withdrawn: 4, served: 4, maximumShare: 0.5)))
    }

    @Test func movingAliasesToAnotherPartitionWithdrawsThem() {
        let old = Self.configuration(4, partition: "web", aliasPartition: "web")
        var new = Self.configuration(4, partition: "web", aliasPartition: "web")
        for index in 0..<3 { new.aliases[index].partition = "batch" }
        #expect(
            ReloadGuard.check(old: old, new: new)
                == .refuse(.tooManyWithdrawn(withdrawn: 3, served: 4, maximumShare: 0.5)))
    }

    @Test func addingAliasesWithdrawsNothing() {
        #expect(
            ReloadGuard.check(old: Self.configuration(2), new: Self.configuration(20))
                == .accept(withdrawn: []))
    }

    @Test func fromNothingServedAnyConfigurationWithAliasesIsAccepted() {
        #expect(ReloadGuard.check(old: Configuration(), new: Self.configuration(1)) == .accept(withdrawn: []))
    }

    @Test func sharesThatAreNotExactInBinaryAllowTheirWholeNumber() {
        #expect(ReloadGuard.allowedWithdrawals(of: 100, share: 0.29) == 29)
        #expect(ReloadGuard.allowedWithdrawals(of: 10, share: 0.3) == 3)
        #expect(ReloadGuard.allowedWithdrawals(of: 10, share: 0.35) == 3)
        #expect(ReloadGuard.allowedWithdrawals(of: 7, share: 1) == 7)
        #expect(ReloadGuard.allowedWithdrawals(of: 0, share: 0.5) == 0)
    }

    @Test func atStartAConfigurationThatServesNothingIsRefused() throws {
        #expect(throws: ReloadRefusal.noAlias(served: 0)) { try ReloadGuard.checkStart(Configuration()) }
        #expect(throws: ReloadRefusal.noAliasInPartition(partition: "web", configured: 2, served: 0)) {
            try ReloadGuard.checkStart(Self.configuration(2, partition: "web"))
        }
        try ReloadGuard.checkStart(Self.configuration(1))
        #expect(ReloadRefusal.noAlias(served: 0).description.contains("to serve none, stop lbd"))
    }

    @Test func percentagesAreWrittenShort() {
        #expect(ReloadRefusal.percent(0.5) == "50%")
        #expect(ReloadRefusal.percent(1) == "100%")
        #expect(ReloadRefusal.percent(1.0 / 3) == "33.3%")
        #expect(ReloadRefusal.percent(0) == "0%")
    }
}
