import Foundation
import LBTestSupport
import Logging
import Testing

@testable import LBDaemonKit

/// `ha.mode: lease` with two instances against a real PostgreSQL started by the test: one
/// publisher at every instant, takeover bounds, the local deadline, faults of the database.
@Suite(.serialized)
struct LeaseLeadershipTests {
    let ttl = LeaseTesting.ttl

    @Test func exactlyOneOfTwoInstancesHoldsTheLeaseAndTheOtherKnowsWho() async throws {
        guard PostgresCluster.available else { return }
        let cluster = try PostgresCluster()
        let leases = RunningLeases([
            try LeaseTesting.leadership(cluster, instance: "lbd-a"),
            try LeaseTesting.leadership(cluster, instance: "lbd-b"),
        ])
        let timeline = PermitTimeline(leases.leaderships)
        let holder = try #require(await LeaseTesting.holder(of: leases))
        let standby = 1 - holder
        // A few renewals: the same instance keeps it, the other never gets a permit.
        try await Task.sleep(for: .seconds(ttl))
        await timeline.stop()

        let granted = timeline.all.filter { $0.granted > 0 }
        #expect(timeline.overlaps.isEmpty)
        #expect(!granted.isEmpty)
        #expect(granted.allSatisfy { $0.tokens[holder] != nil && $0.tokens[standby] == nil })
        let token = try #require(await leases[holder].publishingPermit()?.fencingToken)
        #expect(token >= 1)

        let active = await leases[holder].status()
        #expect(active.mode == "lease")
        #expect(active.role == .active)
        #expect(active.fencingToken == token)
        #expect((active.age ?? -1) >= 0 && (active.age ?? 99) < ttl)
        let passive = await leases[standby].status()
        #expect(passive.role == .standby)
        #expect(passive.peer == leases[holder].instance)
        #expect(passive.fencingToken == nil)
        #expect(passive.reason.contains(leases[holder].instance))
        #expect(passive.age != nil)
        await leases.stopAll()
    }

    @Test func roleChangesGiveTheCurrentRoleFirstThenEachChangeToEverySubscriber() async throws {
        guard PostgresCluster.available else { return }
        let cluster = try PostgresCluster()
        let leadership = try LeaseTesting.leadership(cluster, instance: "lbd-a")
        let first = await leadership.roleChanges()
        let second = await leadership.roleChanges()
        let leases = RunningLeases([leadership])
        #expect(await LeaseTesting.holder(of: leases) == 0)
        await leases.stop(0)
        // The streams end when the leadership stops.
        var seen: [[LeadershipRole]] = []
        for stream in [first, second] {
            var roles: [LeadershipRole] = []
            for await role in stream { roles.append(role) }
            seen.append(roles)
        }
        #expect(seen == [[.standby, .active, .standby], [.standby, .active, .standby]])
    }

    @Test func aCrashedHolderIsReplacedWithinTTLAndAThirdWithTheNextToken() async throws {
        guard PostgresCluster.available else { return }
        let cluster = try PostgresCluster()
        let clocks = [PausableLeaseClock(), PausableLeaseClock()]
        let leases = RunningLeases([
            try LeaseTesting.leadership(cluster, instance: "lbd-a", clock: clocks[0]),
            try LeaseTesting.leadership(cluster, instance: "lbd-b", clock: clocks[1]),
        ])
        let timeline = PermitTimeline(leases.leaderships)
        let holder = try #require(await LeaseTesting.holder(of: leases))
        let other = 1 - holder
        let token = try #require(await leases[holder].publishingPermit()?.fencingToken)

        // The holder stops renewing (and, being "dead", never publishes again).
        clocks[holder].pause()
        let crashed = ContinuousClock.now
        let tookOver = await LeaseTesting.eventually(timeout: 3 * ttl) {
            await leases[other].publishingPermit() != nil
        }
        let elapsed = LeaseTesting.seconds(crashed.duration(to: .now))
        await timeline.stop()

        #expect(tookOver)
        // The last renewal was sent before the pause; the lease expires ttl later by the
        // database's clock and the standby tries every ttl/3 (plus one statement's time).
        #expect(elapsed <= ttl + ttl / 3 + LeaseLeadership.operationTimeout(ttl: ttl) + 0.5)
        #expect(await leases[other].publishingPermit()?.fencingToken == token + 1)
        #expect(timeline.overlaps.isEmpty)
        clocks[holder].resume()
        await leases.stopAll()
    }

    @Test func aFrozenHolderStopsPublishingAtItsDeadlineBeforeTheOtherTakesOverAndIsRefusedAfter()
        async throws
    {
        guard PostgresCluster.available else { return }
        let cluster = try PostgresCluster()
        let logs = [CapturedLog(), CapturedLog()]
        let clocks = [PausableLeaseClock(), PausableLeaseClock()]
        let leases = RunningLeases([
            try LeaseTesting.leadership(cluster, instance: "lbd-a", clock: clocks[0], logger: logs[0].logger),
            try LeaseTesting.leadership(cluster, instance: "lbd-b", clock: clocks[1], logger: logs[1].logger),
        ])
        let holder = try #require(await LeaseTesting.holder(of: leases))
        let other = 1 - holder
        let token = try #require(await leases[holder].publishingPermit()?.fencingToken)
        let holderRoles = await leases[holder].roleChanges()
        // Sampled for the whole test, the frozen holder included: it is asked for permits as
        // the engine would ask when the process resumes.
        let timeline = PermitTimeline(leases.leaderships)

        let frozen = ContinuousClock.now
        clocks[holder].pause()
        #expect(
            await LeaseTesting.eventually(timeout: 3 * ttl) { await leases[other].publishingPermit() != nil })
        // Resumed: its renewal is refused (the token moved on) and it stays standby.
        clocks[holder].resume()
        #expect(
            await LeaseTesting.eventually(timeout: 2 * ttl) {
                logs[holder].contains(.notice, "the database refused the renewal")
            })
        try await Task.sleep(for: .seconds(ttl / 3))
        await timeline.stop()

        #expect(timeline.overlaps.isEmpty)
        let lost = try #require(timeline.first(holder, granted: false, after: frozen))
        let acquired = try #require(timeline.first(other, granted: true, after: frozen))
        #expect(lost.at < acquired.at)
        // Its own deadline (sent + ttl − ttl/10) ended the permit, while no renewal was sent.
        #expect(LeaseTesting.seconds(frozen.duration(to: lost.at)) <= ttl - ttl / 10 + 0.2)
        #expect(
            logs[holder].contains(
                .warning, "lost the lease of partition default: no renewal was confirmed in time"))
        #expect(acquired.tokens[other] == token + 1)
        #expect(timeline.all.last?.tokens[holder] == nil)
        #expect(await leases[holder].status().role == .standby)
        #expect(await leases[holder].status().peer == leases[other].instance)
        await leases.stopAll()
        var roles: [LeadershipRole] = []
        for await role in holderRoles { roles.append(role) }
        #expect(roles == [.active, .standby])
    }

    @Test func aCleanStopReleasesTheLeaseAndTheStandbyTakesItWithinAThirdOfTheTTL() async throws {
        guard PostgresCluster.available else { return }
        let cluster = try PostgresCluster()
        let logs = [CapturedLog(), CapturedLog()]
        let leases = RunningLeases([
            try LeaseTesting.leadership(cluster, instance: "lbd-a", logger: logs[0].logger),
            try LeaseTesting.leadership(cluster, instance: "lbd-b", logger: logs[1].logger),
        ])
        let holder = try #require(await LeaseTesting.holder(of: leases))
        let other = 1 - holder
        let token = try #require(await leases[holder].publishingPermit()?.fencingToken)

        await leases.stop(holder)
        let stopped = ContinuousClock.now
        #expect(logs[holder].contains(.notice, "released the lease of partition default (token \(token))"))
        #expect(await leases[holder].publishingPermit() == nil)
        let tookOver = await LeaseTesting.eventually(timeout: 2 * ttl) {
            await leases[other].publishingPermit() != nil
        }
        let elapsed = LeaseTesting.seconds(stopped.duration(to: .now))
        #expect(tookOver)
        #expect(elapsed <= ttl / 3 + LeaseLeadership.operationTimeout(ttl: ttl) + 0.5)
        #expect(await leases[other].publishingPermit()?.fencingToken == token + 1)
        await leases.stopAll()
    }

    @Test func aHolderCutOffFromItsDatabaseStopsPublishingByItsDeadlineAndRecovers() async throws {
        guard PostgresCluster.available else { return }
        let cluster = try PostgresCluster()
        let leases = RunningLeases([
            try LeaseTesting.leadership(cluster, instance: "lbd-a"),
            try LeaseTesting.leadership(cluster, instance: "lbd-b"),
        ])
        let holder = try #require(await LeaseTesting.holder(of: leases))
        let token = try #require(await leases[holder].publishingPermit()?.fencingToken)
        let timeline = PermitTimeline(leases.leaderships)

        cluster.kill()
        let killed = ContinuousClock.now
        #expect(
            await LeaseTesting.eventually(timeout: 2 * ttl) { await leases[holder].publishingPermit() == nil }
        )
        let lastPermit = try #require(timeline.last(holder, granted: true))
        // The last renewal confirmed was sent before the kill.
        #expect(LeaseTesting.seconds(killed.duration(to: lastPermit.at)) <= ttl - ttl / 10 + 0.2)
        #expect(await leases[holder].status().role == .standby)
        // The standby says why it cannot take over.
        #expect(
            await LeaseTesting.eventually(timeout: 2 * ttl) {
                await leases[1 - holder].status().reason.contains("unreachable")
            })

        try cluster.start()
        let recovered = await LeaseTesting.holder(of: leases, timeout: 5 * ttl)
        await timeline.stop()
        #expect(recovered != nil)
        if let recovered {
            #expect((await leases[recovered].publishingPermit()?.fencingToken ?? 0) > token)
        }
        #expect(timeline.overlaps.isEmpty)
        await leases.stopAll()
    }

    @Test func aHolderWhoseDatabaseHangsStopsPublishingByItsDeadlineAndRecovers() async throws {
        guard PostgresCluster.available else { return }
        let cluster = try PostgresCluster()
        let leases = RunningLeases([
            try LeaseTesting.leadership(cluster, instance: "lbd-a"),
            try LeaseTesting.leadership(cluster, instance: "lbd-b"),
        ])
        let holder = try #require(await LeaseTesting.holder(of: leases))
        let token = try #require(await leases[holder].publishingPermit()?.fencingToken)
        let timeline = PermitTimeline(leases.leaderships)

        // Connections stay open and nothing answers: statements must time out.
        cluster.freeze()
        let frozen = ContinuousClock.now
        #expect(
            await LeaseTesting.eventually(timeout: 2 * ttl) { await leases[holder].publishingPermit() == nil }
        )
        let lastPermit = try #require(timeline.last(holder, granted: true))
        #expect(LeaseTesting.seconds(frozen.duration(to: lastPermit.at)) <= ttl - ttl / 10 + 0.2)
        // The standby, whose statements hang, says why it cannot take over.
        #expect(
            await LeaseTesting.eventually(timeout: 2 * ttl) {
                await leases[1 - holder].status().reason.contains("did not answer")
            })

        cluster.thaw()
        let recovered = await LeaseTesting.holder(of: leases, timeout: 5 * ttl)
        await timeline.stop()
        #expect(recovered != nil)
        if let recovered {
            #expect((await leases[recovered].publishingPermit()?.fencingToken ?? 0) >= token)
        }
        #expect(timeline.overlaps.isEmpty)
        await leases.stopAll()
    }

    @Test func twoPartitionsAreIndependent() async throws {
        guard PostgresCluster.available else { return }
        let cluster = try PostgresCluster()
        let leases = RunningLeases([
            try LeaseTesting.leadership(cluster, instance: "lbd-a", partition: "blue"),
            try LeaseTesting.leadership(cluster, instance: "lbd-b", partition: "blue"),
            try LeaseTesting.leadership(cluster, instance: "lbd-c", partition: "green"),
        ])
        let both = await LeaseTesting.eventually(timeout: 15) {
            let blue = [await leases[0].publishingPermit(), await leases[1].publishingPermit()]
            let green = await leases[2].publishingPermit()
            return blue.compactMap { $0 }.count == 1 && green != nil
        }
        #expect(both)
        // Each partition has its own row and token sequence.
        #expect(await leases[2].publishingPermit()?.fencingToken == 1)
        let store = try LeaseStore(url: PostgresURL(parsing: cluster.url), logger: Logger(label: "test"))
        let blue = try await store.current(partition: "blue")
        let green = try await store.current(partition: "green")
        await store.close()
        #expect(["lbd-a", "lbd-b"].contains(blue?.holder ?? ""))
        #expect(green?.holder == "lbd-c")
        await leases.stopAll()
    }

    @Test func aWrongPasswordKeepsTheInstanceStandbyWithTheReasonAndNoPassword() async throws {
        guard PostgresCluster.available else { return }
        let cluster = try PostgresCluster(password: "right-horse-battery")
        let log = CapturedLog()
        let settings = LeaseSettings(url: cluster.url(password: "wrong-staple-secret"), ttl: ttl)
        let leases = RunningLeases([
            try LeaseLeadership(
                settings: settings, partition: "default", instance: "lbd-a", logger: log.logger)
        ])
        #expect(
            await LeaseTesting.eventually(timeout: 2 * ttl) {
                await leases[0].status().reason.contains("refused user postgres")
            })
        #expect(await leases[0].publishingPermit() == nil)
        #expect(!(await leases[0].status().reason.contains("wrong-staple-secret")))
        #expect(log.contains(.warning, "lease acquire failed"))
        #expect(!log.all.contains { $0.contains("wrong-staple-secret") })
        await leases.stopAll()
    }
}
