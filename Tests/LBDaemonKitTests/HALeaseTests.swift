import DNS
import Foundation
import LBTestSupport
import Testing

/// `ha.mode: lease` with two real `lbd run`s in network namespaces, a real PostgreSQL holding
/// the lease, real `lbclient agent` nodes and a real BIND fencing the UPDATEs: the standby takes
/// over when the holder is killed; the link between the two down changes nothing (exactly one
/// publishes); a holder frozen longer than the lease (the zombie leader) is deposed, publishes
/// nothing once thawed, BIND refuses its token, and DNS never flips back.
@Suite(.serialized) struct HALeaseTests {
    static let ttl = 4
    static let alias = HAPairFixture.alias

    static var available: Bool {
        NetworkLab.available() && Peers.available("named", "snmpget", "nsupdate", "psql")
            && HAPostgres.available
    }

    /// The fixture, BIND and PostgreSQL, `a` holding the lease and publishing, `b` its standby.
    static func start() async throws -> (HAPairFixture, HANamed, HAPostgres) {
        let fixture = try HAPairFixture()
        do {
            let named = try await HANamed(host: fixture.topology.serviceAddress, aliases: [alias])
            let postgres = try HAPostgres(host: fixture.topology.serviceAddress)
            // Both namespaces reach the database.
            for namespace in [fixture.topology.a, fixture.topology.b] {
                let psql = try #require(Peers.find("psql"))
                let probe = try namespace.run(
                    psql,
                    [
                        "-h", postgres.host, "-p", String(postgres.port), "-U", "lbd", "-d", "lbd", "-c",
                        "select 1",
                    ])
                try #require(probe.status == 0, "\(namespace) does not reach PostgreSQL: \(probe.errors)")
            }
            for instance in [fixture.a, fixture.b] {
                try instance.writeConfiguration(
                    fixture.configuration(
                        publishing: named.dnsSection,
                        ha: """
                              mode: lease
                              lease: {url: "\(postgres.url)", ttl: \(ttl)}
                            """))
            }
            try fixture.a.start()
            let published = await HAWait.until(seconds: 20) {
                (try? await named.addresses(alias)) == fixture.onlyA
            }
            try #require(
                published != nil,
                "lbd-a does not publish. \(fixture.logs()) \(postgres.errorOutput.suffix(1000))")
            try fixture.b.start()
            let standby = await HAWait.until(seconds: 15) {
                HALog.actions(fixture.b.lines, alias: alias).contains("standby")
            }
            try #require(standby != nil, "lbd-b does not log standby decisions. \(fixture.logs())")
            return (fixture, named, postgres)
        } catch {
            fixture.tearDown()
            throw error
        }
    }

    @Test func theStandbyTakesTheLeaseWhenTheHolderIsKilled() async throws {
        guard Self.available else { return }
        let (fixture, named, postgres) = try await Self.start()
        defer { fixture.tearDown() }
        defer { postgres.stop() }
        let fenceBefore = try await named.fence(Self.alias)
        #expect(fenceBefore.count == 1, "a's UPDATEs are fenced: \(fenceBefore)")

        let takeoversBefore = HALog.count(fixture.b.lines, action: "takeover")
        let killed = ContinuousClock.now
        fixture.a.kill9()
        // The lease expires ttl after a's last renewal (at most ttl/3 before the kill); b's
        // next attempt and next poll follow.
        let bound = Double(Self.ttl) + Double(Self.ttl) / 3 + 1 + 4
        let published = await HAWait.until(seconds: bound + 5) {
            (try? await named.addresses(Self.alias)) == fixture.fromB
        }
        #expect(published != nil, "b never published. \(fixture.logs())")
        if let published {
            let took = published - killed
            #expect(took <= .seconds(bound), "b published \(took) after the kill. \(fixture.b.tail())")
            print("[ha] lease: holder killed -> standby's answer in BIND after \(took)")
        }
        let fenceAfter = try await named.fence(Self.alias)
        #expect(
            fenceAfter.count == 1 && (fenceAfter.first ?? 0) > (fenceBefore.first ?? .max),
            "\(fenceBefore) -> \(fenceAfter)")
        #expect(
            HALog.count(fixture.b.lines, action: "takeover") > takeoversBefore,
            "\(fixture.b.story(Self.alias))")
    }

    @Test func withTheLinkDownExactlyOnePublishes() async throws {
        guard Self.available else { return }
        let (fixture, named, postgres) = try await Self.start()
        defer { fixture.tearDown() }
        defer { postgres.stop() }
        let watch = DNSWatch(Self.alias, at: named.address)
        let bLines = fixture.b.lines.count
        let aLines = fixture.a.lines.count

        try fixture.topology.peerLink.setUp(false)
        try await Task.sleep(for: .seconds(Double(Self.ttl) * 3))
        let seen = watch.distinct()
        #expect(seen == [fixture.onlyA], "BIND with the link down: \(seen). \(fixture.logs())")
        let bActions = HALog.actions(Array(fixture.b.lines.dropFirst(bLines)), alias: Self.alias)
        let aActions = HALog.actions(Array(fixture.a.lines.dropFirst(aLines)), alias: Self.alias)
        #expect(!bActions.isEmpty && bActions.allSatisfy { $0 == "standby" }, "b: \(bActions)")
        #expect(!aActions.isEmpty && aActions.allSatisfy(HALog.published), "a: \(aActions)")
        try fixture.topology.peerLink.setUp(true)
        await watch.stop()
    }

    @Test func aZombieLeaderIsFencedAndDNSNeverFlipsBack() async throws {
        guard Self.available else { return }
        let (fixture, named, postgres) = try await Self.start()
        defer { fixture.tearDown() }
        defer { postgres.stop() }
        let oldToken = try #require(try await named.fence(Self.alias).first, "no fence before the freeze")

        fixture.a.signal(SIGSTOP)
        let frozen = ContinuousClock.now
        let published = await HAWait.until(seconds: Double(Self.ttl) * 3 + 10) {
            (try? await named.addresses(Self.alias)) == fixture.fromB
        }
        try #require(published != nil, "b does not take over from a frozen holder. \(fixture.logs())")
        // Frozen well past the lease, then thawed: a still believes it holds it until it checks.
        let frozenFor = ContinuousClock.now - frozen
        if frozenFor < .seconds(Self.ttl + 2) {
            try await Task.sleep(for: .seconds(Self.ttl + 2) - frozenFor)
        }
        let watch = DNSWatch(Self.alias, at: named.address)
        let aLines = fixture.a.log.count
        let thawed = ContinuousClock.now
        fixture.a.signal(SIGCONT)
        try await Task.sleep(for: .seconds(Double(Self.ttl) * 2 + 2))

        let seen = watch.distinct(since: thawed)
        #expect(seen == [fixture.fromB], "DNS after the thaw: \(seen). \(fixture.logs())")
        let aAfter = HALog.parse(String(fixture.a.log.dropFirst(aLines)))
        let aActions = HALog.actions(aAfter, alias: Self.alias)
        #expect(
            !aActions.contains("updated"), "the deposed holder published: \(aActions). \(fixture.a.tail())")
        #expect(fixture.a.isRunning, "a lives on as a standby")
        let newToken = try #require(try await named.fence(Self.alias).first)
        #expect(newToken > oldToken)

        // What a deposed instance's UPDATE would do: BIND itself refuses the old token.
        let refused = try named.updateFenced(Self.alias, token: oldToken, address: fixture.onlyA[0])
        #expect(refused.status != 0 && refused.output.contains("NXRRSET"), "\(refused.output)")
        // DNS still holds the holder's answer.
        #expect(try await named.addresses(Self.alias) == fixture.fromB)
        await watch.stop()
    }
}
