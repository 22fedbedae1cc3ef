import DNS
import Foundation
import LBTestSupport
import Testing

/// `ha.mode: heartbeat` with two real `lbd run`s in network namespaces, real `lbclient agent`
/// nodes and a real BIND: the master's golbd-format heartbeat is served over HTTP and read as
/// golbd reads it; the standby takes over when the master is killed; with the link between
/// them down both publish (golbd's documented behaviour), and once it is up again the standby
/// hands back after the hold-down; a restart never publishes an older state.
@Suite(.serialized) struct HAHeartbeatTests {
    static let takeoverAfter = 6
    static let holdDown = 6
    static let alias = HAPairFixture.alias

    static var available: Bool { NetworkLab.available() && Peers.available("named", "snmpget", "curl") }

    /// The fixture, BIND, and both instances in heartbeat mode publishing to BIND; `b` started
    /// once `a` has published (so that `a` is seen as the active one).
    static func start() async throws -> (HAPairFixture, HANamed) {
        let fixture = try HAPairFixture()
        do {
            let named = try await HANamed(host: fixture.topology.serviceAddress, aliases: [alias])
            for instance in [fixture.a, fixture.b] {
                try instance.writeConfiguration(
                    fixture.configuration(
                        publishing: named.dnsSection,
                        ha: fixture.heartbeat(instance, takeoverAfter: takeoverAfter, holdDown: holdDown)))
            }
            try fixture.a.start()
            let published = await HAWait.until(seconds: 20) {
                (try? await named.addresses(alias)) == fixture.onlyA
            }
            try #require(published != nil, "lbd-a does not publish. \(fixture.logs())")
            try fixture.b.start()
            let standby = await HAWait.until(seconds: 15) {
                HALog.actions(fixture.b.lines, alias: alias).contains("standby")
            }
            try #require(standby != nil, "lbd-b does not log standby decisions. \(fixture.logs())")
            return (fixture, named)
        } catch {
            fixture.tearDown()
            throw error
        }
    }

    /// A golbd standby's check of the line: `<master> : <seconds> : I am alive`.
    static func heartbeatSeconds(_ body: String, master: String) -> Int? {
        let pattern = try! Regex("^\(master) : (\\d+) : I am alive\\n?$")
        guard let match = body.wholeMatch(of: pattern), let seconds = match.output[1].substring else {
            return nil
        }
        return Int(seconds)
    }

    @Test func theStandbyTakesOverWhenTheMasterIsKilledAndTheHeartbeatIsGolbds() async throws {
        guard Self.available else { return }
        let (fixture, named) = try await Self.start()
        defer { fixture.tearDown() }

        // The heartbeat, fetched from b over the direct link, as golbd's standby does.
        // The master writes it after its rounds complete: wait for the first one.
        var fetched = try fixture.fetchHeartbeatFromB()
        for _ in 0..<40 where fetched.status != 0 {
            try await Task.sleep(for: .milliseconds(250))
            fetched = try fixture.fetchHeartbeatFromB()
        }
        #expect(fetched.status == 0, "GET of the heartbeat URL failed. \(fixture.logs())")
        let seconds = try #require(
            Self.heartbeatSeconds(fetched.body, master: "lbd-a"),
            "not golbd's line: \(fetched.body.debugDescription)")
        #expect(
            abs(Double(seconds) - Date().timeIntervalSince1970) < 10, "a fresh heartbeat: \(fetched.body)")
        // The file itself, written atomically with mode 0644, holds the same kind of line.
        let file = fixture.a.heartbeatDirectory + "/heartbeat"
        let onDisk = try String(contentsOfFile: file, encoding: .utf8)
        #expect(Self.heartbeatSeconds(onDisk, master: "lbd-a") != nil, "\(onDisk.debugDescription)")
        let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
        #expect(mode == 0o644)
        // The heartbeat moves on.
        try await Task.sleep(for: .seconds(3))
        let later = Self.heartbeatSeconds(try fixture.fetchHeartbeatFromB().body, master: "lbd-a")
        #expect((later ?? 0) > seconds, "the heartbeat is rewritten")

        // While a is alive, b only decides.
        #expect(
            !HALog.actions(fixture.b.lines, alias: Self.alias).contains(where: HALog.published),
            "\(fixture.logs())")
        #expect(HALog.count(fixture.b.lines, action: "takeover") == 0)

        let takeoversBefore = HALog.count(fixture.b.lines, action: "takeover")
        let killed = ContinuousClock.now
        fixture.a.kill9()
        // b publishes its own choice at its first check that fails (the master's HTTP server is
        // gone: refused at once, as golbd's transport error), at worst once the heartbeat is older
        // than takeover_after; the checks come every takeover_after / 3, the polls every second.
        let bound = Double(Self.takeoverAfter) + Double(Self.takeoverAfter) / 3 + 1 + 4
        let published = await HAWait.until(seconds: bound + 5) {
            (try? await named.addresses(Self.alias)) == fixture.fromB
        }
        let took = published.map { $0 - killed }
        #expect(published != nil, "b never published. \(fixture.logs())")
        if let took {
            #expect(took <= .seconds(bound), "b published \(took) after the kill. \(fixture.b.tail())")
            print("[ha] heartbeat: master killed -> standby's answer in BIND after \(took)")
        }
        #expect(
            HALog.count(fixture.b.lines, action: "takeover") > takeoversBefore,
            "\(fixture.b.story(Self.alias))")
    }

    @Test func withTheLinkDownBothPublishAndTheStandbyHandsBackAfterTheHoldDown() async throws {
        guard Self.available else { return }
        let (fixture, named) = try await Self.start()
        defer { fixture.tearDown() }
        let watch = DNSWatch(Self.alias, at: named.address)

        let cut = ContinuousClock.now
        try fixture.topology.peerLink.setUp(false)
        let tookOver = await HAWait.until(seconds: 20) {
            HALog.count(fixture.b.lines, action: "takeover") >= 1
        }
        #expect(tookOver != nil, "b does not take over with the link down. \(fixture.logs())")
        // Both publish, each its own choice: BIND shows b's while a keeps writing its own back.
        let sawB = await HAWait.until(seconds: 10) { watch.firstSeen(fixture.fromB, after: cut) != nil }
        #expect(sawB != nil, "b's answer never reached BIND. \(fixture.logs())")
        // a goes on as the active one: its decisions after b's answer appeared are published
        // (updated, or unchanged when it finds its own answer), never standby.
        let aLinesBefore = fixture.a.lines.count
        let bothPublished = await HAWait.until(seconds: 10) {
            let actions = HALog.actions(Array(fixture.a.lines.dropFirst(aLinesBefore)), alias: Self.alias)
            return actions.count >= 3 && actions.allSatisfy(HALog.published)
        }
        #expect(bothPublished != nil, "a stopped publishing while b published. \(fixture.logs())")
        #expect(fixture.a.isRunning && fixture.b.isRunning)

        let handbacksBefore = HALog.count(fixture.b.lines, action: "handback")
        let restored = ContinuousClock.now
        try fixture.topology.peerLink.setUp(true)
        let handedBack = await HAWait.until(seconds: Double(Self.holdDown) + 15) {
            HALog.count(fixture.b.lines, action: "handback") > handbacksBefore
        }
        #expect(handedBack != nil, "b does not hand back. \(fixture.logs())")
        if let handedBack {
            let after = handedBack - restored
            // Not before the heartbeat has been fresh for hold_down (less the check interval).
            #expect(after >= .seconds(Self.holdDown - 2), "handed back \(after) after the link came up")
            print("[ha] heartbeat: link up -> handback after \(after)")
        }
        // From then on b only decides, and BIND settles on a's choice and stays there.
        try await Task.sleep(for: .seconds(3))
        let settled = ContinuousClock.now
        let linesBefore = fixture.b.lines.count
        try await Task.sleep(for: .seconds(4))
        let bAfter = HALog.actions(Array(fixture.b.lines.dropFirst(linesBefore)), alias: Self.alias)
        #expect(!bAfter.isEmpty && !bAfter.contains(where: HALog.published), "b after handback: \(bAfter)")
        let finalAnswers = watch.distinct(since: settled)
        #expect(finalAnswers == [fixture.onlyA], "BIND after handback: \(finalAnswers). \(fixture.logs())")
        await watch.stop()
    }

    @Test func aRestartedInstanceNeverPublishesAnOlderState() async throws {
        guard Self.available else { return }
        let (fixture, named) = try await Self.start()
        defer { fixture.tearDown() }

        // a dies having published node 0; b takes over and publishes node 1.
        fixture.a.kill9()
        let tookOver = await HAWait.until(seconds: 20) {
            (try? await named.addresses(Self.alias)) == fixture.fromB
        }
        try #require(tookOver != nil, "b does not take over. \(fixture.logs())")
        // While a is down node 0 is drained: a's state directory now holds an older answer
        // than its next decision (node 1).
        try fixture.nodes[0].drain()
        let watch = DNSWatch(Self.alias, at: named.address)
        let handbacksBefore = HALog.count(fixture.b.lines, action: "handback")
        let restarted = ContinuousClock.now
        try fixture.a.start()
        let handedBack = await HAWait.until(seconds: Double(Self.holdDown) + 15) {
            HALog.count(fixture.b.lines, action: "handback") > handbacksBefore
        }
        #expect(handedBack != nil, "b does not hand back to the restarted master. \(fixture.logs())")
        try await Task.sleep(for: .seconds(2))
        let seen = watch.distinct(since: restarted)
        #expect(seen == [fixture.fromB], "after a's restart BIND showed \(seen). \(fixture.logs())")

        // Now b restarts while a is the active one and node 0 is back: b's state (node 1) is
        // older than what a publishes (node 0), and b, a standby, must not publish it.
        fixture.nodes[0].undrain()
        let back = await HAWait.until(seconds: 10) {
            (try? await named.addresses(Self.alias)) == fixture.onlyA
        }
        #expect(back != nil, "a does not publish node 0 again. \(fixture.logs())")
        fixture.b.kill9()
        let bRestarted = ContinuousClock.now
        try fixture.b.start()
        try await Task.sleep(for: .seconds(Double(Self.takeoverAfter)))
        let afterB = watch.distinct(since: bRestarted)
        #expect(afterB == [fixture.onlyA], "after b's restart BIND showed \(afterB). \(fixture.logs())")
        await watch.stop()
    }
}
